"""Builders for the people tests talk about: rosters of expected personnel and members who joined."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.members.models import Member, MemberStatus, Roster, RosterEntry
from boktor.members.names import name_key
from boktor.org.models import Organisation

_ids = itertools.count(1)


def organisation_id(session: Session, code: str) -> int:
    return session.scalar(select(Organisation.id).where(Organisation.code == code))


def roster(session: Session, name: str = "บัญชีรายชื่อ", province: str | None = "57", **fields) -> Roster:
    """An uploaded roster (the office's list), empty until entries are added."""
    row = Roster(name=name, province_code=province, **fields)
    session.add(row)
    session.flush()
    return row


def entry(
    session: Session,
    roster: Roster,
    full_name: str,
    *,
    province: str | None = "57",
    district: str | None = None,
    subdistrict: str | None = None,
    phone: str | None = None,
    organisation: str | None = None,
    position: str | None = None,
) -> RosterEntry:
    """One expected person on `roster`, as the roster import would store them."""
    line_no = (roster.row_count or 0) + 2
    roster.row_count = (roster.row_count or 0) + 1
    row = RosterEntry(
        roster_id=roster.id,
        line_no=line_no,
        full_name=full_name,
        name_key=name_key(full_name),
        province_code=province,
        district_code=district,
        subdistrict_code=subdistrict,
        phone=phone,
        organisation_id=organisation_id(session, organisation) if organisation else None,
        position_text=position,
    )
    session.add(row)
    session.flush()
    return row


def member(
    session: Session,
    full_name: str | None = None,
    *,
    province: str | None = "57",
    district: str | None = None,
    subdistrict: str | None = None,
    phone: str | None = None,
    organisation: str | None = None,
    status: str = MemberStatus.follower,
    surveyed: bool = False,
) -> Member:
    """A member who followed the account (and answered the survey if `surveyed`)."""
    row = Member(
        line_user_id=f"U{next(_ids):032x}",
        full_name=full_name,
        display_name=full_name,
        province_code=province,
        district_code=district,
        subdistrict_code=subdistrict,
        phone=phone,
        organisation_id=organisation_id(session, organisation) if organisation else None,
        status=status,
        followed_at=utcnow(),
        surveyed_at=utcnow() if surveyed else None,
    )
    session.add(row)
    session.flush()
    return row
