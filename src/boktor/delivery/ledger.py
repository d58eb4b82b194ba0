"""Writing the per-recipient ledger when sending starts: one row per recipient, batches of at most 500.

A ledger for 300,000 people takes the better part of a second to write (several on PostgreSQL), and LINE could
have taken the first hundred batches in that time. So the ledger is written in chunks, each committed with
its batches: the first chunk with the move to "sending", the rest by the worker while it sends the first.
Each chunk takes the next recipients after a cursor (keyset on member id, up to the highest member id at the
moment sending started, so the audience is the one of that moment) and advances the cursor in the same
transaction, so a crash between chunks loses nothing and repeats nothing. An announcement is complete only
once its ledgers are complete and every batch is settled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.db import refresh_statistics, utcnow
from boktor.delivery.models import Batch, BatchStatus, Delivery, Ledger
from boktor.members.models import Member

# LINE takes at most 500 user IDs in one multicast.
BATCH_SIZE = 500
# Written with the move to "sending": 10 batches, 50 ms of LINE's time, written in a few milliseconds.
FIRST_CHUNK = 10 * BATCH_SIZE
# Written by the worker, one transaction each: 40 batches (200 ms of LINE's time) in some 50-150 ms, so the
# ledger stays ahead of the sending and no transaction holds SQLite's write lock for long.
CHUNK = 40 * BATCH_SIZE

# Who receives an announcement for a purpose: (member id, LINE user id) rows, the member id first, each member
# once (a member twice is refused by the ledger's unique key). Asked again for every chunk, so it must give the
# same people each time (bar those who blocked the account meanwhile). Chunks are ranges of member id, so the
# query must let the database walk members in id order (no DISTINCT or GROUP BY over the whole audience).
Recipients = Callable[[Announcement, str], Select]

# A ledger is not written further while its announcement is paused (it waits for quota) or cancelled.
WAITING = [AnnouncementStatus.paused, AnnouncementStatus.cancelled]


def start_delivery(
    session: Session,
    announcement: Announcement,
    purpose: str,
    recipients: Recipients,
    limit: int | None = None,
    first_chunk: int = FIRST_CHUNK,
) -> int:
    """Plan the ledger for `recipients(announcement, purpose)`, write its first chunk; return the planned size.

    Recipients are ordered by member id and cut into batches of at most 500 (keyset on member id), each with
    a retry key stored before any attempt. Calling again for the same announcement and purpose writes
    nothing. `limit` keeps only the first N recipients (sending to as many as the quota allows).
    """
    existing = session.scalar(
        select(Ledger).where(Ledger.announcement_id == announcement.id, Ledger.purpose == purpose)
    )
    if existing is not None:
        return existing.planned
    chosen = recipients(announcement, purpose).order_by(None).subquery("recipients")
    member_id = next(iter(chosen.c))
    members = select(member_id)
    if limit is not None:
        members = members.order_by(member_id).limit(max(0, limit))
    planned = session.scalar(select(func.count()).select_from(members.subquery())) or 0
    ledger = Ledger(
        announcement_id=announcement.id,
        purpose=purpose,
        planned=planned,
        at_most=limit,
        upto_member_id=session.scalar(select(func.max(Member.id))) or 0,
        cursor_member_id=0,
        written=0,
        next_seq=0,
        complete=planned == 0,
    )
    session.add(ledger)
    session.flush()
    if planned:
        _write_chunk(session, ledger, recipients(announcement, purpose), first_chunk)
    return planned


def continue_ledger(
    session: Session, recipients: Recipients, size: int = CHUNK, lead: int | None = None
) -> int | None:
    """Write the next chunk of one unfinished ledger; how many recipients it wrote (None: none to write now).

    With `lead`, a ledger that already has that many batches waiting to be sent is left for later. Ledgers of
    paused announcements wait for the resume, those of cancelled ones stay as they are. On PostgreSQL the
    ledger row is locked for the chunk, and workers skip a ledger another worker is writing.
    """
    query = _unfinished(Ledger, writable=True).order_by(Ledger.id).limit(1)
    if lead is not None:
        waiting = (
            select(func.count())
            .where(
                Batch.announcement_id == Ledger.announcement_id,
                Batch.purpose == Ledger.purpose,
                Batch.status == BatchStatus.pending,
            )
            .scalar_subquery()
        )
        query = query.where(waiting < lead)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Ledger)
    ledger = session.scalar(query)
    if ledger is None:
        return None
    announcement = session.get(Announcement, ledger.announcement_id)
    written = _write_chunk(session, ledger, recipients(announcement, ledger.purpose), size)
    if written and _ledger_unknown_to_planner(session):
        refresh_statistics(session, "deliveries")
    return written


def _ledger_unknown_to_planner(session: Session) -> bool:
    """Whether PostgreSQL's planner has never seen a ledger row (the first send of a new installation).

    It would then take every range of the ledger for one row and read each batch's recipients with 12,000
    lookups into members, where a merge join over the two keys takes half the time. Once it has seen a
    ledger, a new announcement's rows are estimated well from the earlier ones.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    seen = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'deliveries'::regclass"))
    return seen is not None and seen <= 0


def unfinished_ledgers(*, writable: bool = False) -> Select:
    """Ids of announcements whose ledger is still being written (not cancelled; `writable`: nor paused)."""
    return _unfinished(Ledger.announcement_id, writable=writable)


