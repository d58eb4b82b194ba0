"""An approved announcement reaches every follower's phone exactly once, through the real simulator."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select, update

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.db import transaction, utcnow
from boktor.delivery.ledger import start_delivery
from boktor.delivery.models import BatchStatus, DeliveryWorker
from boktor.delivery.status import delivery_counts
from boktor.members.models import Member, MemberStatus
from tests.delivery.helpers import (
    add_members,
    announcement,
    attempts,
    batches,
    ledger_statuses,
    new_announcement,
    send_to_followers,
    settings_for,
    work,
)


def test_every_follower_gets_the_card_once_and_the_announcement_completes(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones)
    announcement_id = send_to_followers(database_url, aggregation_unit="ann_1")

    progress = work(settings_for(database_url, sim))

    stats = sim.client.stats()
    assert stats["recipients"] == len(phones) == 1200
    assert stats["duplicates"] == 0
    assert stats["requests"]["multicast"] == 3  # 1,200 people in batches of 500, 500 and 200
    assert progress.batches_sent == 3
    inbox = sim.client.inbox(phones[0])
    assert len(inbox) == 1 and inbox[0]["via"] == "multicast"
    assert {b["label"] for b in inbox[0]["view"]["buttons"]} >= {"รับทราบ", "บอกต่อแล้ว"}

    done = announcement(database_url, announcement_id)
    assert done.status == AnnouncementStatus.completed and done.completed_at is not None
    sent = batches(database_url, announcement_id)
    assert [b.status for b in sent] == [BatchStatus.sent] * 3
    assert all(b.line_request_id and b.sent_at for b in sent)
    assert ledger_statuses(database_url, announcement_id) == {"sent": 1200}
    tries = attempts(database_url, announcement_id)
    assert [t.outcome for t in tries] == ["accepted"] * 3
    deliveries = sim.client.deliveries()
    assert {d["retry_key"] for d in deliveries} == {b.retry_key for b in sent}
    assert {d["aggregation_unit"] for d in deliveries} == {"ann_1"}
    with transaction(database_url) as session:
        counts = delivery_counts(session, announcement_id)["announcement"]
    assert counts["targeted"] == counts["sent"] == 1200
    assert counts["batches_done"] == counts["batches_total"] == 3


def test_a_member_who_blocked_the_account_after_the_ledger_was_written_is_skipped(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones[:10])
    announcement_id = send_to_followers(database_url)
    with transaction(database_url) as session:
        session.execute(
            update(Member).where(Member.line_user_id == phones[3]).values(status=MemberStatus.blocked)
        )

    work(settings_for(database_url, sim))

    assert sim.client.inbox(phones[3]) == []
    assert sim.client.stats()["recipients"] == 9
    assert ledger_statuses(database_url, announcement_id) == {"sent": 9, "skipped": 1}
    with transaction(database_url) as session:
        assert delivery_counts(session, announcement_id)["announcement"]["skipped"] == 1


def test_a_worker_with_nothing_to_send_returns_at_once(database_url, sim):
    started = time.monotonic()
    progress = work(settings_for(database_url, sim))
    assert progress.requests == 0
    assert time.monotonic() - started < 5
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(DeliveryWorker)) == 0


def test_a_reminder_goes_out_after_the_announcement_completed(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones[:20])
    announcement_id = send_to_followers(database_url)
    work(settings_for(database_url, sim))
    with transaction(database_url) as session:
        done = session.get(Announcement, announcement_id)
        reminded = select(Member.id, Member.line_user_id).where(Member.line_user_id.in_(phones[:5]))
        start_delivery(session, done, "reminder-1", lambda *_: reminded)

    work(settings_for(database_url, sim))

    assert [item["via"] for item in sim.client.inbox(phones[0])] == ["multicast", "multicast"]
    assert len(sim.client.inbox(phones[10])) == 1
    assert sim.client.stats()["duplicates"] == 0
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed
    with transaction(database_url) as session:
        assert delivery_counts(session, announcement_id)["reminder-1"]["sent"] == 5


def test_a_scheduled_announcement_is_started_by_the_worker_when_its_time_comes(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones[:30])
        scheduled = new_announcement(
            session,
            status=AnnouncementStatus.scheduled,
            scheduled_at=utcnow() - timedelta(minutes=1),
            started_at=None,
        )
        scheduled_id = scheduled.id

    work(settings_for(database_url, sim))

    assert announcement(database_url, scheduled_id).status == AnnouncementStatus.completed
    assert sim.client.stats()["recipients"] == 30
