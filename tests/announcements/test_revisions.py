"""A communicator fixes a draft before approval; an approver sends an announcement back with a reason, on the
command line as people use it, and the rules behind it (who may, from which state, what the audit log keeps)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from boktor.announcements import service
from boktor.announcements.models import Announcement
from boktor.announcements.service import InvalidAnnouncement, NotAllowed, WrongState
from boktor.audit.models import AuditEntry
from boktor.cli import app as boktor
from boktor.config import Settings, get_settings
from tests.announcements.helpers import add_member, add_user

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
TITLE = "ขอเชิญร่วมกิจกรรมวันดินโลก"
BODY = "ขอให้ทุกอำเภอประชาสัมพันธ์กิจกรรมวันดินโลกแก่ประชาชนในวันที่ 4 ธันวาคม"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(boktor, list(args))


def ok(*args: str):
    """Run `boktor ARGS`; its JSON with --json, else its text."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else " ".join(result.output.split())


def refused(*args: str) -> str:
    """Run `boktor ARGS`, expecting a refusal; its message on one line."""
    result = invoke(*args)
    assert result.exit_code != 0, result.output
    return " ".join(result.output.split())


def trail(session: Session, number: int) -> list[tuple[str, str, dict]]:
    session.expire_all()
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == number).order_by(AuditEntry.id)
    )
    return [(e.action.removeprefix("announcement."), e.actor_label, e.detail) for e in entries]


@pytest.fixture
def office(session: Session, env: dict, line, monkeypatch: pytest.MonkeyPatch) -> None:
    """Users and members in the test database; `boktor` runs on it and speaks to the simulator as LINE."""
    monkeypatch.setenv("LINE_API_BASE_URL", line.url)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", line.access_token)
    monkeypatch.setenv("LINE_CHANNEL_SECRET", line.channel_secret)
    get_settings.cache_clear()
    add_user(session, "writer", "communicator")
    add_user(session, "chief", "approver")
    for _ in range(3):
        add_member(session, province="57", district="5709")
    for _ in range(2):
        add_member(session, province="52", district="5201", organisation="dopa")
    session.commit()


def test_a_draft_is_fixed_sent_back_with_a_reason_fixed_again_and_sent(
    office, session: Session, tmp_path: Path
) -> None:
    created = ok("announce", "create", "--as", "writer", "--title", "ขอเชิญร่วมกิจรรมวันดินโลก", "--body", BODY,
                 "--category", "news", "--province", "เชียงราย", "--json")  # fmt: skip
    number = str(created["id"])
    assert created["audience_count"] == 3

    # The writer sees the typo and that Lampang, not Chiang Rai, is meant.
    edited = ok(
        "announce", "edit", number, "--as", "writer", "--title", TITLE, "--province", "ลำปาง", "--json"
    )
    assert edited["changed"] == ["title", "audience"]
    assert (edited["status"], edited["title"], edited["audience"]) == ("draft", TITLE, {"provinces": ["52"]})
    assert edited["audience_count"] == 2 and edited["quota"]["remaining"] is None
    said = ok(
        "announce", "edit", number, "--as", "writer", "--category", "ข้อสั่งการ", "--deadline", "15/1/2569"
    )
    assert f"Announcement {number} edited: category, ack_deadline." in said
    assert "Audience: provinces: 52 — 2 members." in said
    preview = json.loads(invoke("announce", "preview", number).output)
    assert preview[0]["altText"] == f"ข้อสั่งการ: {TITLE}"
    assert f"Announcement {number}: nothing changed." in ok("announce", "edit", number, "--as", "writer",
                                                            "--title", TITLE)  # fmt: skip

    ok("announce", "submit", number, "--as", "writer")
    assert "is submitted: ask the approver to send it back" in refused(
        "announce", "edit", number, "--as", "writer", "--body", "แก้ไข"
    )

    # Only an approver sends it back, and only with a reason for the writer.
    assert "needs the role approver" in refused(
        "announce", "return", number, "--as", "writer", "--reason", "ก"
    )
    assert "Say why" in refused("announce", "return", number, "--as", "chief")
    reason = "วันที่ผิด: กิจกรรมคือวันที่ 5 ธันวาคม"
    returned = ok("announce", "return", number, "--as", "chief", "--reason", reason, "--json")
    assert (returned["status"], returned["return_reason"], returned["submitted_at"]) == (
        "draft",
        reason,
        None,
    )
    assert f"Status: draft — sent back: {reason}" in ok("announce", "status", number)
    assert reason in ok("announce", "list")
    assert ok("announce", "list", "--json")[0]["return_reason"] == reason
    assert ok("announce", "status", number, "--json")["return_reason"] == reason

    fixed = tmp_path / "body.txt"
    fixed.write_text(BODY.replace("4 ธันวาคม", "5 ธันวาคม"), encoding="utf-8")
    said = ok("announce", "edit", number, "--as", "writer", "--body-file", str(fixed))
    assert f"edited: body. It was sent back: {reason}" in said
    resubmitted = ok("announce", "submit", number, "--as", "writer", "--json")
    assert resubmitted["status"] == "submitted" and resubmitted["return_reason"] is None
    ok("announce", "approve", number, "--as", "chief")
    sent = ok("announce", "send", number, "--as", "writer", "--json")
    assert sent["result"]["recipients"] == 2
    assert "5 ธันวาคม" in json.dumps(
        json.loads(invoke("announce", "preview", number).output), ensure_ascii=False
    )

    steps = trail(session, int(number))
    assert [(action, who) for action, who, _ in steps] == [
        ("created", "writer"), ("edited", "writer"), ("edited", "writer"), ("submitted", "writer"),
        ("returned", "chief"), ("edited", "writer"), ("submitted", "writer"), ("approved", "chief"),
        ("sending", "writer"),
    ]  # fmt: skip
    edits = [detail for action, _, detail in steps if action == "edited"]
    assert [e["fields"] for e in edits] == [["title", "audience"], ["category", "ack_deadline"], ["body"]]
    # Which fields changed, never their text.
    assert not any(TITLE in json.dumps(e, ensure_ascii=False) or "5 ธันวาคม" in json.dumps(e, ensure_ascii=False)
                   for e in edits)  # fmt: skip
    [sent_back] = [detail for action, _, detail in steps if action == "returned"]
    assert sent_back == {"from": "submitted", "to": "draft", "reason": reason}


