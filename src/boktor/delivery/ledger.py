"""Writing the per-recipient ledger when sending starts: one row per recipient, batches of at most 500."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement
from boktor.delivery.models import Batch, BatchStatus, Delivery

# LINE takes at most 500 user IDs in one multicast.
BATCH_SIZE = 500


def start_delivery(
    session: Session, announcement: Announcement, purpose: str, recipients: Select, limit: int | None = None
) -> int:
    """Write the ledger for the (member id, LINE user id) rows `recipients` selects; return its size.

    Recipients are ordered by member id and cut into batches of at most 500 (keyset on member id), each with
    a retry key stored now, before any attempt. Calling again for the same announcement and purpose writes
    nothing. `limit` keeps only the first N recipients (sending to as many as the quota allows).
    """
    existing = _ledger_size(session, announcement.id, purpose)
    if existing is not None:
        return existing

    chosen = recipients.subquery("recipients")
    member_id = next(iter(chosen.c))
    members = select(member_id.label("member_id")).distinct().order_by(member_id)
    if limit is not None:
        members = members.limit(max(0, limit))
    members = members.subquery("chosen")
    count = session.scalar(select(func.count()).select_from(members)) or 0
    if count == 0:
        return 0

    batches = -(-count // BATCH_SIZE)
    created = session.execute(
        insert(Batch).returning(Batch.id, Batch.seq, sort_by_parameter_order=True),
        [
            {
                "announcement_id": announcement.id,
                "purpose": purpose,
                "seq": seq,
                "retry_key": str(uuid.uuid4()),
                "status": BatchStatus.pending,
                "recipients": min(BATCH_SIZE, count - seq * BATCH_SIZE),
                "attempts": 0,
            }
            for seq in range(batches)
        ],
    ).all()
    # Plain integer division on both engines (SQLAlchemy's // would compare floats and defeat the index).
    seq = (func.row_number().over(order_by=members.c.member_id) - 1).self_group().op("/")(BATCH_SIZE)
    ranked = select(members.c.member_id, seq.label("seq")).subquery("ranked")
    first_id = created[0].id
    if all(row.id == first_id + row.seq for row in created):
        # The usual case: batch ids follow their seq, so each recipient's batch is simple arithmetic.
        rows = select(
            literal(announcement.id),
            literal(purpose),
            ranked.c.member_id,
            ranked.c.seq + first_id,
            literal("pending"),
        )
    else:
        rows = (
            select(
                literal(announcement.id), literal(purpose), ranked.c.member_id, Batch.id, literal("pending")
            )
            .select_from(ranked)
            .join(
                Batch,
                (Batch.announcement_id == announcement.id)
                & (Batch.purpose == purpose)
                & (Batch.seq == ranked.c.seq),
            )
        )
    session.execute(
        insert(Delivery).from_select(["announcement_id", "purpose", "member_id", "batch_id", "status"], rows)
    )
    return count


def _ledger_size(session: Session, announcement_id: int, purpose: str) -> int | None:
    """The size of an existing ledger for this announcement and purpose, or None if there is none."""
    started = session.scalar(
        select(func.count())
        .select_from(Batch)
        .where(Batch.announcement_id == announcement_id, Batch.purpose == purpose)
    )
    if not started:
        return None
    return session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.announcement_id == announcement_id, Delivery.purpose == purpose)
    )