def _unfinished(what: Any, *, writable: bool) -> Select:
    waiting = WAITING if writable else [AnnouncementStatus.cancelled]
    return (
        select(what)
        .join(Announcement, Announcement.id == Ledger.announcement_id)
        .where(Ledger.complete.is_(False), Announcement.status.not_in(waiting))
    )


def _write_chunk(session: Session, ledger: Ledger, recipients: Select, size: int) -> int:
    """Write up to `size` more recipients after the ledger's cursor, with their batches; advance the cursor."""
    wanted = size if ledger.at_most is None else min(size, ledger.at_most - ledger.written)
    chosen = recipients.order_by(None).subquery("recipients")
    member_id = next(iter(chosen.c))
    window = (member_id > ledger.cursor_member_id) & (member_id <= ledger.upto_member_id)
    taken = (
        select(member_id.label("member_id")).where(window).order_by(member_id).limit(max(0, wanted))
    ).subquery("taken")
    # Plain integer division on both engines (SQLAlchemy's // would compare floats and defeat the index).
    n = (func.row_number().over(order_by=taken.c.member_id) - 1).self_group().op("/")(BATCH_SIZE)
    ranked = select(taken.c.member_id, n.label("n")).subquery("ranked")
    # Each batch of 500 as the first and last member id of its run: one row per batch, not per recipient.
    runs = session.execute(
        select(func.min(ranked.c.member_id), func.max(ranked.c.member_id), func.count())
        .group_by(ranked.c.n)
        .order_by(ranked.c.n)
    ).all()
    count = sum(run[2] for run in runs)
    last = runs[-1][1] if runs else None
    if count:
        _insert(session, ledger, chosen, member_id, runs)
    reached = ledger.at_most is not None and ledger.written + count >= ledger.at_most
    complete = count < wanted or reached or (count > 0 and last >= ledger.upto_member_id)
    session.execute(
        update(Ledger)
        .where(Ledger.id == ledger.id)
        .values(
            cursor_member_id=last if count else ledger.upto_member_id,
            written=Ledger.written + count,
            next_seq=Ledger.next_seq + len(runs),
            complete=complete,
            completed_at=utcnow() if complete else None,
        )
    )
    session.refresh(ledger)
    return count


def _insert(session: Session, ledger: Ledger, chosen, member_id, runs: list) -> None:
    """The batches of the runs (first, last, count) after the cursor, and one ledger row for each recipient."""
    first_seq = ledger.next_seq
    created = session.execute(
        insert(Batch).returning(Batch.id, Batch.seq, sort_by_parameter_order=True),
        [
            {
                "announcement_id": ledger.announcement_id,
                "purpose": ledger.purpose,
                "seq": first_seq + n,
                "retry_key": str(uuid.uuid4()),
                "status": BatchStatus.pending,
                "recipients": recipients,
                "first_member_id": first,
                "last_member_id": last,
                "attempts": 0,
            }
            for n, (first, last, recipients) in enumerate(runs)
        ],
    ).all()
    members = (
        select(member_id.label("member_id"))
        .where(member_id > ledger.cursor_member_id, member_id <= runs[-1][1])
        .subquery("chosen")
    )
    local = (func.row_number().over(order_by=members.c.member_id) - 1).self_group().op("/")(BATCH_SIZE)
    ranked = select(members.c.member_id, local.label("n")).subquery("ranked")
    first_id = created[0].id
    if all(row.id == first_id + row.seq - first_seq for row in created):
        # The usual case: batch ids follow their seq, so each recipient's batch is simple arithmetic.
        rows = select(
            literal(ledger.announcement_id),
            literal(ledger.purpose),
            ranked.c.member_id,
            ranked.c.n + first_id,
        )
    else:
        rows = (
            select(literal(ledger.announcement_id), literal(ledger.purpose), ranked.c.member_id, Batch.id)
            .select_from(ranked)
            .join(
                Batch,
                (Batch.announcement_id == ledger.announcement_id)
                & (Batch.purpose == ledger.purpose)
                & (Batch.seq == ranked.c.n + first_seq),
            )
        )
    session.execute(
        insert(Delivery).from_select(["announcement_id", "purpose", "member_id", "batch_id"], rows)
    )


def settled_ledger(
    session: Session,
    announcement_id: int,
    purpose: str,
    member_ids: list[int],
    status: str = BatchStatus.sent,
) -> None:
    """A ledger as the worker leaves it once LINE has answered every batch (for demo data and tests)."""
    members = sorted(member_ids)
    seq = session.scalar(
        select(func.count()).where(Batch.announcement_id == announcement_id, Batch.purpose == purpose)
    )
    for start in range(0, len(members), BATCH_SIZE):
        run = members[start : start + BATCH_SIZE]
        batch = Batch(
            announcement_id=announcement_id,
            purpose=purpose,
            seq=seq,
            retry_key=str(uuid.uuid4()),
            status=status,
            recipients=len(run),
            first_member_id=run[0],
            last_member_id=run[-1],
            attempts=1,
            sent_at=utcnow() if status == BatchStatus.sent else None,
        )
        session.add(batch)
        session.flush()
        seq += 1
        session.execute(
            insert(Delivery),
            [
                {"announcement_id": announcement_id, "purpose": purpose, "member_id": m, "batch_id": batch.id}
                for m in run
            ],
        )
