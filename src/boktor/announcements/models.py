"""Announcements, and what members did with them (acknowledged, passed on)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base, utcnow


class AnnouncementStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    scheduled = "scheduled"
    sending = "sending"
    paused = "paused"
    completed = "completed"
    cancelled = "cancelled"


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    link_url: Mapped[str | None] = mapped_column(String(2000))
    ack_deadline: Mapped[datetime | None]
    # A structured audience filter (see announcements/audience.py), never SQL.
    audience: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default=AnnouncementStatus.draft, index=True)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    # Why an approver sent it back to draft; cleared when it is submitted again.
    return_reason: Mapped[str | None] = mapped_column(Text)
    # Send to as many as the monthly quota allows instead of refusing to start.
    allow_partial: Mapped[bool] = mapped_column(default=False)
    # LINE's customAggregationUnits name, so LINE's own statistics can be read per announcement.
    aggregation_unit: Mapped[str | None] = mapped_column(String(30))
    targeted: Mapped[int | None]

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    scheduled_at: Mapped[datetime | None] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]


class Acknowledgement(Base):
    """A member tapped "รับทราบ" (kind ack) or "บอกต่อแล้ว" (kind relay); once per kind."""

    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # ack | relay
    # For relays: roughly how many citizens were told ("1-10", "11-50", "50+").
    reach: Mapped[str | None] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("announcement_id", "member_id", "kind"),)
