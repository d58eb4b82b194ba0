"""Members (people who follow the account), rosters of expected personnel, and invites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from boktor.db import Base, utcnow


class MemberStatus(StrEnum):
    follower = "follower"  # has added the account and not blocked it
    blocked = "blocked"  # unfollowed: kept, never sent to
    imported = "imported"  # known from an import, not yet seen following


class JoinedVia(StrEnum):
    search = "search"  # LINE ID or QR code of the account itself
    invite = "invite"  # a personal invite
    district = "district"  # a district poster
    organisation = "organisation"  # an organisation's invite
    imported = "imported"


class Member(Base):
    """A person who has joined (or is known to have joined) the Official Account."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(33), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=MemberStatus.follower, index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(200))

    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    personnel_type_id: Mapped[int | None] = mapped_column(ForeignKey("personnel_types.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    position_text: Mapped[str | None] = mapped_column(String(200))

    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(6), index=True)
    village_no: Mapped[int | None]

    # Optional, normalised to 10 digits (0XXXXXXXXX); kept only because the member gave it.
    phone: Mapped[str | None] = mapped_column(String(10), index=True)
    message_frequency: Mapped[str | None] = mapped_column(String(30))

    consent_version: Mapped[str | None] = mapped_column(String(40))
    consented_at: Mapped[datetime | None]
    surveyed_at: Mapped[datetime | None] = mapped_column(index=True)

    joined_via: Mapped[str] = mapped_column(String(20), default=JoinedVia.search)
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id"))
    followed_at: Mapped[datetime | None] = mapped_column(index=True)
    unfollowed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    topics: Mapped[list[MemberTopic]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        # Audience counts (announcements/audience.py): covering, so counting by organisation, personnel
        # type or join date reads the index alone instead of 300,000 rows (migration 0006).
        Index(
            "ix_members_audience",
            "organisation_id",
            "personnel_type_id",
            "status",
            "province_code",
            "district_code",
            "position_id",
            "surveyed_at",
            "followed_at",
            "created_at",
        ),
    )

    @property
    def topic_codes(self) -> list[str]:
        return sorted(t.topic_code for t in self.topics)


class MemberTopic(Base):
    """An information topic a member asked for (one row each, so audiences can filter by index)."""

    __tablename__ = "member_topics"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    topic_code: Mapped[str] = mapped_column(String(40), primary_key=True)

    member: Mapped[Member] = relationship(back_populates="topics")

    __table_args__ = (Index("ix_member_topics_topic_member", "topic_code", "member_id"),)


class Invite(Base):
    """A join link and QR code, for one person, one district or one organisation."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # person | district | organisation
    label: Mapped[str] = mapped_column(String(200), default="")
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Roster(Base):
    """One uploaded list of the personnel an office expects to join."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_count: Mapped[int] = mapped_column(default=0)
    # Uploading the list again under the same name and scope replaces its entries as a new version.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RosterEntry(Base):
    """One expected person; `member_id` is set once they are matched to a member."""

    __tablename__ = "roster_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(200))
    # The name without titles and spaces, for matching.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    personnel_type_id: Mapped[int | None] = mapped_column(ForeignKey("personnel_types.id"))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    position_text: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(6))
    village_no: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(10), index=True)
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id"), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    match_method: Mapped[str | None] = mapped_column(String(20))  # invite | phone | name_area
    matched_at: Mapped[datetime | None]

    __table_args__ = (
        # Coverage (reports/coverage.py): a follower's entry and its area from the index alone (migration 0003).
        Index(
            "ix_roster_entries_member_area",
            "member_id",
            "province_code",
            "district_code",
            "subdistrict_code",
            "organisation_id",
        ),
    )


def update_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Update roster entries in bulk, each row by its "id"; entries already loaded read the new values."""
    if not rows:
        return
    session.execute(update(RosterEntry), rows)
    # A bulk update by key bypasses loaded objects; expire what it changed so that they read it again.
    changed = {row["id"] for row in rows}
    columns = {column for row in rows for column in row if column != "id"}
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, RosterEntry) and loaded.id in changed:
            session.expire(loaded, columns)
