"""A member submits the survey over the JSON API: identity from LINE only, every answer checked, profile kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from boktor.db import session_factory
from boktor.members.invites import create_invite
from boktor.members.models import JoinedVia, Member, Roster, RosterEntry
from boktor.org.models import Organisation, PersonnelType, Position
from boktor.survey import messages
from boktor.survey.models import SurveyForm, SurveyResponse
from tests.sim.simkit import RunningSim
from tests.survey.helpers import GOOD_ANSWERS, form_key, submit, wait_for_inbox


def _member(database_url: str, user_id: str) -> Member | None:
    with session_factory(database_url)() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == user_id))
        if member is not None:
            _ = member.topic_codes  # loaded before the session closes
        return member


def test_a_member_answers_and_their_profile_is_kept(
    line: RunningSim, app_url: str, database_url: str
) -> None:
    phone = line.client.user_ids()[0]
    form = form_key(app_url)
    # The page cannot choose who it speaks for: a user ID in the body is ignored.
    other = line.client.user_ids()[1]
    answer = submit(
        app_url, line.client.id_token(phone), form, GOOD_ANSWERS, userId=other, line_user_id=other
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True and answer.json()["form_version"] == "2026.1"

    assert _member(database_url, other) is None
    member = _member(database_url, phone)  # created: the follow event had not arrived
    with session_factory(database_url)() as session:
        organisation = session.get(Organisation, member.organisation_id)
        position = session.get(Position, member.position_id)
        personnel = session.get(PersonnelType, member.personnel_type_id)
        responses = session.scalars(select(SurveyResponse).where(SurveyResponse.member_id == member.id)).all()
        stored_form = session.get(SurveyForm, form)
    assert member.full_name == "นางสาวมาลี ศรีสุข"
    assert (organisation.code, position.code, personnel.code) == (
        "cdd",
        "district_cd_officer",
        "civil_servant",
    )
    assert (member.province_code, member.district_code, member.subdistrict_code) == ("57", "5709", "570901")
    assert (member.village_no, member.phone, member.message_frequency) == (3, "0812345678", "daily")
    assert member.topic_codes == ["policy", "urgent"]
    assert member.consent_version == "pdpa-2026-1" and member.consented_at is not None
    assert member.surveyed_at is not None and member.display_name  # the name LINE gave in the token
    assert len(responses) == 1 and responses[0].consent_version == "pdpa-2026-1"
    assert responses[0].form_pk == stored_form.id and responses[0].answers["district"] == "5709"

    # The thank-you reaches the phone in the chat: one push.
    inbox = wait_for_inbox(line.client, phone)
    assert [(item["via"], item["view"]["text"]) for item in inbox] == [("push", messages.THANK_YOU_CHAT)]
    assert line.client.inbox(other) == []

    # Answering again updates the profile: another response row, topics replaced, the other position typed.
    again = {**GOOD_ANSWERS, "position": "other", "position_other": "นักพัฒนาชุมชนชำนาญการ",
             "district": "5701", "subdistrict": "570101", "village_no": "", "topics": ["knowledge"], "phone": ""}  # fmt: skip
    assert submit(app_url, line.client.id_token(phone), form, again).status_code == 200
    member = _member(database_url, phone)
    assert (member.district_code, member.subdistrict_code, member.village_no) == ("5701", "570101", None)
    assert (member.position_id, member.position_text, member.phone) == (None, "นักพัฒนาชุมชนชำนาญการ", None)
    assert member.topic_codes == ["knowledge"]
    with session_factory(database_url)() as session:
        assert (
            len(session.scalars(select(SurveyResponse).where(SurveyResponse.member_id == member.id)).all())
            == 2
        )
    assert len(wait_for_inbox(line.client, phone, count=2)) == 2


def test_an_invite_code_in_the_page_address_links_the_member_to_the_roster(
    line: RunningSim, app_url: str, database_url: str
) -> None:
    with session_factory(database_url)() as session:
        roster = Roster(name="พช.เชียงราย", province_code="57")
        session.add(roster)
        session.flush()
        entry = RosterEntry(
            roster_id=roster.id, full_name="นายบุญมี ทองมา", name_key="บุญมีทองมา", province_code="57"
        )
        session.add(entry)
        session.flush()
        code = create_invite(session, "person", roster_entry=entry).code
        entry_id = entry.id
        session.commit()
    phone = line.client.user_ids()[2]
    answer = submit(app_url, line.client.id_token(phone), form_key(app_url), GOOD_ANSWERS, invite=code)
    assert answer.status_code == 200 and answer.json()["matched"] is True
    member = _member(database_url, phone)
    assert member.joined_via == JoinedVia.invite and member.invite_id is not None
    with session_factory(database_url)() as session:
        assert session.get(RosterEntry, entry_id).member_id == member.id


REQUIRED_NAME = "กรุณากรอกชื่อและนามสกุล"
NAME_RULE = "กรุณากรอกทั้งชื่อและนามสกุล เว้นวรรคระหว่างกัน และไม่มีตัวเลข"
PHONE_RULE = "กรุณากรอกหมายเลขโทรศัพท์มือถือ 10 หลัก เช่น 081 234 5678"
# Each question's bad answers, and the Thai message the member sees beside that question only.
BAD_ANSWERS = [
    ({"full_name": ""}, "full_name", REQUIRED_NAME),
    ({"full_name": "มาลี"}, "full_name", NAME_RULE),
    ({"full_name": "มาลี ศรีสุข 2"}, "full_name", NAME_RULE),
    ({"full_name": ["มาลี"]}, "full_name", "คำตอบข้อ “ชื่อ-นามสกุล” ต้องเป็นข้อความ"),
    ({"personnel_type": "astronaut"}, "personnel_type", "ตัวเลือกในข้อ “ประเภทบุคลากร” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"organisation": "", "position": "staff"}, "organisation", "กรุณาเลือกหน่วยงาน/สังกัด"),
    ({"organisation": "dol", "position": "village_headman"}, "position", "ตัวเลือกในข้อ “ตำแหน่ง” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"position": "other"}, "position_other", "กรุณาตอบข้อ “โปรดระบุตำแหน่ง”"),
    ({"province": "99"}, "province", "ตัวเลือกในข้อ “จังหวัดที่ปฏิบัติงาน” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"district": "5001", "subdistrict": "500101"}, "district", "ตัวเลือกในข้อ “อำเภอ/เขต” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"subdistrict": "570101"}, "subdistrict", "ตัวเลือกในข้อ “ตำบล/แขวง” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"village_no": "สาม"}, "village_no", "ข้อ “หมู่ที่” ต้องเป็นตัวเลขจำนวนเต็ม"),
    ({"village_no": "0"}, "village_no", "หมู่ที่ต้องเป็นตัวเลขตั้งแต่ 1 ถึง 99"),
    ({"village_no": 150}, "village_no", "หมู่ที่ต้องเป็นตัวเลขตั้งแต่ 1 ถึง 99"),
    ({"phone": "12345"}, "phone", PHONE_RULE),
    ({"phone": "02 123 4567"}, "phone", messages.PHONE_INVALID),  # a landline, not a mobile
    ({"phone": "0123456789"}, "phone", messages.PHONE_INVALID),
    ({"topics": []}, "topics", "กรุณาเลือกอย่างน้อย 1 เรื่อง"),
    ({"topics": ["policy", "football"]}, "topics", "ตัวเลือกในข้อ “เรื่องที่ท่านต้องการรับทราบ” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"frequency": "hourly"}, "frequency", "ตัวเลือกในข้อ “ความถี่ที่ต้องการรับข่าวสาร” ไม่อยู่ในรายการ กรุณาเลือกใหม่"),
    ({"comments": "ก" * 501}, "comments", "ข้อเสนอแนะยาวได้ไม่เกิน 500 ตัวอักษร"),
    ({"consent": ""}, "consent", "กรุณาอ่านประกาศการคุ้มครองข้อมูลส่วนบุคคลและกดยินยอมก่อนส่งแบบสำรวจ"),
    ({"consent": False}, "consent", "กรุณาอ่านประกาศการคุ้มครองข้อมูลส่วนบุคคลและกดยินยอมก่อนส่งแบบสำรวจ"),
]  # fmt: skip


def test_each_bad_answer_is_refused_with_a_thai_message_beside_its_question(
    line: RunningSim, app_url: str, database_url: str
) -> None:
    phone = line.client.user_ids()[1]
    form = form_key(app_url)
    for change, field, message in BAD_ANSWERS:
        answer = submit(app_url, line.client.id_token(phone), form, {**GOOD_ANSWERS, **change})
        assert answer.status_code == 422, (change, answer.text)
        assert answer.json()["errors"] == {field: message}, change
        assert answer.json()["message"] == "กรุณาแก้ไขข้อที่มีเครื่องหมายสีแดง (1 ข้อ)"
    # Nothing of the refused submissions was kept, and nothing was sent.
    assert _member(database_url, phone) is None
    assert line.client.inbox(phone) == []


@pytest.mark.parametrize(
    ("token_of", "problem", "message"),
    [
        ("forged", "invalid", messages.TOKEN_INVALID),
        ("expired", "expired", messages.TOKEN_EXPIRED),
        ("other_channel", "audience", messages.TOKEN_INVALID),
        ("none", "missing", messages.TOKEN_MISSING),
    ],
)
def test_a_token_line_does_not_vouch_for_is_refused(
    line: RunningSim, app_url: str, database_url: str, token_of: str, problem: str, message: str
) -> None:
    phone = line.client.user_ids()[3]
    real = line.client.id_token(phone)
    token = {
        "forged": real[:-6] + ("AAAAAA" if not real.endswith("AAAAAA") else "BBBBBB"),
        "expired": line.client.id_token(phone, expires_in=-60),
        "other_channel": line.client.id_token(phone, client_id="9999999999"),
        "none": None,
    }[token_of]
    answer = submit(app_url, token, form_key(app_url), GOOD_ANSWERS)
    assert answer.status_code == 401
    assert answer.json() == {"message": message, "problem": problem}
    assert _member(database_url, phone) is None


def test_a_malformed_body_gets_a_plain_refusal(app_url: str) -> None:
    import httpx

    answer = httpx.post(f"{app_url}/api/survey/responses", content=b"{not json", timeout=10)
    assert answer.status_code == 400 and answer.json()["message"] == messages.BAD_REQUEST
    stale = submit(app_url, "x", 999_999, GOOD_ANSWERS)
    assert stale.status_code in (401, 409)
