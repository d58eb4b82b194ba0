"""`boktor report coverage` as an operator runs it: a Thai table, JSON for scripts, and the Excel file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from boktor.db import session_factory
from boktor.members.models import RosterEntry
from tests.reports.people import acknowledging_network, chiang_rai_network


def boktor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "boktor.cli", *args], capture_output=True, text=True, timeout=60,
        env=None,
    )  # fmt: skip


def seed(database_url: str) -> None:
    with session_factory(database_url)() as session:
        chiang_rai_network(session)
        session.commit()


def test_the_coverage_of_a_province_as_a_table_json_and_excel(env, database_url, tmp_path):
    seed(database_url)
    workbook_file = tmp_path / "เชียงราย.xlsx"

    table = boktor("report", "coverage", "--province", "57", "--xlsx", str(workbook_file))
    as_json = boktor("report", "coverage", "--province", "เชียงราย", "--json")

    assert table.returncode == 0, table.stderr
    assert "จ.เชียงราย" in table.stdout and "อ.แม่สาย" in table.stdout and "42.9%" in table.stdout
    report = json.loads(as_json.stdout)
    assert report["total"]["expected"] == 7 and report["total"]["surveyed_pct"] == 28.6
    workbook = load_workbook(workbook_file)
    summary, people = workbook.worksheets
    assert summary["A1"].value == "ความครอบคลุมของการเข้าร่วมบัญชีทางการ LINE จ.เชียงราย"
    assert [cell.value for cell in summary[3]][:3] == ["รหัส", "อำเภอ", "จำนวนที่คาดว่าจะเข้าร่วม (คน)"]
    maesai = next(row for row in summary.iter_rows(min_row=4, values_only=True) if row[0] == "5709")
    assert maesai[1:] == ("อ.แม่สาย", 4, 2, 0.5, 1, 0.25, 0, 0.0, 1)
    assert summary["E4"].number_format == "0.0%"
    assert [cell.value for cell in people[3]] == [
        "ลำดับ", "ชื่อ-สกุล", "หน่วยงาน", "ตำแหน่ง", "พื้นที่", "โทรศัพท์", "สถานะ", "รหัสเชิญ", "ลิงก์เข้าร่วม",
    ]  # fmt: skip
    malee = next(row for row in people.iter_rows(min_row=4, values_only=True) if row[1] == "นางมาลี ทองมา")
    assert malee[4:7] == ("อ.แม่สาย จ.เชียงราย", "0899999999", "ยังไม่เข้าร่วม")
    assert malee[8].endswith(f"/liff/survey?invite={malee[7]}")
    # The command committed the personal invites it made for the four missing people.
    with session_factory(database_url)() as session:
        invited = session.scalar(select(func.count()).where(RosterEntry.invite_id.is_not(None)))
    assert invited == 4


# The command is a thin layer over what test_coverage checks on both engines; one engine keeps this quick.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_district_by_organisation_and_an_unknown_province(env, database_url):
    seed(database_url)

    result = boktor("report", "coverage", "--district", "5701", "--by", "organisation", "--json")
    unknown = boktor("report", "coverage", "--province", "99")

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert [(row["code"], row["expected"], row["joined"]) for row in rows] == [("cdd", 2, 1)]
    assert unknown.returncode == 1
    assert "No province '99'" in unknown.stderr


def seed_acknowledgements(database_url: str) -> dict[str, int]:
    with session_factory(database_url)() as session:
        sent = {name: row.id for name, row in acknowledging_network(session).items()}
        session.commit()
    return sent


def test_coverage_counts_acknowledging_over_the_days_asked(env, database_url):
    seed_acknowledgements(database_url)

    table = boktor("report", "coverage", "--province", "57")
    month = json.loads(boktor("report", "coverage", "--province", "57", "--json").stdout)
    two_months = json.loads(boktor("report", "coverage", "--province", "57", "--days", "60", "--json").stdout)
    nonsense = boktor("report", "coverage", "--days", "0")

    assert table.returncode == 0, table.stderr
    assert "รับทราบ (30 วัน)" in table.stdout and "33.3%" in table.stdout
    assert (month["acknowledging_days"], month["total"]["acknowledging"], month["total"]["acknowledging_pct"]) == (
        30, 1, 33.3,
    )  # fmt: skip
    assert (two_months["total"]["acknowledging"], two_months["total"]["acknowledging_pct"]) == (2, 66.7)
    assert nonsense.returncode != 0


def test_who_has_not_acknowledged_an_announcement_as_a_table_json_and_excel(env, database_url, tmp_path):
    sent = seed_acknowledgements(database_url)
    flood = str(sent["flood"])
    workbook_file = tmp_path / "ยังไม่รับทราบ.xlsx"

    table = boktor("report", "acknowledgements", flood, "--province", "57", "--xlsx", str(workbook_file))
    as_json = json.loads(boktor("report", "acknowledgements", flood, "--district", "5709", "--json").stdout)
    unknown = boktor("report", "acknowledgements", "999", "--province", "57")

    assert table.returncode == 0, table.stderr
    assert "เตรียมรับมืออุทกภัย" in table.stdout and "เลยกำหนดแล้ว" in table.stdout
    assert "อ.แม่สาย" in table.stdout and "60.0%" in table.stdout
    assert "ประเสริฐ วงศ์ใหญ่" in table.stdout and "สมหญิง ศรีสุข" in table.stdout
    assert "สมชาย ใจดี" not in table.stdout  # he acknowledged
    assert as_json["announcement"]["past_deadline"] is True and as_json["breakdown"] == "subdistrict"
    total = as_json["total"]
    assert (total["received"], total["acknowledged"], total["relayed"]) == (4, 3, 1)
    assert [(p["full_name"], p["reminders"]) for p in as_json["unacknowledged"]] == [("สมหญิง ศรีสุข", 1)]
    assert unknown.returncode == 1 and "There is no announcement 999" in unknown.stderr

    summary, people = load_workbook(workbook_file).worksheets
    assert summary["A1"].value == "การรับทราบประกาศ “เตรียมรับมืออุทกภัย” จ.เชียงราย"
    assert "กำหนดรับทราบภายใน" in summary["A2"].value
    assert [cell.value for cell in summary[3]] == [
        "รหัส", "อำเภอ", "ได้รับประกาศ (คน)", "รับทราบแล้ว (คน)", "ร้อยละที่รับทราบ", "บอกต่อแล้ว (คน)",
        "ร้อยละที่บอกต่อ", "ยังไม่รับทราบ (คน)",
    ]  # fmt: skip
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=4)]
    assert rows == [
        ["5701", "อ.เมืองเชียงราย", 1, 0, 0.0, 1, 1.0, 1],
        ["5709", "อ.แม่สาย", 4, 3, 0.75, 1, 0.25, 1],
        [None, "รวม", 5, 3, 0.6, 2, 0.4, 2],
    ]
    assert summary["E4"].number_format == "0.0%"
    assert [[cell.value for cell in row] for row in people.iter_rows(min_row=4)] == [
        [1, "ประเสริฐ วงศ์ใหญ่", "กรมการพัฒนาชุมชน", "นักวิชาการพัฒนาชุมชน", "อ.เมืองเชียงราย จ.เชียงราย", None,
         "ติดตามบัญชีอยู่", 1, "เลยกำหนดแล้ว"],
        [2, "สมหญิง ศรีสุข", None, None, "อ.แม่สาย จ.เชียงราย", None, "ติดตามบัญชีอยู่", 1, "เลยกำหนดแล้ว"],
    ]  # fmt: skip
