"""All SQL of the webhook inbox: store events once, claim pending rows, record how handling went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Insert, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.interactions.models import InboxEvent
from boktor.line.webhook import WebhookEvent

PENDING, PROCESSING, DONE, IGNORED, FAILED = "pending", "processing", "done", "ignored", "failed"
# A failed attempt is retried after this many seconds times the attempts so far, up to MAX_ATTEMPTS.
RETRY_BACKOFF_SECONDS = 2.0
MAX_ATTEMPTS = 5


def store_events(connection: Connection, events: list[WebhookEvent]) -> int:
    """Insert the events, ignoring ones already stored (same webhookEventId); return how many were new."""
    return len(store_new_events(connection, events))


def store_new_events(connection: Connection, events: list[WebhookEvent]) -> set[str]:
    """Insert the events in one statement, ignoring ones already stored; the webhookEventIds that were new."""
    if not events:
        return set()
    now = utcnow()
    rows = [
        {
            "webhook_event_id": event.webhook_event_id,
            "event_type": event.event_type,
            "line_user_id": event.line_user_id,
            "payload": event.payload,
            "is_redelivery": event.is_redelivery,
            "received_at": now,
            "status": PENDING,
            "attempts": 0,
        }
        for event in events
    ]
    # The rows go as parameters of one cached statement, which SQLAlchemy sends as multi-row INSERTs
    # ("insertmanyvalues"). Writing them into the statement with .values(rows) made a new statement to
    # compile for every batch: 150 µs of CPU per event, holding the GIL the webhook's event loop needs.
    return set(connection.scalars(_INSERT_NEW[connection.dialect.name], rows))


def _insert_new(dialect: ModuleType) -> Insert:
    return (
        dialect.insert(InboxEvent)
        .on_conflict_do_nothing(index_elements=["webhook_event_id"])
        .returning(InboxEvent.webhook_event_id)  # rowcount is not reliable here on every driver
    )


_INSERT_NEW = {"postgresql": _insert_new(postgresql), "sqlite": _insert_new(sqlite)}


@dataclass(frozen=True, slots=True)
class PendingRow:
    id: int
    line_user_id: str | None


def pending_rows(session: Session, limit: int, now: datetime | None = None) -> list[PendingRow]:
    """Pending rows in arrival order: new ones, and failed ones whose back-off has passed."""
    now = now or utcnow()
    # Back-off grows with attempts; expressed per attempt count so the query stays portable.
    due = [
        and_(
            InboxEvent.attempts == n,
            InboxEvent.handled_at < now - timedelta(seconds=RETRY_BACKOFF_SECONDS * n),
        )
        for n in range(1, MAX_ATTEMPTS)
    ]
    # A row reclaimed from a dead process after its last attempt still gets one more try.
    due.append(
        and_(
            InboxEvent.attempts >= MAX_ATTEMPTS,
            InboxEvent.handled_at < now - timedelta(seconds=RETRY_BACKOFF_SECONDS * MAX_ATTEMPTS),
        )
    )
    rows = session.execute(
        select(InboxEvent.id, InboxEvent.line_user_id)
        .where(InboxEvent.status == PENDING, or_(InboxEvent.attempts == 0, *due))
        .order_by(InboxEvent.id)
        .limit(limit)
    )
    return [PendingRow(id, user) for id, user in rows]


def newest_row(session: Session) -> int | None:
    """The id of the newest inbox row (it rises while LINE's events are coming in)."""
    return session.scalar(select(func.max(InboxEvent.id)))


def claim_many(session: Session, row_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Take several pending rows at once; the events of those this statement took, by row id."""
    # RETURNING lists only the rows this UPDATE changed, so two processes never get the same row.
    taken = session.execute(
        update(InboxEvent)
        .where(InboxEvent.id.in_(row_ids), InboxEvent.status == PENDING)
        .values(status=PROCESSING, attempts=InboxEvent.attempts + 1, handled_at=utcnow())
        .returning(InboxEvent.id, InboxEvent.payload)
    )
    return {row_id: payload for row_id, payload in taken}


def finish(session: Session, row_id: int, status: str, error: str | None = None) -> None:
    """Record that the row was handled (done or ignored)."""
    session.execute(
        update(InboxEvent)
        .where(InboxEvent.id == row_id)
        .values(status=status, handled_at=utcnow(), error=error)
    )


def note_error(session: Session, row_id: int, error: str) -> None:
    """Keep a problem that did not stop the row being handled (e.g. a reply LINE refused)."""
    session.execute(update(InboxEvent).where(InboxEvent.id == row_id).values(error=error[:2000]))


def release(session: Session, row_id: int, error: str) -> str:
    """Put a row whose handling failed back to pending, or mark it failed after MAX_ATTEMPTS; the new status."""
    attempts = session.scalar(select(InboxEvent.attempts).where(InboxEvent.id == row_id)) or 0
    status = FAILED if attempts >= MAX_ATTEMPTS else PENDING
    session.execute(
        update(InboxEvent)
        .where(InboxEvent.id == row_id)
        .values(status=status, handled_at=utcnow(), error=error[:2000])
    )
    return status


def reclaim_stale(session: Session, older_than: timedelta, now: datetime | None = None) -> int:
    """Rows left in processing by a process that died return to pending; how many."""
    cutoff = (now or utcnow()) - older_than
    return session.execute(
        update(InboxEvent)
        .where(InboxEvent.status == PROCESSING, InboxEvent.handled_at <= cutoff)
        .values(status=PENDING)
    ).rowcount


def counts(session: Session) -> dict[str, int]:
    """How many rows are in each status."""
    rows = session.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status))
    return {status: count for status, count in rows}
