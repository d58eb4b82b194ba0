"""Survey forms (XLSForm, versioned) and members' responses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boktor.db import Base, utcnow


class SurveyForm(Base):
    """One version of a sign-up form, parsed from XLSForm into `definition`."""

    __tablename__ = "survey_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict] = mapped_column(default=dict)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=False, index=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("form_id", "version"),)


class SurveyResponse(Base):
    """A member's answers to one version of a form; a member who answers again adds a row."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("survey_forms.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    answers: Mapped[dict] = mapped_column(default=dict)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
