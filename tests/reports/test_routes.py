"""The coverage API over real HTTP: tokens, an office's scope, the missing list in Excel, invite QR codes."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from boktor.accounts.service import create_user, issue_token
from boktor.db import session_factory
from boktor.members.invites import create_invite
from tests.apprunner import demo_settings, running_app
from tests.reports.people import acknowledging_network, chiang_rai_network

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def network(database_url):
    """The Chiang Rai network, three API users (ministry, province office, district office) and a poster."""
    with session_factory(database_url)() as session:
        chiang_rai_network(session)
        tokens = {}
        for name, province, district in (("ministry", None, None), ("chiangrai", "57", None),
                                         ("maesai", None, "5709")):  # fmt: skip
            user = create_user(
                session, name, ["office"], scope_province_code=province, scope_district_code=district
            )
            tokens[name] = {"Authorization": f"Bearer {issue_token(user)}"}
        chiang_mai_poster = create_invite(session, "district", district_code="5001").code
        session.commit()
    with running_app(demo_settings(database_url), background=False) as url:
        yield url, tokens, chiang_mai_poster


def test_the_ministry_sees_any_province_and_the_whole_country(network):
    url, tokens, _ = network

    province = httpx.get(f"{url}/api/coverage", params={"province": "57"}, headers=tokens["ministry"])
    country = httpx.get(f"{url}/api/coverage", headers=tokens["ministry"])

    assert province.status_code == 200
    body = province.json()
    assert body["scope"] == {"province": "57", "district": None, "organisation": None, "title": "จ.เชียงราย"}
    assert body["breakdown"] == "district"
    assert (
        body["total"]["expected"] == 7
        and body["total"]["joined"] == 3
        and body["total"]["joined_pct"] == 42.9
    )
    maesai = next(row for row in body["rows"] if row["code"] == "5709")
    assert maesai == {
        "code": "5709", "name": "อ.แม่สาย", "expected": 4, "joined": 2, "joined_pct": 50.0, "surveyed": 1,
        "surveyed_pct": 25.0, "acknowledging": 0, "acknowledging_pct": 0.0, "missing": 2, "not_on_roster": 1,
    }  # fmt: skip
    assert country.json()["total"]["expected"] == 8 and len(country.json()["rows"]) == 77


def test_a_province_office_sees_only_its_province(network):
    url, tokens, _ = network
    office = tokens["chiangrai"]

    own = httpx.get(f"{url}/api/coverage", headers=office)  # nothing asked: its own province
    district = httpx.get(f"{url}/api/coverage", params={"district": "5709"}, headers=office)
    cdd = httpx.get(f"{url}/api/coverage", params={"province": "57", "organisation": "cdd"}, headers=office)
    other = httpx.get(f"{url}/api/coverage", params={"province": "50"}, headers=office)
    other_district = httpx.get(f"{url}/api/coverage", params={"district": "5001"}, headers=office)

    assert own.status_code == 200 and own.json()["scope"]["province"] == "57"
    assert district.status_code == 200 and district.json()["total"]["expected"] == 4
    assert cdd.status_code == 200 and cdd.json()["total"]["expected"] == 3
    assert other.status_code == 403 and "province 57" in other.json()["detail"]
    assert other_district.status_code == 403


def test_a_district_office_sees_only_its_district(network):
    url, tokens, _ = network
    office = tokens["maesai"]

    own = httpx.get(f"{url}/api/coverage", headers=office)

    assert own.status_code == 200 and own.json()["scope"]["district"] == "5709"
    assert own.json()["breakdown"] == "subdistrict"
    assert httpx.get(f"{url}/api/coverage", params={"province": "57"}, headers=office).status_code == 403
    assert httpx.get(f"{url}/api/coverage", params={"district": "5701"}, headers=office).status_code == 403


def test_no_token_or_a_wrong_one_is_refused_and_a_bad_area_is_explained(network):
    url, tokens, _ = network

    assert httpx.get(f"{url}/api/coverage", params={"province": "57"}).status_code == 401
    wrong = {"Authorization": "Bearer bk_not-a-real-token"}
    assert httpx.get(f"{url}/api/coverage", params={"province": "57"}, headers=wrong).status_code == 401
    bad = httpx.get(f"{url}/api/coverage", params={"province": "99"}, headers=tokens["ministry"])
    assert bad.status_code == 400 and "No province" in bad.json()["detail"]
    by_what = httpx.get(f"{url}/api/coverage", params={"by": "village"}, headers=tokens["ministry"])
    assert (
        by_what.status_code == 400 and "Cannot break coverage down by 'village'" in by_what.json()["detail"]
    )


def test_an_office_downloads_who_is_missing_with_their_invite_links_and_qr_codes(network):
    url, tokens, chiang_mai_poster = network
    office = tokens["chiangrai"]

    response = httpx.get(f"{url}/api/coverage/missing.xlsx", params={"province": "57"}, headers=office)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="coverage-57.xlsx"' in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    summary, people = workbook.worksheets
    assert summary.title == "สรุปรายอำเภอ" and people.title == "รายชื่อผู้ที่ยังไม่เข้าร่วม"
    total = [cell.value for cell in summary[summary.max_row]]
    assert total[1:5] == ["รวม", 7, 3, pytest.approx(3 / 7)]
    listed = [[cell.value for cell in row] for row in people.iter_rows(min_row=4)]
    assert [row[1] for row in listed] == ["นางวิไล แสงจันทร์", "นายบุญมี คำแสน", "นางมาลี ทองมา", "นายทองคำ ปัญญาดี"]
    code, link = listed[0][7], listed[0][8]
    assert link == f"{demo_settings('sqlite://').public_url}/liff/survey?invite={code}"

    qr = httpx.get(f"{url}/api/invites/{code}/qr.png", headers=office)
    assert (
        qr.status_code == 200
        and qr.headers["content-type"] == "image/png"
        and qr.content[:8] == PNG_SIGNATURE
    )
    assert httpx.get(f"{url}/api/invites/{chiang_mai_poster}/qr.png", headers=office).status_code == 403
    assert (
        httpx.get(f"{url}/api/invites/{chiang_mai_poster}/qr.png", headers=tokens["ministry"]).status_code
        == 200
    )
    assert httpx.get(f"{url}/api/invites/ZZZZZZZZ/qr.png", headers=office).status_code == 404
    assert httpx.get(f"{url}/api/invites/{code}/qr.png").status_code == 401


@pytest.fixture
def acknowledging(database_url):
    """The Chiang Rai network with its announcements (see people.acknowledging_network), and the same users."""
    with session_factory(database_url)() as session:
        sent = {name: row.id for name, row in acknowledging_network(session).items()}
        tokens = {}
        for name, province in (("ministry", None), ("chiangrai", "57")):
            user = create_user(session, name, ["office"], scope_province_code=province)
            tokens[name] = {"Authorization": f"Bearer {issue_token(user)}"}
        session.commit()
    with running_app(demo_settings(database_url), background=False) as url:
        yield url, tokens, sent


def test_a_province_office_downloads_who_has_not_acknowledged_an_announcement(acknowledging):
    url, tokens, sent = acknowledging
    office, flood = tokens["chiangrai"], sent["flood"]

    response = httpx.get(f"{url}/api/announcements/{flood}/unacknowledged.xlsx", headers=office)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="unacknowledged-{flood}-57.xlsx"' in response.headers["content-disposition"]
    summary, people = load_workbook(io.BytesIO(response.content)).worksheets
    assert summary.title == "สรุปรายอำเภอ" and people.title == "รายชื่อผู้ที่ยังไม่รับทราบ"
    assert [cell.value for cell in summary[summary.max_row]][1:5] == ["รวม", 5, 3, pytest.approx(0.6)]
    listed = [[cell.value for cell in row] for row in people.iter_rows(min_row=4)]
    # Only Chiang Rai: จันทร์เพ็ญ in Chiang Mai acknowledged anyway, and is not this office's to see.
    assert [(row[1], row[8]) for row in listed] == [
        ("ประเสริฐ วงศ์ใหญ่", "เลยกำหนดแล้ว"), ("สมหญิง ศรีสุข", "เลยกำหนดแล้ว"),
    ]  # fmt: skip


def test_the_same_report_as_json_and_what_an_office_may_not_see(acknowledging):
    url, tokens, sent = acknowledging
    office, flood = tokens["chiangrai"], sent["flood"]
    report = f"{url}/api/announcements/{flood}/acknowledgements"

    own = httpx.get(report, headers=office)
    district = httpx.get(report, params={"district": "5709"}, headers=office)
    country = httpx.get(report, headers=tokens["ministry"])
    other = httpx.get(report, params={"province": "50"}, headers=office)
    other_xlsx = httpx.get(
        f"{url}/api/announcements/{flood}/unacknowledged.xlsx", params={"province": "50"}, headers=office
    )
    unknown = httpx.get(f"{url}/api/announcements/999/unacknowledged.xlsx", headers=office)

    assert own.status_code == 200 and own.json()["scope"]["province"] == "57"
    assert [(row["code"], row["received"], row["acknowledged"], row["relayed"]) for row in own.json()["rows"]] == [
        ("5701", 1, 0, 1), ("5709", 4, 3, 1),
    ]  # fmt: skip
    assert [p["full_name"] for p in district.json()["unacknowledged"]] == ["สมหญิง ศรีสุข"]
    assert country.json()["total"]["received"] == 6 and country.json()["breakdown"] == "province"
    assert other.status_code == 403 and "province 57" in other.json()["detail"]
    assert other_xlsx.status_code == 403
    assert unknown.status_code == 404 and "There is no announcement 999" in unknown.json()["detail"]
    assert httpx.get(report).status_code == 401


def test_coverage_over_http_counts_acknowledging_for_the_days_asked(acknowledging):
    url, tokens, _ = acknowledging

    month = httpx.get(f"{url}/api/coverage", headers=tokens["chiangrai"])
    two_months = httpx.get(f"{url}/api/coverage", params={"days": 60}, headers=tokens["chiangrai"])
    nonsense = httpx.get(f"{url}/api/coverage", params={"days": 0}, headers=tokens["chiangrai"])
    workbook = httpx.get(f"{url}/api/coverage/missing.xlsx", params={"days": 60}, headers=tokens["chiangrai"])

    assert month.json()["total"]["acknowledging"] == 1 and month.json()["acknowledging_days"] == 30
    assert two_months.json()["total"]["acknowledging_pct"] == 66.7
    assert nonsense.status_code == 422
    summary = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert [cell.value for cell in summary[3]][7:9] == [
        "รับทราบประกาศในรอบ 60 วัน (คน)",
        "ร้อยละที่รับทราบ (ของผู้เข้าร่วม)",
    ]
    assert [cell.value for cell in summary[summary.max_row]][7:9] == [2, pytest.approx(2 / 3)]
