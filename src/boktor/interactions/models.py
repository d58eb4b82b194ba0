"""The webhook inbox: every LINE event is stored here first, under its webhookEventId."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base, utcnow


class InboxEvent(Base):
    __tablename__ = "inbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # LINE can deliver one event more than once; the unique key makes the second a no-op.
    webhook_event_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    line_user_id: Mapped[str | None] = mapped_column(String(40), index=True)
    payload: Mapped[dict] = mapped_column(default=dict)
    is_redelivery: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    handled_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
