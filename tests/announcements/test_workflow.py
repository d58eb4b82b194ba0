"""A communicator writes, an approver approves, the communicator sends: every step, every refusal, all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from boktor.announcements import service
from boktor.announcements.models import Announcement
from boktor.announcements.reactions import record
from boktor.announcements.service import InvalidAnnouncement, NotAllowed, QuotaRefused, WrongState
from boktor.audit.models import AuditEntry
from boktor.config import Settings
from boktor.delivery.models import Batch, Delivery
from boktor.members.models import MemberStatus
from tests.announcements.helpers import add_member

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def members(session: Session) -> list:
    """Five followers in เชียงราย and one who blocked the account."""
    found = [add_member(session, province="57", topics=("policy",)) for _ in range(5)]
    add_member(session, province="57", status=MemberStatus.blocked)
    return found


def draft(session: Session, people: dict, **fields) -> Announcement:
    values = {"title": "ขอเชิญร่วมกิจกรรมวันดินโลก", "body": "ขอให้ทุกอำเภอประชาสัมพันธ์", "category": "ข่าวสารสำคัญ",
              "audience": {"provinces": ["เชียงราย"]}} | fields  # fmt: skip
    return service.create(session, people["writer"], **values)


def approved(session: Session, people: dict, **fields) -> Announcement:
    announcement = draft(session, people, **fields)
    service.submit(session, announcement, people["writer"])
    service.approve(session, announcement, people["approver"], now=NOW)
    return announcement


def audit_trail(session: Session, announcement: Announcement) -> list[tuple[str, str]]:
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == announcement.id).order_by(AuditEntry.id)
    )
    return [(e.action.removeprefix("announcement."), e.actor_label) for e in entries]


def test_draft_to_sending_writes_the_ledger_and_audits_every_step(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = draft(session, people)
    assert announcement.status == "draft"
    assert announcement.category == "news" and announcement.audience == {"provinces": ["57"]}
    assert announcement.aggregation_unit == f"ann_{announcement.id}"
    service.submit(session, announcement, people["writer"])
    assert announcement.status == "submitted"
    service.approve(session, announcement, people["approver"])
    assert announcement.status == "approved" and announcement.approved_by_id == people["approver"].id
    result = service.send(session, settings, announcement, people["writer"])
    session.commit()
    assert result.status == "sending" and result.recipients == 5 and result.audience == 5
    assert result.quota == {"limit": None, "used": 0, "queued": 0, "remaining": None}
    assert announcement.status == "sending" and announcement.targeted == 5 and announcement.started_at
    ledger = session.scalars(select(Delivery.member_id).where(Delivery.announcement_id == announcement.id))
    assert sorted(ledger) == sorted(m.id for m in members)
    assert session.scalar(select(func.count()).select_from(Batch)) == 1
    assert audit_trail(session, announcement) == [
        ("created", "writer"),
        ("submitted", "writer"),
        ("approved", "approver"),
        ("sending", "writer"),
    ]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.approved"))
    assert entry.actor_id == people["approver"].id and entry.at is not None
    assert entry.detail["from"] == "submitted" and entry.detail["to"] == "approved"


def test_nobody_approves_their_own_announcement(session: Session, people: dict) -> None:
    announcement = service.create(session, people["both"], title="ทดสอบ", body="ทดสอบ", category="knowledge")
    service.submit(session, announcement, people["both"])
    with pytest.raises(NotAllowed, match="Nobody approves their own announcement"):
        service.approve(session, announcement, people["both"])
    assert announcement.status == "submitted"


def test_only_an_approver_approves(session: Session, people: dict) -> None:
    announcement = draft(session, people)
    service.submit(session, announcement, people["writer"])
    for user in (people["colleague"], people["operator"]):
        with pytest.raises(NotAllowed, match="needs the role approver"):
            service.approve(session, announcement, user)
    service.approve(session, announcement, people["both"])
    assert announcement.status == "approved"


def test_only_communicators_write_submit_and_send(session: Session, settings: Settings, people: dict) -> None:
    with pytest.raises(NotAllowed, match="may not write announcements"):
        service.create(session, people["approver"], title="ก", body="ข", category="news")
    announcement = draft(session, people)
    with pytest.raises(NotAllowed):
        service.submit(session, announcement, people["operator"])
    service.submit(session, announcement, people["writer"])
    service.approve(session, announcement, people["approver"])
    with pytest.raises(NotAllowed, match="may not send"):
        service.send(session, settings, announcement, people["approver"])


@pytest.mark.parametrize("stage", ["draft", "submitted"])
def test_sending_before_approval_is_refused(
    session: Session, settings: Settings, people: dict, stage: str
) -> None:
    announcement = draft(session, people)
    if stage == "submitted":
        service.submit(session, announcement, people["writer"])
    with pytest.raises(WrongState, match=f"Only an approved announcement can be sent; .* is {stage}"):
        service.send(session, settings, announcement, people["writer"])
    assert announcement.status == stage


def test_out_of_order_steps_are_refused(session: Session, people: dict) -> None:
    announcement = draft(session, people)
    with pytest.raises(WrongState, match="Submit it first"):
        service.approve(session, announcement, people["approver"])
    with pytest.raises(WrongState, match="Only a sending or scheduled"):
        service.pause(session, announcement, people["writer"])
    with pytest.raises(WrongState, match="Only a paused"):
        service.resume(session, None, announcement, people["writer"])
    service.submit(session, announcement, people["writer"])
    with pytest.raises(WrongState, match="Only a draft can be submitted"):
        service.submit(session, announcement, people["writer"])


def test_cancelling_a_completed_or_cancelled_announcement_is_refused(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = approved(session, people)
    service.send(session, settings, announcement, people["writer"], now=NOW)
    announcement.status = "completed"  # as the worker leaves it when nothing is left
    with pytest.raises(WrongState, match="already completed"):
        service.cancel(session, announcement, people["writer"])
    other = draft(session, people)
    service.cancel(session, other, people["writer"], reason="ซ้ำกับฉบับก่อน")
    assert other.status == "cancelled"
    with pytest.raises(WrongState, match="already cancelled"):
        service.cancel(session, other, people["approver"])


def test_pause_and_resume_a_sending(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = approved(session, people)
    service.send(session, settings, announcement, people["writer"])
    service.pause(session, announcement, people["operator"], reason="ตรวจพบข้อความผิด")
    assert announcement.status == "paused" and announcement.pause_reason == "ตรวจพบข้อความผิด"
    with pytest.raises(WrongState, match="resume it instead"):
        service.send(session, settings, announcement, people["writer"])
    result = service.resume(session, settings, announcement, people["writer"])
    assert announcement.status == "sending" and announcement.pause_reason is None
    assert result.recipients == 5  # all still pending: nothing was sent while paused
    assert [a for a, _ in audit_trail(session, announcement)][-2:] == ["paused", "resumed"]


def test_scheduled_announcements_start_when_due(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = approved(session, people)
    at = NOW + timedelta(hours=2)
    result = service.send(session, settings, announcement, people["writer"], at=at, now=NOW)
    assert result.status == "scheduled" and announcement.scheduled_at == at
    assert service.start_due(session, NOW + timedelta(hours=1), settings) == []
    assert announcement.status == "scheduled"
    assert service.start_due(session, NOW + timedelta(hours=3), settings) == [announcement.id]
    assert announcement.status == "sending" and announcement.targeted == 5
    assert audit_trail(session, announcement)[-1] == ("sending", "worker")


def test_approval_can_carry_the_schedule(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = draft(session, people)
    service.submit(session, announcement, people["writer"])
    with pytest.raises(InvalidAnnouncement, match="already passed"):
        service.approve(session, announcement, people["approver"], scheduled_at=NOW - timedelta(1), now=NOW)
    service.approve(session, announcement, people["approver"], scheduled_at=NOW + timedelta(days=1), now=NOW)
    assert service.send(session, settings, announcement, people["writer"], now=NOW).status == "scheduled"


def test_an_audience_beyond_the_monthly_quota_is_refused_in_plain_words(
    session: Session, settings: Settings, people: dict, members: list, line
) -> None:
    line.client.set_quota(1000, used=997)
    announcement = approved(session, people)
    with pytest.raises(QuotaRefused) as refused:
        service.send(session, settings, announcement, people["writer"])
    assert str(refused.value).startswith("This audience is 5 people but only 3 messages are left this month")
    assert announcement.status == "approved"
    assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    result = service.send(session, settings, announcement, people["writer"], partial=True)
    assert result.recipients == 3 and announcement.status == "sending"
    assert result.quota == {"limit": 1000, "used": 997, "queued": 0, "remaining": 3}
    # The 3 now queued count against the next announcement's quota.
    second = approved(session, people, title="ฉบับที่สอง")
    with pytest.raises(QuotaRefused, match=r"only 0 messages are left.*3 more are already queued"):
        service.send(session, settings, second, people["writer"])


def test_when_line_cannot_say_the_quota_a_person_is_refused_but_the_worker_starts_anyway(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    unreachable = settings.model_copy(update={"line_api_base_url": "http://127.0.0.1:9"})
    announcement = approved(session, people)
    with pytest.raises(QuotaRefused, match="Nothing was sent; try again when LINE answers"):
        service.send(session, unreachable, announcement, people["writer"], now=NOW)
    assert announcement.status == "approved" and announcement.started_at is None
    service.send(session, unreachable, announcement, people["writer"], at=NOW + timedelta(hours=1), now=NOW)
    # A real refusal from LINE would pause the sending; not knowing the quota does not hold it back.
    assert service.start_due(session, NOW + timedelta(hours=2), unreachable) == [announcement.id]
    assert announcement.status == "sending" and announcement.targeted == 5
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.sending"))
    assert entry.actor_label == "worker" and entry.detail["quota"] is None


def test_what_cannot_be_sent_is_refused_when_written(session: Session, people: dict) -> None:
    cases = [
        ({"body": "ก" * 5001}, "5,001 characters"),
        ({"title": ""}, "needs a title"),
        ({"category": "sports"}, "Unknown category 'sports'"),
        ({"image_url": "http://example.com/a.jpg"}, "https://"),
        ({"audience": {"provinces": ["ไม่มีจังหวัดนี้"]}}, "Unknown province"),
    ]
    for fields, message in cases:
        with pytest.raises(ValueError, match=message):
            draft(session, people, **fields)


def test_an_empty_audience_is_not_sent(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = approved(session, people, audience={"provinces": ["10"]})
    with pytest.raises(InvalidAnnouncement, match="reaches nobody"):
        service.send(session, settings, announcement, people["writer"])


def test_reminders_go_only_to_those_who_received_it_and_have_not_acknowledged(
    session: Session, settings: Settings, people: dict, members: list
) -> None:
    announcement = approved(session, people)
    service.send(session, settings, announcement, people["writer"])
    with pytest.raises(WrongState, match="nobody needs a reminder"):
        service.remind(session, settings, announcement, people["writer"])  # nothing delivered yet
    # LINE accepted the batch; the fifth member had blocked the account by then and was skipped.
    session.execute(update(Batch).where(Batch.announcement_id == announcement.id).values(status="sent"))
    session.execute(update(Delivery).where(Delivery.member_id == members[4].id).values(skipped=True))
    record(session, announcement.id, members[0].id, "ack")
    record(session, announcement.id, members[1].id, "relay")  # relayed but not acknowledged: reminded
    members[3].status = MemberStatus.blocked
    session.flush()
    result = service.remind(session, settings, announcement, people["writer"])
    assert result.status == "reminder-1" and result.recipients == 2
    reminded = session.scalars(select(Delivery.member_id).where(Delivery.purpose == "reminder-1"))
    assert sorted(reminded) == sorted([members[1].id, members[2].id])
    second = service.remind(session, settings, announcement, people["writer"])
    assert second.status == "reminder-2"
    with pytest.raises(NotAllowed):
        service.remind(session, settings, announcement, people["approver"])
