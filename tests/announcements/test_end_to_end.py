"""The demo story, for real: an announcement written on the command line reaches virtual phones through the
delivery worker and the LINE simulator; a member taps "รับทราบ"; the status shows it; a reminder goes only to
those who have not acknowledged."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from boktor.cli import app as boktor
from boktor.config import get_settings
from boktor.db import session_factory
from boktor.members.models import Member
from tests.apprunner import demo_settings, free_port, running_app
from tests.sim.simkit import start_sim

SECRET = "e2e-channel-secret"
TOKEN = "e2e-access-token"


def wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def replies(sim, phone: str) -> list[dict]:
    """What Boktor answered a phone through the (free) reply API."""
    return [item for item in sim.client.inbox(phone) if item["via"] == "reply"]


def run(*args: str) -> dict:
    result = CliRunner().invoke(boktor, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else {"output": result.output}


@pytest.fixture
def world(database_url: str, monkeypatch: pytest.MonkeyPatch):
    """Boktor serving its webhook, the simulator with three phones pointed at it, the CLI on the same database."""
    port = free_port()
    with start_sim(users=3, webhook_url=f"http://127.0.0.1:{port}/line/webhook", channel_secret=SECRET,
                   access_token=TOKEN, no_limits=True) as sim:  # fmt: skip
        environment = {
            "BOKTOR_MODE": "demo",
            "BOKTOR_DATABASE_URL": database_url,
            "LINE_API_BASE_URL": sim.url,
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            # The test runs the worker itself, as an operator runs `boktor worker`: it sends the
            # announcements and answers the members' events that the web process stored.
            "BOKTOR_EMBEDDED_WORKER": "false",
        }
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        settings = demo_settings(
            database_url, LINE_API_BASE_URL=sim.url, LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
            BOKTOR_EMBEDDED_WORKER=False,
        )  # fmt: skip
        with running_app(settings, port=port):
            yield sim
        get_settings.cache_clear()


def test_an_announcement_from_the_command_line_reaches_phones_and_a_tap_shows_in_the_status(
    world, database_url: str
) -> None:
    sim = world
    phones = sim.client.user_ids()
    for phone in phones:
        assert sim.client.follow(phone)["webhook_status"] == 200
    run("worker", "--until-idle", "--quiet")  # the worker answers the follows the web process stored
    count_members = lambda: session_factory(database_url)().scalar(select(func.count()).select_from(Member))  # noqa: E731
    wait_for(lambda: count_members() == 3)

    run("users", "create", "writer", "--role", "communicator")
    run("users", "create", "chief", "--role", "approver")
    created = run("announce", "create", "--as", "writer", "--title", "ข้อสั่งการเตรียมรับมืออุทกภัย",
                  "--body", "ให้ทุกอำเภอสำรวจพื้นที่เสี่ยงและรายงานภายในสามวัน", "--category", "ข้อสั่งการ",
                  "--deadline", "15/1/2569", "--not-surveyed", "--json")  # fmt: skip
    number = str(created["id"])
    assert created["audience_count"] == 3 and created["status"] == "draft"
    assert created["quota"]["remaining"] is None  # the simulator's channel has no monthly limit

    preview = json.loads(CliRunner().invoke(boktor, ["announce", "preview", number]).output)
    assert preview[0]["type"] == "flex"

    run("announce", "submit", number, "--as", "writer")
    refused = CliRunner().invoke(boktor, ["announce", "approve", number, "--as", "writer"])
    assert refused.exit_code != 0 and "needs the role approver" in " ".join(refused.output.split())
    run("announce", "approve", number, "--as", "chief")
    sent = run("announce", "send", number, "--as", "writer", "--json")
    assert sent["status"] == "sending" and sent["result"]["recipients"] == 3

    run("worker", "--until-idle", "--quiet")

    for phone in phones:
        [item] = [i for i in sim.client.inbox(phone) if i["via"] == "multicast"]
        assert item["view"]["alt_text"] == "ข้อสั่งการ: ข้อสั่งการเตรียมรับมืออุทกภัย"
        assert [b["label"] for b in item["view"]["buttons"]] == ["รับทราบ", "บอกต่อแล้ว"]

    tapped = sim.client.tap(phones[0], "รับทราบ")
    assert tapped["webhook_status"] == 200
    run("worker", "--until-idle", "--quiet")
    wait_for(lambda: any("บันทึกการรับทราบ" in (i["view"].get("text") or "") for i in replies(sim, phones[0])))

    status = wait_for(lambda: (s := run("announce", "status", number, "--json"))["acknowledged"] == 1 and s)
    assert status["status"] == "completed"
    assert (status["targeted"], status["sent"], status["pending"], status["failed"]) == (3, 3, 0, 0)
    assert status["relayed"] == 0

    # The second phone passes it on and says to how many.
    sim.client.tap(phones[1], "บอกต่อแล้ว")
    run("worker", "--until-idle", "--quiet")
    wait_for(
        lambda: any(
            i["view"].get("quick_replies")
            for i in replies(sim, phones[1])
            if "บอกต่อ" in i["view"].get("text", "")
        )
    )
    sim.client.tap(phones[1], "11–50 คน")
    run("worker", "--until-idle", "--quiet")
    status = wait_for(lambda: (s := run("announce", "status", number, "--json"))["reach"]["11-50"] == 1 and s)
    assert status["relayed"] == 1 and status["acknowledged"] == 1

    # A reminder goes to the two who have not acknowledged, not to the one who has.
    reminded = run("announce", "remind", number, "--as", "writer", "--json")
    assert reminded["result"]["status"] == "reminder-1" and reminded["result"]["recipients"] == 2
    run("worker", "--until-idle", "--quiet")
    got = {p: [i for i in sim.client.inbox(p) if (i["view"].get("alt_text") or "").startswith("แจ้งเตือน")]
           for p in phones}  # fmt: skip
    assert [len(got[p]) for p in phones] == [0, 1, 1]
    text = run("announce", "status", number)["output"]
    assert "reminder-1: 2 targeted, 2 sent, 0 pending." in text
