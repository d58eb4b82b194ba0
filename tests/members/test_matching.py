"""Members are matched to the rosters offices uploaded: by personal invite, else phone, else name and area."""

from __future__ import annotations

from sqlalchemy import select

from boktor.members.invites import create_invite
from boktor.members.matching import match_member, match_roster
from boktor.members.models import JoinedVia, RosterEntry
from tests.reports.people import entry, member, organisation_id, roster


def test_a_member_who_opens_their_personal_invite_is_matched_to_their_entry(session):
    office = roster(session)
    somchai = entry(session, office, "นายสมชาย ใจดี", district="5709")
    invite = create_invite(session, "person", roster_entry=somchai)
    # Joined with a different phone and a nickname-ish spelling: only the invite ties them together.
    joined = member(session, "สมชาย ใจดีมาก", district="5701", phone="0811111111")

    result = match_member(session, joined, invite.code.lower())

    assert result.matched and result.method == "invite" and result.entry_id == somchai.id
    assert result.invite_id == invite.id
    session.refresh(somchai)
    assert somchai.member_id == joined.id and somchai.match_method == "invite" and somchai.matched_at
    assert joined.joined_via == JoinedVia.invite and joined.invite_id == invite.id


def test_a_member_is_matched_by_phone_when_there_is_no_invite(session):
    office = roster(session)
    entry(session, office, "นางสมหญิง ศรีสุข", district="5709", phone="0812345678")
    expected = entry(session, office, "นายบุญมี คำแสน", district="5709", phone="0898765432")
    joined = member(session, "บุญมี", district="5701", phone="0898765432")

    result = match_member(session, joined)

    assert (result.entry_id, result.method) == (expected.id, "phone")
    session.refresh(expected)
    assert expected.member_id == joined.id


def test_a_member_is_matched_by_name_and_area(session):
    office = roster(session)
    entry(session, office, "นางมาลี ทองมา", district="5701")  # same name, another district
    expected = entry(session, office, "นางมาลี ทองมา", district="5709")
    joined = member(session, "มาลี  ทองมา", district="5709")

    result = match_member(session, joined)

    assert (result.entry_id, result.method) == (expected.id, "name_area")


def test_same_name_in_another_province_is_not_a_match(session):
    office = roster(session, province="50")
    entry(session, office, "นายประเสริฐ วงศ์ใหญ่", province="50", district="5001")
    joined = member(session, "ประเสริฐ วงศ์ใหญ่", province="57", district="5709")

    result = match_member(session, joined)

    assert not result.matched and not result.ambiguous


def test_two_entries_with_the_same_phone_are_reported_not_guessed(session):
    office = roster(session)
    # An office phone written for two people.
    first = entry(session, office, "นายทองคำ แสงจันทร์", district="5709", phone="053731000")
    second = entry(session, office, "นางวิไล แสงจันทร์", district="5709", phone="053731000")
    joined = member(session, "สุรชัย ปัญญาดี", district="5709", phone="053731000")

    result = match_member(session, joined)

    assert not result.matched and result.ambiguous_by == "phone"
    assert {c.entry_id for c in result.ambiguous} == {first.id, second.id}
    assert session.scalar(select(RosterEntry.id).where(RosterEntry.member_id == joined.id)) is None


def test_a_shared_phone_is_told_apart_by_the_name(session):
    office = roster(session)
    entry(session, office, "นายทองคำ แสงจันทร์", district="5709", phone="053731000")
    second = entry(session, office, "นางวิไล แสงจันทร์", district="5709", phone="053731000")
    joined = member(session, "นางวิไล แสงจันทร์", district="5709", phone="053731000")

    assert match_member(session, joined).entry_id == second.id


def test_two_people_of_the_same_name_in_one_district_are_reported_not_guessed(session):
    office = roster(session)
    first = entry(session, office, "นายสมชาย ใจดี", district="5709", subdistrict="570901")
    second = entry(session, office, "นายสมชาย ใจดี", district="5709", subdistrict="570902")
    joined = member(session, "นายสมชาย ใจดี", district="5709")

    result = match_member(session, joined)

    assert not result.matched and result.ambiguous_by == "name_area"
    assert [c.entry_id for c in result.ambiguous] == [first.id, second.id]


def test_a_member_already_matched_is_not_matched_twice(session):
    provincial = roster(session, "จังหวัด")
    district = roster(session, "อำเภอ")
    first = entry(session, provincial, "นายบุญมี คำแสน", district="5709", phone="0898765432")
    entry(session, district, "นายบุญมี คำแสน", district="5709")
    joined = member(session, "บุญมี คำแสน", district="5709", phone="0898765432")

    assert match_member(session, joined).entry_id == first.id
    again = match_member(session, joined)  # the member submits the survey a second time

    assert again.already and again.entry_id == first.id
    assert session.scalars(select(RosterEntry.id).where(RosterEntry.member_id == joined.id)).all() == [
        first.id
    ]
    assert match_roster(session, district.id).matched == 0


