"""People who use Boktor's console and API: communicators, approvers, offices, operators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base, utcnow


class AdminUser(Base):
    """A console or API user; roles say what they may do, the scope which members they see."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Any of: communicator, approver, office, operator.
    roles: Mapped[list] = mapped_column(default=list)
    # Empty scope = the whole ministry; otherwise a province, a district or an organisation.
    scope_province_code: Mapped[str | None] = mapped_column(String(2))
    scope_district_code: Mapped[str | None] = mapped_column(String(4))
    scope_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # SHA-256 of the API token; the token itself is shown once and never stored.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
