"""The organisation catalogue: organisations, personnel types, positions and information topics."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base


class Organisation(Base):
    """A department, state enterprise, kind of local government, or group of local leaders."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    short_name_th: Mapped[str | None] = mapped_column(String(60))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # department | state_enterprise | local_government | local_leader | other
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sort_order: Mapped[int] = mapped_column(default=0)


class PersonnelType(Base):
    """ข้าราชการ, พนักงานราชการ, ลูกจ้าง, ..."""

    __tablename__ = "personnel_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)


class Position(Base):
    """A common position (พัฒนาการอำเภอ, นายก อบต., ...); members may also write their own."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    # The kind of organisation this position belongs to, when it is specific to one.
    organisation_kind: Mapped[str | None] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)


class InformationTopic(Base):
    """A kind of information members can ask for in the survey and announcements can be about."""

    __tablename__ = "information_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
