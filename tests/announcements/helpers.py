"""Building members, users and announcements for the announcement tests, as the real features store them."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.accounts.service import create_user
from boktor.announcements.models import Announcement
from boktor.db import utcnow
from boktor.members.models import Member, MemberStatus, MemberTopic
from boktor.org.models import Organisation, PersonnelType, Position

_serial = itertools.count(1)


def line_user_id(number: int | None = None) -> str:
    """A LINE-shaped user ID ("U" and 32 hex digits)."""
    return f"U{(number if number is not None else next(_serial)):032x}"


def _id(session: Session, model, code: str | None) -> int | None:
    if code is None:
        return None
    return session.scalar(select(model.id).where(model.code == code))


def add_member(
    session: Session,
    *,
    user_id: str | None = None,
    organisation: str | None = "cdd",
    personnel_type: str | None = "civil_servant",
    position: str | None = None,
    province: str | None = "57",
    district: str | None = "5709",
    subdistrict: str | None = None,
    topics: tuple[str, ...] = (),
    status: str = MemberStatus.follower,
    surveyed: bool = True,
    followed_at: datetime | None = None,
) -> Member:
    """One member as the sign-up survey leaves them (follower, surveyed) unless told otherwise."""
    member = Member(
        line_user_id=user_id or line_user_id(),
        status=status,
        organisation_id=_id(session, Organisation, organisation),
        personnel_type_id=_id(session, PersonnelType, personnel_type),
        position_id=_id(session, Position, position),
        province_code=province,
        district_code=district,
        subdistrict_code=subdistrict,
        surveyed_at=utcnow() if surveyed else None,
        followed_at=followed_at or utcnow(),
    )
    member.topics = [MemberTopic(topic_code=code) for code in topics]
    session.add(member)
    session.flush()
    return member


def add_user(session: Session, username: str, *roles: str) -> AdminUser:
    """A console/API user with these roles."""
    return create_user(session, username, list(roles))


def add_announcement(session: Session, **fields) -> Announcement:
    """An announcement row with sensible Thai content (fields override)."""
    values = {
        "title": "ขอเชิญร่วมกิจกรรมวันดินโลก",
        "body": "ขอให้ทุกอำเภอประชาสัมพันธ์กิจกรรมวันดินโลกแก่ประชาชนในพื้นที่",
        "category": "news",
        "audience": {},
    } | fields
    announcement = Announcement(**values)
    session.add(announcement)
    session.flush()
    return announcement