def test_an_entry_taken_by_one_member_is_not_given_to_another(session):
    office = roster(session)
    expected = entry(session, office, "นายบุญมี คำแสน", district="5709", phone="0898765432")
    invite = create_invite(session, "person", roster_entry=expected)
    assert match_member(session, member(session, "บุญมี คำแสน", district="5709"), invite.code).matched
    # Someone else opens the same personal link (it was forwarded in a group chat).
    other = member(session, "สุรชัย ปัญญาดี", district="5709")

    result = match_member(session, other, invite.code)

    assert not result.matched
    session.refresh(expected)
    assert expected.member_id != other.id


def test_a_district_poster_attributes_the_join_and_matching_continues(session):
    office = roster(session)
    expected = entry(session, office, "นางอำไพ อินทร์แก้ว", district="5709", phone="0861234567")
    poster = create_invite(session, "district", district_code="5709")
    joined = member(session, "อำไพ อินทร์แก้ว", district="5709", phone="0861234567")

    result = match_member(session, joined, poster.code)

    assert joined.joined_via == JoinedVia.district and joined.invite_id == poster.id
    assert (result.entry_id, result.method) == (expected.id, "phone")


def test_an_organisation_invite_attributes_the_join_once(session):
    cdd = create_invite(
        session, "organisation", organisation_id=organisation_id(session, "cdd"), province_code="57"
    )
    poster = create_invite(session, "district", district_code="5709")
    joined = member(session, "สมหญิง ศรีสุข", district="5709")

    match_member(session, joined, cdd.code)
    match_member(session, joined, poster.code)  # a later visit through another link

    assert joined.joined_via == JoinedVia.organisation and joined.invite_id == cdd.id


def test_an_unknown_invite_code_changes_nothing(session):
    joined = member(session, "สมหญิง ศรีสุข", district="5709")

    result = match_member(session, joined, "ZZZZZZZZ")

    assert not result.matched and result.invite_id is None and joined.joined_via == JoinedVia.search


def test_a_new_roster_is_linked_to_members_already_present(session):
    alone = member(session, "สุรชัย ปัญญาดี", district="5709", phone="0811111111")
    by_name = member(session, "จันทร์เพ็ญ วงศ์ใหญ่", district="5701")
    twin_a = member(session, "สมชาย ใจดี", district="5709")
    twin_b = member(session, "สมชาย ใจดี", district="5709")
    shared_a = member(session, "ก ข", district="5709", phone="0822222222")
    shared_b = member(session, "ค ง", district="5709", phone="0822222222")
    office = roster(session)
    phone_entry = entry(session, office, "นายสุรชัย ปัญญาดี", district="5709", phone="0811111111")
    name_entry = entry(session, office, "นางจันทร์เพ็ญ วงศ์ใหญ่", district="5701")
    twin_entry = entry(session, office, "นายสมชาย ใจดี", district="5709")
    shared_entry = entry(session, office, "นายใคร ก็ได้", district="5709", phone="0822222222")
    entry(session, office, "นางไม่มี ใครรู้จัก", district="5709")

    report = match_roster(session, office.id)

    assert (report.matched, report.by_phone, report.by_name_area, report.unmatched) == (2, 1, 1, 3)
    assert {(a.entry_id, a.reason, tuple(a.member_ids)) for a in report.ambiguous} == {
        (twin_entry.id, "name_area", (twin_a.id, twin_b.id)),
        (shared_entry.id, "phone", (shared_a.id, shared_b.id)),
    }
    session.refresh(phone_entry)
    session.refresh(name_entry)
    assert (phone_entry.member_id, phone_entry.match_method) == (alone.id, "phone")
    assert (name_entry.member_id, name_entry.match_method) == (by_name.id, "name_area")
    # Running it again changes nothing and reports what is already linked.
    again = match_roster(session, office.id)
    assert (again.matched, again.already) == (0, 2)


def test_a_roster_never_gives_one_member_two_entries(session):
    joined = member(session, "นายบุญมี คำแสน", district="5709", phone="0898765432")
    office = roster(session)
    first = entry(session, office, "นายบุญมี คำแสน", district="5709", phone="0898765432")
    second = entry(session, office, "นายบุญมี คำแสน", district="5709", phone="0898765432")

    report = match_roster(session, office.id)

    assert report.matched == 0
    assert {a.entry_id for a in report.ambiguous} == {first.id, second.id}
    assert all(a.member_ids == [joined.id] for a in report.ambiguous)


def test_an_entry_expected_somewhere_in_the_province_takes_the_district_the_member_gave(session):
    office = roster(session)
    expected = entry(session, office, "นายอนุชา แก้วมณี", district=None)
    elsewhere = entry(session, office, "นางกัลยา ธรรมวงศ์", district="5701")
    joined = member(session, "อนุชา แก้วมณี", district="5709", subdistrict="570902")
    other = member(session, "กัลยา ธรรมวงศ์", district="5701", subdistrict="570101", phone="0800000000")

    assert match_member(session, joined).method == "name_area"
    assert match_member(session, other).method == "name_area"

    session.refresh(expected)
    session.refresh(elsewhere)
    assert (expected.district_code, expected.subdistrict_code) == ("5709", "570902")
    # What the office wrote is never overwritten.
    assert (elsewhere.district_code, elsewhere.subdistrict_code) == ("5701", None)
