"""How far the delivery of an announcement has got, per purpose, from the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.delivery.models import Batch, BatchStatus, Delivery, Ledger


def delivered(announcement_id: int) -> ColumnElement[bool]:
    """SQL condition on `Delivery` rows of the announcement: LINE accepted their batch, and they were not skipped.

    A recipient's outcome is their batch's; the few hundred batch ids of one announcement make a small set.
    """
    sent = select(Batch.id).where(Batch.announcement_id == announcement_id, Batch.status == BatchStatus.sent)
    return Delivery.batch_id.in_(sent) & Delivery.skipped.is_(False)


def pending_recipients(session: Session, announcement_id: int | None = None) -> int:
    """Recipients still to be sent to (of one announcement, or of all not cancelled): in batches not yet
    settled, or planned and not yet written."""
    in_batches = select(func.sum(Batch.recipients)).where(Batch.status == BatchStatus.pending)
    unwritten = select(func.sum(Ledger.planned - Ledger.written)).where(Ledger.complete.is_(False))
    if announcement_id is not None:
        in_batches = in_batches.where(Batch.announcement_id == announcement_id)
        unwritten = unwritten.where(Ledger.announcement_id == announcement_id)
    else:
        cancelled = select(Announcement.id).where(Announcement.status == AnnouncementStatus.cancelled)
        in_batches = in_batches.where(Batch.announcement_id.not_in(cancelled))
        unwritten = unwritten.where(Ledger.announcement_id.not_in(cancelled))
    return (session.scalar(in_batches) or 0) + max(0, session.scalar(unwritten) or 0)


def delivery_counts(session: Session, announcement_id: int) -> dict[str, dict[str, Any]]:
    """Per purpose: targeted, sent, pending, failed, skipped (blocked at send time), LINE's errors, batches."""
    counts: dict[str, dict[str, Any]] = {}

    def entry(purpose: str) -> dict[str, Any]:
        return counts.setdefault(
            purpose,
            {
                "targeted": 0,
                "sent": 0,
                "pending": 0,
                "failed": 0,
                "skipped": 0,
                "errors": [],
                "batches_done": 0,
                "batches_failed": 0,
                "batches_total": 0,
            },
        )

    # A recipient's outcome is their batch's: the counts come from the batches, less those skipped.
    batches = session.execute(
        select(Batch.purpose, Batch.status, func.count(), func.sum(Batch.recipients))
        .where(Batch.announcement_id == announcement_id)
        .group_by(Batch.purpose, Batch.status)
    )
    for purpose, status, number, recipients in batches:
        row = entry(purpose)
        row["batches_total"] += number
        row["targeted"] += recipients or 0
        if status in (BatchStatus.pending, BatchStatus.sent, BatchStatus.failed):
            row[status] += recipients or 0
        if status == BatchStatus.sent:
            row["batches_done"] += number
        elif status == BatchStatus.failed:
            row["batches_done"] += number
            row["batches_failed"] += number

    skipped = session.execute(
        select(Delivery.purpose, Batch.status, func.count())
        .join(Batch, Batch.id == Delivery.batch_id)
        .where(Delivery.announcement_id == announcement_id, Delivery.skipped)
        .group_by(Delivery.purpose, Batch.status)
    )
    for purpose, status, number in skipped:
        row = entry(purpose)
        row["skipped"] += number
        if status in (BatchStatus.pending, BatchStatus.sent, BatchStatus.failed):
            row[status] -= number

    # Recipients planned but not yet written (the worker writes a large ledger while it sends) are pending.
    unwritten = session.execute(
        select(Ledger.purpose, Ledger.planned - Ledger.written).where(
            Ledger.announcement_id == announcement_id, Ledger.complete.is_(False)
        )
    )
    for purpose, number in unwritten:
        row = entry(purpose)
        row["targeted"] += max(0, number)
        row["pending"] += max(0, number)

    errors = session.execute(
        select(Batch.purpose, Batch.error)
        .where(Batch.announcement_id == announcement_id, Batch.status == BatchStatus.failed)
        .distinct()
    )
    for purpose, error in errors:
        if error:
            entry(purpose)["errors"].append(error)
    return counts
