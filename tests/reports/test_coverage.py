"""An office sees, for its province, district or organisation, who of its expected people joined and answered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from boktor.members.models import Invite, RosterEntry
from boktor.reports.coverage import coverage, missing_people
from boktor.reports.scope import ScopeError, resolve_scope
from tests.reports.people import chiang_rai_network


def figures(row) -> tuple:
    return (row.expected, row.joined, row.surveyed, row.not_on_roster)


def test_a_province_is_broken_down_by_district(session):
    chiang_rai_network(session)

    report = coverage(session, resolve_scope(session, province="57"))

    assert report.breakdown == "district"
    rows = {row.code: row for row in report.rows}
    # Every district of Chiang Rai shows, even those with nobody expected yet.
    assert len(rows) == 18 + 1 and rows["5710"].name == "อ.แม่สรวย" and figures(rows["5710"]) == (0, 0, 0, 0)
    assert figures(rows["5709"]) == (4, 2, 1, 1) and rows["5709"].name == "อ.แม่สาย"
    assert (rows["5709"].joined_pct, rows["5709"].surveyed_pct) == (50.0, 25.0)
    assert figures(rows["5701"]) == (2, 1, 1, 0)
    assert figures(rows[None]) == (1, 0, 0, 0) and rows[None].name == "ไม่ระบุพื้นที่"
    assert report.rows[-1].code is None
    assert figures(report.total) == (7, 3, 2, 1)
    assert (report.total.joined_pct, report.total.surveyed_pct, report.total.missing) == (42.9, 28.6, 4)


def test_a_district_is_broken_down_by_subdistrict(session):
    chiang_rai_network(session)

    report = coverage(session, resolve_scope(session, district="5709"))

    assert report.scope.province_code == "57" and report.scope.title == "อ.แม่สาย จ.เชียงราย"
    rows = {row.code: row for row in report.rows}
    assert figures(rows["570901"]) == (2, 2, 1, 0) and rows["570901"].name == "ต.แม่สาย"
    assert figures(rows["570902"]) == (1, 0, 0, 0)
    # The follower on no roster gave no subdistrict; neither did one expected person.
    assert figures(rows[None]) == (1, 0, 0, 1)
    assert figures(report.total) == (4, 2, 1, 1)


def test_an_organisation_in_a_province_and_a_province_by_organisation(session):
    chiang_rai_network(session)

    cdd = coverage(session, resolve_scope(session, province="เชียงราย", organisation="พช."))
    by_organisation = coverage(session, resolve_scope(session, province="57"), "organisation")

    assert cdd.scope.organisation_code == "cdd" and figures(cdd.total) == (3, 2, 2, 0)
    rows = {row.code: row for row in by_organisation.rows}
    assert figures(rows["cdd"]) == (3, 2, 2, 0) and rows["cdd"].name == "กรมการพัฒนาชุมชน"
    assert figures(rows[None]) == (4, 1, 0, 1)
    assert figures(by_organisation.total) == figures(coverage(session, resolve_scope(session, "57")).total)


def test_the_whole_country_is_broken_down_by_province(session):
    chiang_rai_network(session)

    report = coverage(session, resolve_scope(session))

    rows = {row.code: row for row in report.rows}
    assert len(rows) == 77 and rows["57"].name == "จ.เชียงราย"
    assert figures(rows["57"]) == (7, 3, 2, 1) and figures(rows["50"]) == (1, 1, 1, 1)
    assert figures(report.total) == (8, 4, 3, 2)
    assert report.to_dict()["total"] == {
        "code": None, "name": "รวม", "expected": 8, "joined": 4, "joined_pct": 50.0, "surveyed": 3,
        "surveyed_pct": 37.5, "acknowledging": 0, "acknowledging_pct": 0.0, "missing": 4, "not_on_roster": 2,
    }  # fmt: skip


def test_who_is_missing_each_with_a_personal_invite(session):
    people = chiang_rai_network(session)

    missing = missing_people(session, resolve_scope(session, province="57"))

    assert [p.full_name for p in missing] == [
        "นางวิไล แสงจันทร์", "นายบุญมี คำแสน", "นางมาลี ทองมา", "นายทองคำ ปัญญาดี",
    ]  # fmt: skip
    by_name = {p.full_name: p for p in missing}
    assert by_name["นายบุญมี คำแสน"].status == "เลิกติดตามบัญชีแล้ว"
    assert by_name["นางมาลี ทองมา"].status == "ยังไม่เข้าร่วม" and by_name["นางมาลี ทองมา"].phone == "0899999999"
    assert by_name["นายบุญมี คำแสน"].area == "ต.ห้วยไคร้ อ.แม่สาย จ.เชียงราย"
    assert by_name["นางวิไล แสงจันทร์"].organisation == "กรมการพัฒนาชุมชน"
    assert all(p.invite_code for p in missing)
    invited = session.scalars(select(RosterEntry.id).where(RosterEntry.invite_id.is_not(None))).all()
    assert sorted(invited) == sorted(p.entry_id for p in missing)  # those who joined need none
    assert people["malee"].id in invited
    # A second list reuses the same invites.
    again = missing_people(session, resolve_scope(session, province="57"))
    assert [p.invite_code for p in again] == [p.invite_code for p in missing]
    assert len(session.scalars(select(Invite.id)).all()) == 4


@pytest.mark.parametrize(
    ("asked", "words"),
    [
        ({"province": "99"}, "No province"),
        ({"province": "57", "district": "5001"}, "No district '5001' in จ.เชียงราย"),
        ({"organisation": "nasa"}, "No organisation"),
    ],
)
def test_an_unknown_area_or_organisation_is_refused_in_plain_words(session, asked, words):
    with pytest.raises(ScopeError, match=words):
        resolve_scope(session, **asked)
