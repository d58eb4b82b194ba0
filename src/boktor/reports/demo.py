"""Demo rosters for จ.เชียงราย: the expected personnel, so the demo shows coverage, the missing and invites;
and an announcement sent a week ago that most have acknowledged, so it shows who is acknowledging and who
has not."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.announcements.reactions import record
from boktor.db import utcnow
from boktor.delivery.ledger import settled_ledger
from boktor.members.invites import district_invites, ensure_person_invites
from boktor.members.models import Member, MemberStatus, Roster, RosterEntry
from boktor.members.names import name_key
from boktor.org import areas

ROSTER_NAME = "บุคลากรที่คาดว่าจะเข้าร่วม จ.เชียงราย (ข้อมูลตัวอย่าง)"
# People the office expects who have no virtual phone: they stay on the missing list.
NEVER_JOINED = ["นายอนุชา แก้วมณี", "นางสาวกัลยา ธรรมวงศ์", "นายวีระ สุขประเสริฐ", "นางพรทิพย์ บุญเรือง"]
EARLIER_TITLE = "ขอความร่วมมือสำรวจพื้นที่เสี่ยงอุทกภัย (ตัวอย่าง)"
EARLIER_BODY = "ขอให้ทุกอำเภอสำรวจพื้นที่เสี่ยงอุทกภัยในหมู่บ้าน และรายงานผลให้จังหวัดทราบภายในวันที่กำหนด"


def seed_coverage_demo(session: Session, phones_file: Path) -> list[str]:
    """Give the demo a roster that matches its members, district posters and personal invites (idempotent)."""
    if session.scalar(select(Roster.id).where(Roster.name == ROSTER_NAME)):
        return []
    rng = random.Random(5709)
    roster = Roster(name=ROSTER_NAME, province_code="57")
    session.add(roster)
    session.flush()
    members = {m.line_user_id: m for m in session.scalars(select(Member).where(Member.province_code == "57"))}
    phones = json.loads(phones_file.read_text(encoding="utf-8")) if phones_file.exists() else []
    entries: list[RosterEntry] = []
    for phone in phones:
        member = members.get(phone["userId"])
        # Joined members are expected in their own district; those who have not joined yet are expected in
        # the province, so that whichever district they give in the survey, their name matches.
        entries.append(
            RosterEntry(
                roster_id=roster.id,
                full_name=phone["displayName"],
                name_key=name_key(phone["displayName"]),
                province_code="57",
                district_code=member.district_code if member else None,
                subdistrict_code=member.subdistrict_code if member else None,
                organisation_id=member.organisation_id if member else None,
                member_id=member.id if member else None,
                match_method="name_area" if member else None,
                matched_at=utcnow() if member else None,
            )
        )
    districts = areas.districts("57")
    for full_name in NEVER_JOINED:
        entries.append(
            RosterEntry(
                roster_id=roster.id,
                full_name=full_name,
                name_key=name_key(full_name),
                province_code="57",
                district_code=rng.choice(districts).code,
            )
        )
    for line_no, entry in enumerate(entries, start=2):
        entry.line_no = line_no
    session.add_all(entries)
    roster.row_count = len(entries)
    session.flush()
    invited = ensure_person_invites(session, roster.id)
    posters = district_invites(session, "57")
    joined = sum(1 for e in entries if e.member_id)
    return [
        f"Roster: {len(entries)} people expected in จ.เชียงราย, {joined} matched to members; "
        f"{invited} personal invites and {len(posters)} district posters (boktor report coverage --province 57).",
        *seed_earlier_announcement(session),
    ]


def seed_earlier_announcement(session: Session) -> list[str]:
    """An announcement sent to every demo member a week ago, past its deadline: two in three acknowledged it,
    one in four passed it on, the rest are for an office to chase (idempotent)."""
    if session.scalar(select(Announcement.id).where(Announcement.title == EARLIER_TITLE)):
        return []
    members = list(
        session.scalars(
            select(Member)
            .where(Member.province_code == "57", Member.status == MemberStatus.follower)
            .order_by(Member.id)
        )
    )
    if not members:
        return []
    sent = utcnow() - timedelta(days=7)
    announcement = Announcement(
        title=EARLIER_TITLE, body=EARLIER_BODY, category="directive", audience={"provinces": ["57"]},
        status=AnnouncementStatus.completed, targeted=len(members), created_at=sent - timedelta(hours=2),
        submitted_at=sent - timedelta(hours=1), approved_at=sent, started_at=sent,
        completed_at=sent + timedelta(seconds=2), ack_deadline=sent + timedelta(days=5),
    )  # fmt: skip
    session.add(announcement)
    session.flush()
    # The ledger as the worker leaves it once LINE has accepted every batch.
    settled_ledger(session, announcement.id, "announcement", [m.id for m in members])
    for number, member in enumerate(members):
        if number % 3:
            record(session, announcement.id, member.id, "ack")
        if number % 4 == 0:
            record(session, announcement.id, member.id, "relay", reach="1-10")
    return [
        f"Announcement {announcement.id}, sent a week ago to {len(members)} members: who has not acknowledged it "
        f"(boktor report acknowledgements {announcement.id} --province 57)."
    ]
