"""The survey in a real browser at a phone's width: open from LINE, fill the cascade, send, see the thanks."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from boktor.db import session_factory
from boktor.members.models import Member
from boktor.survey import messages
from tests.sim.simkit import RunningSim
from tests.survey.helpers import GOOD_ANSWERS, form_key, wait_for_inbox

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE_SCREEN = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-thai-tlwg)"
        # scripts/test installs it, so there a missing browser is a failure, not a skip.
        if os.environ.get("BOKTOR_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone_page(browser) -> Iterator[object]:
    context = browser.new_context(
        viewport=PHONE_SCREEN, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    outside: list[str] = []
    # Nothing may be fetched from outside Boktor and the simulator in demo mode.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "data:"))
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    page.outside_requests = outside
    yield page
    context.close()


def test_a_member_answers_the_survey_on_a_phone(
    line: RunningSim, app_url: str, database_url: str, phone_page, tmp_path: Path
) -> None:
    page = phone_page
    phone = line.client.user_ids()[0]
    token = line.client.id_token(phone)
    page.goto(f"{app_url}/liff/survey#id_token={token}")
    assert page.locator("h1").inner_text().startswith("แบบสำรวจ")

    page.fill("#f-full_name", "นางสาวมาลี ศรีสุข")
    page.select_option("#f-personnel_type", "civil_servant")
    page.select_option("#f-organisation", "cdd")
    page.wait_for_selector("#f-position option[value=district_cd_officer]", state="attached")
    page.select_option("#f-position", "district_cd_officer")
    # The cascade: each list is fetched when the one above is chosen.
    assert page.locator("#f-district").is_disabled()
    page.select_option("#f-province", "57")
    page.wait_for_selector("#f-district option[value='5709']", state="attached")
    assert page.locator("#f-district option").count() == 19  # the prompt and เชียงราย's 18 districts
    page.select_option("#f-district", "5709")
    page.wait_for_selector("#f-subdistrict option[value='570901']", state="attached")
    page.select_option("#f-subdistrict", "570901")
    page.fill("#f-village_no", "3")
    page.fill("#f-phone", "02 123 4567")  # a landline: the page lets it pass, the server does not
    page.check("input[name=topics][value=policy]")
    page.check("input[name=topics][value=urgent]")
    page.check("input[name=frequency][value=daily]")

    # Sent without consent: the page says so beside the consent box and sends nothing.
    page.click("#send")
    assert page.locator("#e-consent").inner_text() == messages.DEFAULT_FORM["consent_required"]
    page.check("#f-consent")
    page.click("#send")
    page.wait_for_function("document.getElementById('e-phone').textContent.length > 0")
    assert page.locator("#e-phone").inner_text() == messages.PHONE_INVALID
    # What was typed is still there, the cascade included.
    assert page.input_value("#f-full_name") == "นางสาวมาลี ศรีสุข"
    assert page.input_value("#f-subdistrict") == "570901"

    page.fill("#f-phone", "081 234 5678")
    page.screenshot(path=str(tmp_path / "survey-filled.png"), full_page=True)
    page.click("#send")
    page.wait_for_selector("#thanks", state="visible")
    assert messages.PAGE["thanks_title"] in page.locator("#thanks").inner_text()
    page.screenshot(path=str(tmp_path / "survey-thanks.png"))
    assert page.outside_requests == []

    with session_factory(database_url)() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == phone))
        assert (member.full_name, member.district_code, member.subdistrict_code) == (
            "นางสาวมาลี ศรีสุข",
            "5709",
            "570901",
        )
        assert (member.phone, member.village_no, member.topic_codes) == (
            "0812345678",
            3,
            ["policy", "urgent"],
        )
        assert member.consent_version == "pdpa-2026-1" and member.surveyed_at is not None
    inbox = wait_for_inbox(line.client, phone)
    assert [item["view"]["text"] for item in inbox] == [messages.THANK_YOU_CHAT]


def test_a_forged_or_expired_token_is_refused_on_the_page_and_the_answers_stay(
    line: RunningSim, app_url: str, database_url: str, phone_page
) -> None:
    page = phone_page
    phone = line.client.user_ids()[1]
    form = form_key(app_url)
    # The answers were typed earlier: the page keeps a draft in the phone and restores it.
    draft = json.dumps(GOOD_ANSWERS, ensure_ascii=False)
    page.add_init_script(f"localStorage.setItem('boktor-survey-{form}', {json.dumps(draft)})")
    real = line.client.id_token(phone)
    tokens = {
        messages.TOKEN_INVALID: real[:-6] + ("AAAAAA" if not real.endswith("AAAAAA") else "BBBBBB"),
        messages.TOKEN_EXPIRED: line.client.id_token(phone, expires_in=-60),
    }
    for attempt, (message, token) in enumerate(tokens.items()):
        page.goto(f"{app_url}/liff/survey?attempt={attempt}#id_token={token}")
        page.wait_for_selector("#f-subdistrict option[value='570901']", state="attached")
        assert page.input_value("#f-full_name") == GOOD_ANSWERS["full_name"]
        assert page.input_value("#f-subdistrict") == "570901"
        page.click("#send")
        page.wait_for_selector("#banner", state="visible")
        assert page.locator("#banner").inner_text() == message
        assert page.locator("#thanks").is_hidden()
        assert page.input_value("#f-full_name") == GOOD_ANSWERS["full_name"]
    with session_factory(database_url)() as session:
        assert session.scalar(select(Member).where(Member.line_user_id == phone)) is None
    assert line.client.inbox(phone) == []