def test_edit_removes_what_is_given_empty_and_widens_to_everyone(office) -> None:
    number = str(ok("announce", "create", "--as", "writer", "--title", TITLE, "--body", BODY, "--category", "news",
                    "--image-url", "https://example.com/soil.jpg", "--deadline", "2026-01-15", "--province", "52",
                    "--json")["id"])  # fmt: skip
    cleared = ok("announce", "edit", number, "--as", "writer", "--image-url", "", "--deadline", "", "--json")
    assert cleared["changed"] == ["image_url", "ack_deadline"]
    assert (cleared["image_url"], cleared["ack_deadline"], cleared["audience"]) == (
        None,
        None,
        {"provinces": ["52"]},
    )
    assert "either --everyone or audience options" in refused(
        "announce", "edit", number, "--as", "writer", "--everyone", "--province", "57"
    )
    widened = ok("announce", "edit", number, "--as", "writer", "--everyone", "--json")
    assert widened["changed"] == ["audience"] and widened["audience"] == {} and widened["audience_count"] == 5


def test_edit_refuses_plainly_on_the_command_line(office) -> None:
    number = str(ok("announce", "create", "--as", "writer", "--title", TITLE, "--body", BODY, "--category",
                    "news", "--json")["id"])  # fmt: skip
    assert "needs the role communicator" in refused(
        "announce", "edit", number, "--as", "chief", "--title", "ก"
    )
    assert "Unknown province" in refused("announce", "edit", number, "--as", "writer", "--province", "ไม่มี")
    assert "https://" in refused(
        "announce", "edit", number, "--as", "writer", "--image-url", "http://a.b/c.jpg"
    )
    assert "There is no announcement 999" in refused(
        "announce", "edit", "999", "--as", "writer", "--title", "ก"
    )
    assert ok("announce", "status", number, "--json")["title"] == TITLE


# The rules, at the service.


@pytest.fixture
def members(session: Session) -> list:
    return [add_member(session, province="57") for _ in range(3)]


def draft(session: Session, people: dict, by: str = "writer", **fields) -> Announcement:
    values = {"title": TITLE, "body": BODY, "category": "news", "audience": {"provinces": ["57"]}} | fields
    return service.create(session, people[by], **values)


def _reach(session: Session, settings: Settings, people: dict, stage: str) -> Announcement:
    """A draft taken to `stage` as people do it."""
    announcement = draft(session, people)
    if stage == "draft":
        return announcement
    service.submit(session, announcement, people["writer"])
    if stage == "submitted":
        return announcement
    service.approve(session, announcement, people["approver"], now=NOW)
    if stage == "approved":
        return announcement
    if stage in ("scheduled", "held"):
        service.send(session, settings, announcement, people["writer"], at=NOW + timedelta(days=1), now=NOW)
        if stage == "held":
            service.pause(session, announcement, people["writer"], "รอคำยืนยัน")
        return announcement
    service.send(session, settings, announcement, people["writer"], now=NOW)
    if stage == "paused":
        service.pause(session, announcement, people["writer"])
    elif stage == "completed":
        announcement.status = "completed"  # as the worker leaves it when nothing is left
    elif stage == "cancelled":
        service.cancel(session, announcement, people["writer"])
    return announcement


