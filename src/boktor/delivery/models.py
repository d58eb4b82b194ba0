"""The delivery ledger: one row per recipient, batches of at most 500, one row per attempt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base, utcnow


class BatchStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class Batch(Base):
    """Up to 500 recipients sent in one multicast, always with the same retry key."""

    __tablename__ = "delivery_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    # "announcement" for the announcement itself, "reminder-N" for the Nth reminder.
    purpose: Mapped[str] = mapped_column(String(20), default="announcement")
    seq: Mapped[int]
    # Stored before the first attempt and reused on every retry: LINE answers 409 to a repeat.
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.pending)
    recipients: Mapped[int] = mapped_column(default=0)
    # Its recipients: the ledger rows of its announcement and purpose with a member id in this range. A batch
    # is a run of consecutive recipients (keyset on member id), so the range names it exactly.
    first_member_id: Mapped[int]
    last_member_id: Mapped[int]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    line_request_id: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("announcement_id", "purpose", "seq"),
        Index("ix_delivery_batches_status_announcement", "status", "announcement_id"),
    )


class Delivery(Base):
    """One recipient of one announcement (or reminder): the per-recipient ledger.

    What became of a recipient is what became of their batch (sent, failed or still pending), unless they had
    blocked the account by the time it went (`skipped`). Rows are written once and, but for those skipped,
    never updated: marking 300,000 rows sent one batch at a time cost the database more than writing them.
    Keyed by (announcement, purpose, member), with no surrogate id, no foreign keys and no index on the batch:
    the ledger is written 300,000 rows at a time while LINE waits, and every index and check per row is paid
    then (the foreign keys had been 3 of the 5.4 s for 300,000 on PostgreSQL). A batch finds its rows by its
    member id range, through the key.
    """

    __tablename__ = "deliveries"

    announcement_id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), primary_key=True, default="announcement")
    member_id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None]
    # Blocked the account after the ledger was written and before the batch went: not sent to.
    skipped: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        # Only the few skipped rows are in it: the status counts them without reading the whole ledger.
        Index(
            "ix_deliveries_skipped",
            "announcement_id",
            postgresql_where=text("skipped"),
            sqlite_where=text("skipped = 1"),
        ),
    )


class Ledger(Base):
    """How far the ledger of one announcement and purpose is written: it is written in committed chunks."""

    __tablename__ = "delivery_ledgers"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    # Recipients counted when sending started (the limit applied), and the most that will be written.
    planned: Mapped[int]
    at_most: Mapped[int | None]
    # The audience is the one of the moment sending started: members who join later are not in it.
    upto_member_id: Mapped[int]
    # Every recipient up to this member id is written.
    cursor_member_id: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)
    next_seq: Mapped[int] = mapped_column(default=0)
    complete: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("announcement_id", "purpose"),
        Index("ix_delivery_ledgers_unfinished", "complete", "announcement_id"),
    )


class DeliveryAttempt(Base):
    """One request to LINE for one batch, whatever came of it."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("delivery_batches.id"), index=True)
    attempt_no: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # accepted | already_accepted | retry | rate_limited | quota_exhausted | rejected
    outcome: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None]
    line_request_id: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str | None] = mapped_column(Text)


class DeliveryWorker(Base):
    """A running worker's heartbeat: live workers share LINE's rate, a silent one's batches are taken over."""

    __tablename__ = "delivery_workers"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
