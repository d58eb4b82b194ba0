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
from tests.reports.people import chiang_rai_network


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
    assert maesai[1:] == ("อ.แม่สาย", 4, 2, 0.5, 1, 0.25, 1)
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
