"""Builders for the people tests talk about: rosters of expected personnel and members who joined."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement
from boktor.announcements.reactions import handle_postback
from boktor.db import utcnow
from boktor.delivery.ledger import settled_ledger
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
    position: str | None = None,
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
        position_text=position,
        status=status,
        followed_at=utcnow(),
        surveyed_at=utcnow() if surveyed else None,
    )
    session.add(row)
    session.flush()
    return row


def link(row: RosterEntry, to: Member) -> None:
    """Record that the entry was matched to the member (as matching would)."""
    row.member_id, row.match_method, row.matched_at = to.id, "phone", utcnow()


def chiang_rai_network(session: Session) -> dict[str, RosterEntry]:
    """A small network with known figures; the figures tests expect are in the docstrings of the tests.

    จ.เชียงราย (57): อ.แม่สาย (5709) expects 4 — two joined (one answered the survey), one left the
    account, one never came — plus one follower who is on no roster; อ.เมืองเชียงราย (5701) expects 2
    (กรมการพัฒนาชุมชน), one joined and answered; one more expected person has no district.
    จ.เชียงใหม่ (50) expects 1, who joined and answered, and has one follower on no roster.
    """
    office = roster(session, "บุคลากรจังหวัดเชียงราย")
    people = {
        "somchai": entry(session, office, "นายสมชาย ใจดี", district="5709", subdistrict="570901",
                         organisation="cdd", position="พัฒนาการอำเภอ", phone="0811111111"),
        "somying": entry(session, office, "นางสมหญิง ศรีสุข", district="5709", subdistrict="570901"),
        "boonmee": entry(session, office, "นายบุญมี คำแสน", district="5709", subdistrict="570902"),
        "malee": entry(session, office, "นางมาลี ทองมา", district="5709", phone="0899999999"),
        "prasert": entry(session, office, "นายประเสริฐ วงศ์ใหญ่", district="5701", organisation="cdd"),
        "wilai": entry(session, office, "นางวิไล แสงจันทร์", district="5701", organisation="cdd"),
        "thongkham": entry(session, office, "นายทองคำ ปัญญาดี", district=None),
    }  # fmt: skip
    link(people["somchai"], member(session, "สมชาย ใจดี", district="5709", organisation="cdd", surveyed=True))
    link(people["somying"], member(session, "สมหญิง ศรีสุข", district="5709"))
    link(people["boonmee"], member(session, "บุญมี คำแสน", district="5709", status="blocked", surveyed=True))
    link(
        people["prasert"],
        member(session, "ประเสริฐ วงศ์ใหญ่", district="5701", organisation="cdd", surveyed=True),
    )
    member(session, "สุรชัย อินทร์แก้ว", district="5709")  # joined by the district poster, on no roster
    member(session, "อำไพ ทองมา", district="5709", status="blocked")  # left, on no roster: not counted

    chiang_mai = roster(session, "บุคลากรจังหวัดเชียงใหม่", province="50")
    people["chiangmai"] = entry(session, chiang_mai, "นางจันทร์เพ็ญ คำดี", province="50", district="5001")
    link(people["chiangmai"], member(session, "จันทร์เพ็ญ คำดี", province="50", district="5001", surveyed=True))
    member(session, "มานพ ดีใจ", province="50", district="5001")
    session.flush()
    return people


def members_by_name(session: Session) -> dict[str, Member]:
    """Every member, by the full name the builders gave them."""
    return {row.full_name: row for row in session.scalars(select(Member))}


def announcement(
    session: Session, title: str, *, sent_days_ago: float | None, deadline_in_days: float | None = None
) -> Announcement:
    """An announcement whose sending started `sent_days_ago` (None: never sent), with an optional deadline."""
    now = utcnow()
    sent = now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    row = Announcement(
        title=title,
        body=f"{title}: ขอให้ทุกอำเภอดำเนินการ",
        category="directive",
        audience={},
        status="completed" if sent else "draft",
        started_at=sent,
        completed_at=sent,
        ack_deadline=now + timedelta(days=deadline_in_days) if deadline_in_days is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def deliver(
    session: Session,
    to: Announcement,
    members: list[Member],
    *,
    purpose: str = "announcement",
    status: str = "sent",
) -> None:
    """The ledger rows the delivery worker leaves once it has sent `to` (or a reminder) to `members`."""
    settled_ledger(session, to.id, purpose, [m.id for m in members], status)


def tap(session: Session, who: Member, on: Announcement, action: str = "ack") -> None:
    """The member taps a button of the card ("ack" = รับทราบ, "relay" = บอกต่อแล้ว), handled as the webhook does."""
    handle_postback(session, who, {"action": action, "a": str(on.id)})
    session.flush()


def acknowledging_network(session: Session) -> dict[str, Announcement]:
    """The Chiang Rai network (above) with three announcements and what its members did with them.

    "flood" was sent 3 days ago (deadline passed yesterday) to สมชาย, สมหญิง, ประเสริฐ, สุรชัย (on no roster)
    and บุญมี (who left the account since) in จ.เชียงราย and to จันทร์เพ็ญ in เชียงใหม่; sending to มานพ failed.
    สมหญิง and ประเสริฐ were reminded once. สมชาย, สุรชัย, บุญมี and จันทร์เพ็ญ acknowledged it; ประเสริฐ
    only said he passed it on, and สุรชัย passed it on too. "soil" was sent 45 days ago: only สมหญิง
    acknowledged it. "draft" was never sent.
    """
    chiang_rai_network(session)
    people = members_by_name(session)
    somchai, somying, prasert = people["สมชาย ใจดี"], people["สมหญิง ศรีสุข"], people["ประเสริฐ วงศ์ใหญ่"]
    surachai, boonmee = people["สุรชัย อินทร์แก้ว"], people["บุญมี คำแสน"]
    chanpen, manop = people["จันทร์เพ็ญ คำดี"], people["มานพ ดีใจ"]
    prasert.position_text = "นักวิชาการพัฒนาชุมชน"

    flood = announcement(session, "เตรียมรับมืออุทกภัย", sent_days_ago=3, deadline_in_days=-1)
    deliver(session, flood, [somchai, somying, prasert, surachai, boonmee, chanpen])
    deliver(session, flood, [manop], status="failed")
    deliver(session, flood, [somying, prasert], purpose="reminder-1")
    for member in (somchai, surachai, boonmee, chanpen):
        tap(session, member, flood, "ack")
    tap(session, prasert, flood, "relay")
    tap(session, surachai, flood, "relay")

    soil = announcement(session, "วันดินโลก", sent_days_ago=45)
    deliver(session, soil, [somchai, somying, prasert])
    tap(session, somying, soil, "ack")
    return {"flood": flood, "soil": soil, "draft": announcement(session, "ร่าง", sent_days_ago=None)}