@pytest.mark.parametrize("stage", ["submitted", "approved", "scheduled", "held"])
def test_what_has_not_started_goes_back_to_draft_and_must_be_approved_again(
    session: Session, settings: Settings, people: dict, members: list, stage: str
) -> None:
    announcement = _reach(session, settings, people, stage)
    service.send_back(session, announcement, people["approver"], "  ภาพประกอบไม่ถูกต้อง ")
    assert announcement.status == "draft" and announcement.return_reason == "ภาพประกอบไม่ถูกต้อง"
    assert (announcement.approved_by_id, announcement.approved_at, announcement.scheduled_at) == (
        None,
        None,
        None,
    )
    assert announcement.pause_reason is None
    session.commit()
    # A schedule set before it went back does not start it.
    assert service.start_due(session, NOW + timedelta(days=2), settings) == []
    with pytest.raises(WrongState, match="still a draft"):
        service.send(session, settings, announcement, people["writer"], now=NOW)
    service.edit(session, announcement, people["colleague"], image_url="https://example.com/soil.jpg")
    service.submit(session, announcement, people["writer"])
    assert announcement.return_reason is None
    service.approve(session, announcement, people["approver"], now=NOW)
    assert service.send(session, settings, announcement, people["writer"], now=NOW).recipients == 3


@pytest.mark.parametrize("stage", ["draft", "sending", "paused", "completed", "cancelled"])
def test_what_is_a_draft_or_has_started_cannot_be_sent_back(
    session: Session, settings: Settings, people: dict, members: list, stage: str
) -> None:
    announcement = _reach(session, settings, people, stage)
    with pytest.raises(WrongState, match=f"is {stage}"):
        service.send_back(session, announcement, people["approver"], "ผิด")
    assert announcement.status == stage and announcement.return_reason is None


@pytest.mark.parametrize("stage", ["submitted", "approved", "scheduled", "sending", "completed", "cancelled"])
def test_only_a_draft_is_edited_and_the_refusal_says_what_to_do(
    session: Session, settings: Settings, people: dict, members: list, stage: str
) -> None:
    announcement = _reach(session, settings, people, stage)
    gone = "it has already gone out"
    hint = {"cancelled": "write a new one", "sending": gone, "completed": gone}
    with pytest.raises(
        WrongState, match=f"is {stage}: {hint.get(stage, 'ask the approver to send it back')}"
    ):
        service.edit(session, announcement, people["writer"], title="แก้ไข")
    assert announcement.title == TITLE


def test_sending_back_needs_an_approver_and_a_reason(session: Session, people: dict) -> None:
    announcement = draft(session, people)
    service.submit(session, announcement, people["writer"])
    for user in ("writer", "colleague", "operator"):
        with pytest.raises(NotAllowed, match="needs the role approver"):
            service.send_back(session, announcement, people[user], "ผิด")
    with pytest.raises(InvalidAnnouncement, match="Say why"):
        service.send_back(session, announcement, people["approver"], "   ")
    assert announcement.status == "submitted"


def test_a_writer_who_also_approves_may_take_back_their_own_but_still_not_approve_it(
    session: Session, people: dict
) -> None:
    # Sending back only moves an announcement away from members, so it needs no second pair of eyes;
    # approving it afterwards still does.
    announcement = draft(session, people, by="both")
    service.submit(session, announcement, people["both"])
    service.send_back(session, announcement, people["both"], "ลืมแนบลิงก์")
    service.edit(session, announcement, people["both"], link_url="https://www.moi.go.th")
    service.submit(session, announcement, people["both"])
    with pytest.raises(NotAllowed, match="Nobody approves their own"):
        service.approve(session, announcement, people["both"])


def test_an_edit_checks_what_it_changes_as_create_does_and_changes_nothing_else(
    session: Session, people: dict
) -> None:
    announcement = draft(session, people, ack_deadline=NOW, link_url="https://www.moi.go.th")
    cases = [
        ({"body": "ก" * 5001}, "5,001 characters"),
        ({"title": ""}, "needs a title"),
        ({"category": "sports"}, "Unknown category 'sports'"),
        ({"image_url": "http://example.com/a.jpg"}, "https://"),
        ({"audience": {"provinces": ["ไม่มีจังหวัดนี้"]}}, "Unknown province"),
        ({"ack_deadline": datetime(2026, 1, 15)}, "time zone"),
    ]
    for fields, message in cases:
        with pytest.raises(ValueError, match=message):
            service.edit(session, announcement, people["writer"], **fields)
    assert (announcement.title, announcement.body, announcement.audience) == (
        TITLE,
        BODY,
        {"provinces": ["57"]},
    )
    changed = service.edit(session, announcement, people["colleague"], title=f"  {TITLE} (แก้ไข) ",
                           category="ข่าวสารสำคัญ", audience={"provinces": ["เชียงราย"]}, link_url=None)  # fmt: skip
    assert changed == ["title", "link_url"]  # the category and the audience were already these
    assert announcement.title == f"{TITLE} (แก้ไข)" and announcement.link_url is None
    assert announcement.ack_deadline == NOW and announcement.body == BODY
    with pytest.raises(TypeError):
        service.edit(session, announcement, people["writer"], status="approved")
    assert service.edit(session, announcement, people["writer"], title=f"{TITLE} (แก้ไข)") == []
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == announcement.id)).all()
    assert actions == ["announcement.created", "announcement.edited"]
