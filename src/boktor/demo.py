"""Demo data: a small network in Chiang Rai that a newcomer can look at and play with."""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.accounts.service import issue_token
from boktor.config import Settings
from boktor.db import utcnow
from boktor.members.models import JoinedVia, Member, MemberStatus, MemberTopic
from boktor.org import areas
from boktor.org.catalogue import Catalogue, load_catalogue
from boktor.org.models import InformationTopic
from boktor.reports.demo import seed_coverage_demo
from boktor.survey.forms import load_default_form

FIRST_NAMES = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิไล", "บุญมี", "อำไพ", "สุรชัย", "มาลี", "ทองคำ", "จันทร์เพ็ญ"]
LAST_NAMES = ["ใจดี", "ศรีสุข", "คำแสน", "อินทร์แก้ว", "ปัญญาดี", "ทองมา", "วงศ์ใหญ่", "แสงจันทร์"]
PHONES = 30
JOINED = 24  # the rest are phones that have not added the account yet: follow one in the simulator


def _user_id(rng: random.Random) -> str:
    return "U" + "".join(rng.choice("0123456789abcdef") for _ in range(32))


def seed(session: Session, settings: Settings, phones_file: Path) -> list[str]:
    """Fill an empty demo database (idempotent) and write the simulator's phones; lines to print."""
    load_catalogue(session)
    load_default_form(session)  # so the first member to open the survey does not wait for it
    rng = random.Random(57)
    phones = [
        {
            "userId": _user_id(rng),
            "displayName": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            # The first phones have already added the account; the rest are for trying "follow".
            "state": "friend" if number < JOINED else "never-followed",
        }
        for number in range(PHONES)
    ]
    phones_file.write_text(json.dumps(phones, ensure_ascii=False, indent=1), encoding="utf-8")

    if not session.scalar(select(func.count()).select_from(AdminUser)):
        session.add_all(
            [
                AdminUser(username="communicator", display_name="ผู้สื่อสาร สป.มท.", roles=["communicator"]),
                AdminUser(username="approver", display_name="ผู้อนุมัติ สป.มท.", roles=["approver"]),
                AdminUser(
                    username="chiangrai", display_name="สำนักงานพัฒนาชุมชนจังหวัดเชียงราย",
                    roles=["office"], scope_province_code="57",
                ),
            ]
        )  # fmt: skip
    catalogue = Catalogue(session)
    organisations = [catalogue.find(catalogue.organisations, c) for c in ("cdd", "dopa", "village_headman")]
    districts = areas.districts("57")
    topics = list(session.scalars(select(InformationTopic.code)))
    known = set(session.scalars(select(Member.line_user_id)))
    for phone in phones[:JOINED]:
        if phone["userId"] in known:
            continue
        district = rng.choice(districts)
        subdistrict = rng.choice(areas.subdistricts(district.code))
        member = Member(
            line_user_id=phone["userId"], display_name=phone["displayName"], status=MemberStatus.follower,
            organisation_id=rng.choice(organisations).id, province_code="57", district_code=district.code,
            subdistrict_code=subdistrict.code, village_no=rng.randint(1, 15), joined_via=JoinedVia.search,
            followed_at=utcnow(), surveyed_at=utcnow(), consent_version="demo",
        )  # fmt: skip
        member.topics = [MemberTopic(topic_code=code) for code in rng.sample(topics, 3)]
        session.add(member)
    session.flush()
    coverage = seed_coverage_demo(session, phones_file)
    tokens = {user.username: issue_token(user) for user in session.scalars(select(AdminUser))}
    members = session.scalar(select(func.count()).select_from(Member))
    return [
        f"Demo data: {members} members in จ.เชียงราย, {PHONES} virtual phones ({PHONES - JOINED} not joined yet).",
        *coverage,
        "Console and API users (tokens are new at each start):",
        *(f"  {name}: {token}" for name, token in tokens.items()),
    ]


def walkthrough(boktor_url: str, sim_url: str) -> list[str]:
    """What a newcomer can try, in order, once the demo runs."""
    return [
        "Try it:",
        f"  1. Open {sim_url}/ , press ติดตาม on a phone that has not joined: the greeting arrives;",
        "     tap ตอบแบบสำรวจ and answer the survey in the browser; the thank-you arrives in the chat.",
        "  2. In another terminal, with the environment below, an announcement to จ.เชียงราย:",
        '       boktor announce create --as communicator --title "ทดสอบ" --body "ข้อความทดสอบ"'
        " --category ข้อสั่งการ --province เชียงราย",
        "       boktor announce submit 2 --as communicator && boktor announce approve 2 --as approver",
        "       boktor announce send 2 --as communicator && boktor announce status 2 --watch",
        "     then tap รับทราบ on a phone and run: boktor announce status 2",
        "  3. Coverage of จ.เชียงราย: boktor report coverage --province 57  (or --xlsx coverage.xlsx)",
        f"     or GET {boktor_url}/api/coverage?province=57 with the chiangrai token.",
        "     Who has not acknowledged last week's announcement: boktor report acknowledgements 1 --province 57",
    ]
