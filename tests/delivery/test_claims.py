"""Who may take which batch: leases, dead workers, paused and cancelled announcements, backoff."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from boktor.announcements.models import AnnouncementStatus
from boktor.db import utcnow
from boktor.delivery import claims
from boktor.delivery.ledger import start_delivery
from boktor.delivery.models import Batch, DeliveryWorker
from tests.delivery.helpers import add_members, followers, new_announcement

LEASE = timedelta(minutes=10)
STALE = timedelta(seconds=10)


def ledger(session, members: int = 2600, **fields):
    add_members(session, [f"U{uuid.uuid4().hex}" for _ in range(members)])
    announcement = new_announcement(session, **fields)
    start_delivery(session, announcement, "announcement", followers)
    session.flush()
    return announcement


def test_two_workers_never_hold_the_same_batch(session):
    ledger(session)  # 6 batches
    first = claims.claim_batches(session, "worker-a", 4, LEASE)
    second = claims.claim_batches(session, "worker-b", 4, LEASE)

    assert len(first) == 4 and len(second) == 2
    assert not {b.id for b in first} & {b.id for b in second}
    assert sum(len(b.user_ids) for b in first + second) == 2600
    assert claims.claim_batches(session, "worker-c", 4, LEASE) == []


def test_a_silent_worker_is_declared_dead_and_its_batches_go_to_others(session):
    ledger(session, 600)
    session.add(
        DeliveryWorker(id="far-away", hostname="other-host", pid=1, heartbeat_at=utcnow() - 2 * STALE)
    )
    held = claims.claim_batches(session, "far-away", 2, LEASE)
    assert claims.claim_batches(session, "here", 2, LEASE) == []

    dead = claims.release_dead_workers(session, "this-host", STALE)

    assert dead == ["far-away"]
    taken = claims.claim_batches(session, "here", 2, LEASE)
    assert {b.id for b in taken} == {b.id for b in held}


def test_a_worker_whose_process_is_gone_on_this_host_is_dead_at_once(session):
    ledger(session, 100)
    session.add(DeliveryWorker(id="crashed", hostname="this-host", pid=2**22 + 7, heartbeat_at=utcnow()))
    claims.claim_batches(session, "crashed", 1, LEASE)

    assert claims.release_dead_workers(session, "this-host", STALE) == ["crashed"]
    assert len(claims.claim_batches(session, "here", 1, LEASE)) == 1


def test_an_expired_lease_is_taken_over(session):
    ledger(session, 100)
    claims.claim_batches(session, "old", 1, timedelta(seconds=-1))
    assert len(claims.claim_batches(session, "new", 1, LEASE)) == 1


def test_paused_or_cancelled_announcements_are_not_sent_but_reminders_of_completed_ones_are(session):
    paused = ledger(session, 100, status=AnnouncementStatus.paused)
    cancelled = ledger(session, 100, status=AnnouncementStatus.cancelled)
    completed = new_announcement(session, status=AnnouncementStatus.completed)
    start_delivery(session, completed, "reminder-1", followers)
    start_delivery(session, cancelled, "reminder-1", followers)

    taken = claims.claim_batches(session, "w", 10, LEASE)

    assert [(b.announcement_id, b.purpose) for b in taken] == [(completed.id, "reminder-1")]
    # Nothing else is there for another worker: the paused one waits for a resume.
    assert not claims.has_work(session, "w2")
    assert paused.id not in {b.announcement_id for b in taken}


def test_a_batch_waits_out_its_backoff(session):
    announcement = ledger(session, 100)
    session.execute(
        update(Batch).where(Batch.announcement_id == announcement.id).values(next_attempt_at=utcnow() + LEASE)
    )
    assert claims.claim_batches(session, "w", 1, LEASE) == []
    assert claims.has_work(session, "w")  # --until-idle keeps waiting for it


def test_completed_when_nothing_is_pending(session):
    announcement = ledger(session, 100)
    assert claims.complete_finished(session) == []
    session.execute(update(Batch).values(status="sent"))
    assert claims.complete_finished(session) == [announcement.id]
    assert session.scalar(select(Batch.status).limit(1)) == "sent"


def test_workers_share_the_rate_only_with_those_holding_batches(session):
    ledger(session, 1500)  # 3 batches
    for worker in ("a", "b", "c"):
        claims.register_worker(session, worker, "this-host", os.getpid())
    session.flush()

    # Three workers are live, but only "a" has something to send: it takes the whole rate.
    claims.claim_batches(session, "a", 1, LEASE)
    assert claims.heartbeat(session, "a", "this-host", STALE) == 1
    # "b" takes a batch too: both now pace themselves at half; "c", with none, counts itself and both.
    claims.claim_batches(session, "b", 1, LEASE)
    assert claims.heartbeat(session, "a", "this-host", STALE) == 2
    assert claims.heartbeat(session, "c", "this-host", STALE) == 3
