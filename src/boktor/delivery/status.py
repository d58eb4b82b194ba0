"""How far the delivery of an announcement has got, per purpose, from the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.delivery.models import Batch, BatchStatus, Delivery, Ledger


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

    ledger = session.execute(
        select(Delivery.purpose, Delivery.status, func.count())
        .where(Delivery.announcement_id == announcement_id)
        .group_by(Delivery.purpose, Delivery.status)
    )
    for purpose, status, number in ledger:
        row = entry(purpose)
        row["targeted"] += number
        if status in ("sent", "pending", "failed", "skipped"):
            row[status] += number

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

    batches = session.execute(
        select(Batch.purpose, Batch.status, func.count())
        .where(Batch.announcement_id == announcement_id)
        .group_by(Batch.purpose, Batch.status)
    )
    for purpose, status, number in batches:
        row = entry(purpose)
        row["batches_total"] += number
        if status == BatchStatus.sent:
            row["batches_done"] += number
        elif status == BatchStatus.failed:
            row["batches_done"] += number
            row["batches_failed"] += number

    errors = session.execute(
        select(Batch.purpose, Batch.error)
        .where(Batch.announcement_id == announcement_id, Batch.status == BatchStatus.failed)
        .distinct()
    )
    for purpose, error in errors:
        if error:
            entry(purpose)["errors"].append(error)
    return counts
