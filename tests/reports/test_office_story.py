"""The office's story, for real: an announcement goes to three phones in Chiang Rai through the worker and the
LINE simulator; one taps "รับทราบ"; the province office downloads who has not acknowledged, and sees them
again, reminded once, after a reminder; coverage counts the one who acknowledged."""

from __future__ import annotations

import io
import json
import time

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from boktor.accounts.service import create_user, issue_token
from boktor.cli import app as boktor
from boktor.config import get_settings
from boktor.db import session_factory
from boktor.members.models import Member
from tests.apprunner import demo_settings, free_port, running_app
from tests.reports.people import entry, link, roster
from tests.sim.simkit import start_sim

SECRET = "office-channel-secret"
TOKEN = "office-access-token"
# What the three phones answer in the sign-up survey: name and district.
PROFILES = [("สมชาย ใจดี", "5709"), ("สมหญิง ศรีสุข", "5709"), ("ประเสริฐ วงศ์ใหญ่", "5701")]


def run(*args: str) -> dict:
    result = CliRunner().invoke(boktor, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else {}


def wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.fixture
def chiang_rai(database_url: str, monkeypatch: pytest.MonkeyPatch):
    """Boktor's webhook and the simulator with three phones that have joined, answered, and are on a roster."""
    port = free_port()
    with start_sim(users=3, webhook_url=f"http://127.0.0.1:{port}/line/webhook", channel_secret=SECRET,
                   access_token=TOKEN, no_limits=True) as sim:  # fmt: skip
        line = {
            "LINE_API_BASE_URL": sim.url,
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        }
        environment = {"BOKTOR_MODE": "demo", "BOKTOR_DATABASE_URL": database_url,
                       "BOKTOR_EMBEDDED_WORKER": "false", **line}  # fmt: skip
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        settings = demo_settings(database_url, BOKTOR_EMBEDDED_WORKER=False, **line)
        with running_app(settings, port=port) as url:
            phones = sim.client.user_ids()
            for phone in phones:
                assert sim.client.follow(phone)["webhook_status"] == 200
            run("worker", "--until-idle", "--quiet")
            with session_factory(database_url)() as session:
                members = wait_for(lambda: len(found := session.scalars(select(Member)).all()) == 3 and found)
                by_phone = {m.line_user_id: m for m in members}
                office = roster(session, "บุคลากรจังหวัดเชียงราย")
                for phone, (name, district) in zip(phones, PROFILES, strict=True):
                    member = by_phone[phone]  # the survey's answers, as the survey stores them
                    member.full_name, member.province_code, member.district_code = name, "57", district
                    link(entry(session, office, f"นาย{name}", district=district), member)
                user = create_user(session, "chiangrai", ["office"], scope_province_code="57")
                token = {"Authorization": f"Bearer {issue_token(user)}"}
                session.commit()
            yield sim, url, phones, token
        get_settings.cache_clear()


def unacknowledged(url: str, number: int, token: dict) -> list[list]:
    response = httpx.get(f"{url}/api/announcements/{number}/unacknowledged.xlsx", headers=token)
    assert response.status_code == 200, response.text
    people = load_workbook(io.BytesIO(response.content)).worksheets[1]
    return [[cell.value for cell in row] for row in people.iter_rows(min_row=4)]


def test_a_province_office_chases_who_has_not_acknowledged(chiang_rai):
    sim, url, phones, office = chiang_rai
    run("users", "create", "writer", "--role", "communicator")
    run("users", "create", "chief", "--role", "approver")
    number = run("announce", "create", "--as", "writer", "--title", "ข้อสั่งการเตรียมรับมืออุทกภัย",
                 "--body", "ให้ทุกอำเภอสำรวจพื้นที่เสี่ยง", "--category", "ข้อสั่งการ", "--province", "57",
                 "--json")["id"]  # fmt: skip
    run("announce", "submit", str(number), "--as", "writer")
    run("announce", "approve", str(number), "--as", "chief")
    run("announce", "send", str(number), "--as", "writer")
    run("worker", "--until-idle", "--quiet")

    assert sim.client.tap(phones[0], "รับทราบ")["webhook_status"] == 200
    run("worker", "--until-idle", "--quiet")
    report = f"{url}/api/announcements/{number}/acknowledgements"
    wait_for(lambda: httpx.get(report, headers=office).json()["total"]["acknowledged"] == 1)

    listed = unacknowledged(url, number, office)
    assert [(row[1], row[4], row[7]) for row in listed] == [
        ("ประเสริฐ วงศ์ใหญ่", "อ.เมืองเชียงราย จ.เชียงราย", 0), ("สมหญิง ศรีสุข", "อ.แม่สาย จ.เชียงราย", 0),
    ]  # fmt: skip
    counts = httpx.get(report, headers=office).json()
    assert [(r["code"], r["received"], r["acknowledged"]) for r in counts["rows"]] == [
        ("5701", 1, 0),
        ("5709", 2, 1),
    ]
    coverage = httpx.get(f"{url}/api/coverage", headers=office).json()
    assert (coverage["total"]["joined"], coverage["total"]["acknowledging"]) == (3, 1)

    run("announce", "remind", str(number), "--as", "writer")
    run("worker", "--until-idle", "--quiet")
    assert [row[7] for row in unacknowledged(url, number, office)] == [1, 1]
