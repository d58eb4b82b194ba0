"""All SQL of the worker: claiming batches under a lease, heartbeats, recording what LINE answered."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, bindparam, cast, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.audit.service import record as audit
from boktor.db import utcnow
from boktor.delivery.ledger import unfinished_ledgers
from boktor.delivery.models import Batch, BatchStatus, Delivery, DeliveryAttempt, DeliveryWorker
from boktor.members.models import Member, MemberStatus

ANNOUNCEMENT = "announcement"
WORKER_LABEL = "worker"


@dataclass(slots=True)
class ClaimedBatch:
    """A batch this worker holds: who to send to now, and who (member ids) is skipped: blocked us since."""

    id: int
    announcement_id: int
    purpose: str
    retry_key: str
    attempts: int
    # Its recipients are the ledger rows of its announcement and purpose in this member id range.
    first_member_id: int
    last_member_id: int
    user_ids: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    first_attempt_at: datetime | None = None


@dataclass(slots=True)
class AttemptRecord:
    """One request to LINE and its outcome, to be written as a DeliveryAttempt row."""

    batch_id: int
    attempt_no: int
    started_at: datetime
    finished_at: datetime
    outcome: str
    http_status: int | None
    line_request_id: str | None
    message: str | None


@dataclass(slots=True)
class BatchResult:
    """Where a batch ends up after this claim: sent, failed, or handed back (pending) for later."""

    batch_id: int
    announcement_id: int
    purpose: str
    status: str  # sent | failed | pending
    attempts: int
    line_request_id: str | None = None
    error: str | None = None
    skipped: list[int] = field(default_factory=list)
    next_attempt_at: datetime | None = None


@dataclass(slots=True)
class QuotaPause:
    """LINE refused for the monthly quota: pause the announcement with a reason an operator understands."""

    announcement_id: int
    reason: str


def eligible_batches(now: datetime | None):
    """Pending batches that may be sent (at `now`, if given, past their backoff).

    An announcement's own batches go while it is sending; reminders' while it is neither paused nor cancelled.
    """
    query = (
        select(Batch.id)
        .join(Announcement, Announcement.id == Batch.announcement_id)
        .where(
            Batch.status == BatchStatus.pending,
            or_(
                and_(Batch.purpose == ANNOUNCEMENT, Announcement.status == AnnouncementStatus.sending),
                and_(
                    Batch.purpose != ANNOUNCEMENT,
                    Announcement.status.not_in([AnnouncementStatus.paused, AnnouncementStatus.cancelled]),
                ),
            ),
        )
    )
    if now is not None:
        query = query.where(or_(Batch.next_attempt_at.is_(None), Batch.next_attempt_at <= now))
    return query


def claim_batches(
    session: Session, worker_id: str, limit: int, lease: timedelta, now: datetime | None = None
) -> list[ClaimedBatch]:
    """Take up to `limit` sendable batches nobody holds, with their recipients; oldest announcement first."""
    return load_recipients(session, take_batches(session, worker_id, limit, lease, now))


def take_batches(
    session: Session, worker_id: str, limit: int, lease: timedelta, now: datetime | None = None
) -> list[ClaimedBatch]:
    """Take up to `limit` sendable batches nobody holds (recipients not loaded); oldest announcement first.

    Only this is a write: the worker commits it at once and loads the recipients in a read, so that on
    SQLite the one write lock is held for an UPDATE, not for reading thousands of rows.
    """
    now = now or utcnow()
    candidates = (
        eligible_batches(now)
        .where(or_(Batch.claimed_by.is_(None), Batch.claimed_until < now))
        .order_by(Batch.announcement_id, Batch.purpose, Batch.seq)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several workers on one PostgreSQL: each skips the rows another is claiming this instant.
        candidates = candidates.with_for_update(skip_locked=True, of=Batch)
    elif session.scalar(select(candidates.exists())) is False:
        # SQLite: look before taking the write lock, so an idle worker does not hold up the web process.
        return []
    claimed = session.execute(
        update(Batch)
        .where(Batch.id.in_(candidates.scalar_subquery()))
        .values(claimed_by=worker_id, claimed_until=now + lease)
        .returning(
            Batch.id,
            Batch.announcement_id,
            Batch.purpose,
            Batch.retry_key,
            Batch.attempts,
            Batch.first_member_id,
            Batch.last_member_id,
        )
    ).all()
    batches = [ClaimedBatch(*row) for row in claimed]
    return sorted(batches, key=lambda b: b.id)


def load_recipients(session: Session, claimed: list[ClaimedBatch]) -> list[ClaimedBatch]:
    """Fill in who each claimed batch goes to now, who is skipped, and when it was first tried."""
    if not claimed:
        return claimed
    batches = {batch.id: batch for batch in claimed}
    blocked = Member.status == MemberStatus.blocked
    for rows in _ledger_ranges(claimed):
        # One row per batch, its user IDs joined by commas (LINE user IDs are U and 32 hex digits): 24 rows
        # instead of 12,000 keeps the worker's Python free for sending at 200 requests a second. The ledger
        # was written when sending started; who has blocked the account since is skipped now.
        per_batch = session.execute(
            select(
                Delivery.batch_id,
                func.aggregate_strings(Member.line_user_id, ",").filter(~blocked),
                func.aggregate_strings(cast(Delivery.member_id, String), ",").filter(blocked),
            )
            .join(Member, Member.id == Delivery.member_id)
            .where(*rows)
            .group_by(Delivery.batch_id)
        )
        for batch_id, user_ids, skipped in per_batch:
            batch = batches[batch_id]
            batch.user_ids = user_ids.split(",") if user_ids else []
            batch.skipped = [int(member_id) for member_id in skipped.split(",")] if skipped else []
    tried = [b.id for b in claimed if b.attempts]
    if tried:
        # LINE remembers a retry key for 24 hours: the worker must know how old a batch's first attempt is.
        for batch_id, first in session.execute(
            select(DeliveryAttempt.batch_id, func.min(DeliveryAttempt.started_at))
            .where(DeliveryAttempt.batch_id.in_(tried))
            .group_by(DeliveryAttempt.batch_id)
        ):
            batches[batch_id].first_attempt_at = first
    return claimed


def _ledger_ranges(claimed: list[ClaimedBatch]) -> list[tuple]:
    """SQL conditions for the ledger rows of the claimed batches: per announcement and purpose, one range.

    A range of the ledger's key with literal bounds, which the planner can count (a join on each batch's
    range it would guess at, and guess large); the batch ids keep out any batch not claimed inside it.
    """
    groups: dict[tuple[int, str], list[ClaimedBatch]] = {}
    for batch in claimed:
        groups.setdefault((batch.announcement_id, batch.purpose), []).append(batch)
    conditions = []
    for (announcement_id, purpose), batches in groups.items():
        low = min(b.first_member_id for b in batches)
        high = max(b.last_member_id for b in batches)
        conditions.append(
            (
                Delivery.announcement_id == announcement_id,
                Delivery.purpose == purpose,
                Delivery.member_id.between(low, high),
                Delivery.batch_id.in_([b.id for b in batches]),
                Member.id.between(low, high),
            )
        )
    return conditions


def has_work(session: Session, worker_id: str, now: datetime | None = None) -> bool:
    """Whether any batch is still to be sent by this worker: free, held by it, or waiting out a backoff."""
    now = now or utcnow()
    free_or_mine = or_(Batch.claimed_by.is_(None), Batch.claimed_by == worker_id, Batch.claimed_until < now)
    if session.scalar(select(eligible_batches(None).where(free_or_mine).limit(1).exists())):
        return True
    return bool(session.scalar(select(unfinished_ledgers(writable=True).limit(1).exists())))


def record(
    session: Session,
    attempts: Iterable[AttemptRecord],
    results: Iterable[BatchResult],
    pauses: Iterable[QuotaPause],
    now: datetime | None = None,
) -> None:
    """Write attempts, move batches and their ledger rows, pause announcements out of quota."""
    now = now or utcnow()
    rows = [
        {
            "batch_id": a.batch_id,
            "attempt_no": a.attempt_no,
            "started_at": a.started_at,
            "finished_at": a.finished_at,
            "outcome": a.outcome,
            "http_status": a.http_status,
            "line_request_id": a.line_request_id,
            "message": a.message,
        }
        for a in attempts
    ]
    if rows:
        session.connection().execute(insert(DeliveryAttempt.__table__), rows)
    _finish_batches(session, results, now)
    for pause in pauses:
        pause_for_quota(session, pause.announcement_id, pause.reason)


_batches = Batch.__table__
# One statement for every result of a flush, sent as one executemany (a flush holds some ten results, at 200 a
# second: built one by one they were a fifth of the worker's time). Only a pending batch moves: a batch another
# worker already settled stays as it is. A batch handed back stays pending, with its attempts and backoff.
FINISH = (
    update(_batches)
    .where(_batches.c.id == bindparam("b_id"), _batches.c.status == BatchStatus.pending)
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        claimed_by=None,
        claimed_until=None,
        next_attempt_at=bindparam("b_next"),
        sent_at=bindparam("b_sent_at"),
        line_request_id=bindparam("b_request"),
        error=bindparam("b_error"),
    )
)


def _finish_batches(session: Session, results: Iterable[BatchResult], now: datetime) -> None:
    """Move the batches, in id order so that workers writing at once take row locks in the same order.

    A ledger row takes its batch's outcome: only recipients skipped (blocked by the time their batch went)
    are written, once their batch has really moved here.
    """
    connection = session.connection()
    run: list[dict[str, Any]] = []
    for result in sorted(results, key=lambda r: r.batch_id):
        params = {
            "b_id": result.batch_id,
            "b_status": result.status,
            "b_attempts": result.attempts,
            "b_next": result.next_attempt_at if result.status == BatchStatus.pending else None,
            "b_sent_at": now if result.status == BatchStatus.sent else None,
            "b_request": result.line_request_id if result.status != BatchStatus.pending else None,
            "b_error": result.error,
        }
        if not (result.skipped and result.status != BatchStatus.pending):
            run.append(params)
            continue
        if run:
            connection.execute(FINISH, run)
            run = []
        if connection.execute(FINISH, params).rowcount:
            session.execute(
                update(Delivery)
                .where(
                    Delivery.announcement_id == result.announcement_id,
                    Delivery.purpose == result.purpose,
                    Delivery.member_id.in_(result.skipped),
                )
                .values(skipped=True)
            )
    if run:
        connection.execute(FINISH, run)


def pause_for_quota(session: Session, announcement_id: int, reason: str) -> bool:
    """Pause an announcement (unless already paused or cancelled) and say why; True if it changed."""
    changed = session.execute(
        update(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.status.not_in([AnnouncementStatus.paused, AnnouncementStatus.cancelled]),
        )
        .values(status=AnnouncementStatus.paused, pause_reason=reason, updated_at=utcnow())
    ).rowcount
    if changed:
        audit(
            session,
            "announcement.paused",
            "announcement",
            announcement_id,
            actor_label=WORKER_LABEL,
            reason=reason,
        )
    return bool(changed)


def complete_finished(session: Session, now: datetime | None = None) -> list[int]:
    """Mark every sending announcement whose ledger is written and settled as completed; return their ids."""
    now = now or utcnow()
    pending = exists().where(Batch.announcement_id == Announcement.id, Batch.status == BatchStatus.pending)
    unwritten = Announcement.id.in_(unfinished_ledgers())
    done = list(
        session.scalars(
            select(Announcement.id).where(
                Announcement.status == AnnouncementStatus.sending, ~pending, ~unwritten
            )
        )
    )
    if not done:
        return []
    session.execute(
        update(Announcement)
        .where(Announcement.id.in_(done), Announcement.status == AnnouncementStatus.sending)
        .values(status=AnnouncementStatus.completed, completed_at=now, updated_at=now)
    )
    for announcement_id in done:
        audit(session, "announcement.completed", "announcement", announcement_id, actor_label=WORKER_LABEL)
    return done


# --- workers -----------------------------------------------------------------------------------------------


def register_worker(session: Session, worker_id: str, hostname: str, pid: int) -> None:
    """Announce this worker (its heartbeat row)."""
    session.execute(delete(DeliveryWorker).where(DeliveryWorker.id == worker_id))
    now = utcnow()
    session.add(DeliveryWorker(id=worker_id, hostname=hostname, pid=pid, started_at=now, heartbeat_at=now))


def heartbeat(session: Session, worker_id: str, hostname: str, stale: timedelta) -> int:
    """Beat, release the batches of dead workers, and return how many workers share LINE's rate now.

    Those are the workers holding batches, this one always counted: a live worker with nothing to send (the
    ledger not written that far yet, or another announcement's turn) leaves its share to the others.
    """
    now = utcnow()
    beat = session.execute(
        update(DeliveryWorker).where(DeliveryWorker.id == worker_id).values(heartbeat_at=now)
    ).rowcount
    if not beat:
        # Another worker took us for dead (we were silent too long): come back.
        register_worker(session, worker_id, hostname, os.getpid())
    release_dead_workers(session, hostname, stale, now)
    others = session.scalar(
        select(func.count(func.distinct(Batch.claimed_by))).where(
            Batch.status == BatchStatus.pending,
            Batch.claimed_by.is_not(None),
            Batch.claimed_by != worker_id,
            Batch.claimed_until > now,
        )
    )
    return 1 + (others or 0)


def release_dead_workers(
    session: Session, hostname: str, stale: timedelta, now: datetime | None = None
) -> list[str]:
    """Forget workers that stopped beating (or whose process on this host is gone) and free their batches."""
    now = now or utcnow()
    dead = []
    for worker in session.execute(
        select(DeliveryWorker.id, DeliveryWorker.hostname, DeliveryWorker.pid, DeliveryWorker.heartbeat_at)
    ):
        if worker.heartbeat_at < now - stale or (worker.hostname == hostname and not _alive(worker.pid)):
            dead.append(worker.id)
    if dead:
        session.execute(
            update(Batch)
            .where(Batch.claimed_by.in_(dead), Batch.status == BatchStatus.pending)
            .values(claimed_by=None, claimed_until=None)
        )
        session.execute(delete(DeliveryWorker).where(DeliveryWorker.id.in_(dead)))
    return dead


def unregister_worker(session: Session, worker_id: str) -> None:
    """A clean stop: hand back every batch still held and remove the heartbeat row."""
    session.execute(
        update(Batch)
        .where(Batch.claimed_by == worker_id, Batch.status == BatchStatus.pending)
        .values(claimed_by=None, claimed_until=None)
    )
    session.execute(delete(DeliveryWorker).where(DeliveryWorker.id == worker_id))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
