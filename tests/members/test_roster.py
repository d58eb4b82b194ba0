"""An office imports its list of expected personnel, kept in Excel the way offices keep it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from boktor.cli import app
from boktor.members.models import Member, Roster, RosterEntry
from boktor.members.rosters import ROSTER_COLUMNS, RosterError, import_roster, list_rosters
from boktor.members.tabular import TabularError, open_table
from boktor.org.catalogue import Catalogue


def office_workbook() -> bytes:
    """สำนักงานพัฒนาชุมชนจังหวัดเชียงราย's list: title rows, split name columns, merged district cells."""
    book = Workbook()
    sheet = book.active
    sheet.append(["บัญชีรายชื่อบุคลากรกรมการพัฒนาชุมชน จังหวัดเชียงราย"])
    sheet.merge_cells("A1:I1")
    sheet.append(["ข้อมูล ณ วันที่ ๑ มกราคม ๒๕๖๘"])
    sheet.append([])
    sheet.append(["ที่", "คำนำหน้า", "ชื่อ", "นามสกุล", "ตำแหน่ง", "อำเภอ", "ตำบล", "หมู่ที่", "เบอร์โทรศัพท์"])
    sheet.append([1, "นาย", "สมชาย", "ใจดี", "พัฒนาการอำเภอ", "อ.แม่สาย", "ต.เวียงพางคำ", "๓", 812345678.0])
    sheet.append(
        [2, "นางสาว", "มาลี", "ศรีสุข", "นักวิชาการพัฒนาชุมชน", None, "ตำบลศรีเมืองชุม", "ม.5", "081-999-8888"]
    )
    sheet.merge_cells("F5:F6")  # both in แม่สาย, written once
    sheet.append([3, "ว่าที่ร้อยตรี", "ทองคำ", "มีสุข", "เจ้าหน้าที่ประสานงาน", "อำเภอเมืองเชียงราย", None, None, None])
    sheet.append([4, "นาย", "บุญมี", "ทองมา", None, "บางรัก", None, None, None])  # not in เชียงราย
    sheet.append([5, "นาง", "วิไล", "คำแสน", None, "เวียงชัย", None, None, "1234"])  # phone too short
    sheet.append([6, None, None, None, "พัฒนาการอำเภอ", "แม่จัน", None, None, None])  # nobody's name
    sheet.append(
        [7, "นาย", "สมชาย", "ใจดี", "พัฒนาการอำเภอ", "แม่สาย", "เวียงพางคำ", 3, "0812345678"]
    )  # line 5 again
    sheet.append([])
    sheet.append(["รวม ๗ คน"])
    sheet.append([None, None, "ลงชื่อ", "..............................", "ผู้รายงาน"])
    sheet.append([None, None, "(นางสาวอำไพ ปัญญาดี)"])
    sheet.append([None, None, "พัฒนาการจังหวัดเชียงราย"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(session, data: bytes, **options):
    with open_table(io.BytesIO(data), ROSTER_COLUMNS, filename="รายชื่อ.xlsx") as table:
        report = import_roster(session, table, filename="รายชื่อ.xlsx", **options)
    session.commit()
    return report


def test_an_office_excel_file_is_read_and_normalised(session):
    report = run(session, office_workbook(), name="พช. เชียงราย 2568", province_code="เชียงราย")
    assert report.province_code == "57" and report.entries == 3
    problems = {(bad.line, bad.column): bad.message for bad in report.bad_rows}
    assert problems == {
        (8, "district"): "no district 'บางรัก' in จ.เชียงราย",
        (9, "phone"): problems[(9, "phone")],
        (10, "full_name"): "no name",
        (11, "full_name"): "the same person (name, area and phone) is already on line 5",
    }
    assert "4 digits" in problems[(9, "phone")]
    entries = session.scalars(select(RosterEntry).order_by(RosterEntry.line_no)).all()
    cd_officer = Catalogue(session).find(Catalogue(session).positions, "พัฒนาการอำเภอ")
    assert [
        (e.line_no, e.full_name, e.name_key, e.position_id == cd_officer.id, e.position_text) for e in entries
    ] == [
        (5, "นายสมชาย ใจดี", "สมชายใจดี", True, None),
        (6, "นางสาวมาลี ศรีสุข", "มาลีศรีสุข", False, None),
        (7, "ว่าที่ร้อยตรีทองคำ มีสุข", "ทองคำมีสุข", False, "เจ้าหน้าที่ประสานงาน"),
    ]
    assert [
        (e.province_code, e.district_code, e.subdistrict_code, e.village_no, e.phone) for e in entries
    ] == [
        ("57", "5709", "570906", 3, "0812345678"),
        ("57", "5709", "570905", 5, "0819998888"),
        ("57", "5701", None, None, None),
    ]
    roster = session.get(Roster, report.roster_id)
    assert (roster.name, roster.filename, roster.row_count) == ("พช. เชียงราย 2568", "รายชื่อ.xlsx", 3)


def test_rows_without_a_province_belong_to_the_rosters_and_others_are_refused(session):
    data = "ชื่อ-สกุล,จังหวัด,อำเภอ\nนายสมชาย ใจดี,,แม่สาย\nนางวิไล คำแสน,น่าน,ปัว\nนายบุญมี ทองมา,,\n".encode()
    report = run(session, data, name="เชียงราย", province_code="57")
    assert [(b.line, b.column, b.message) for b in report.bad_rows] == [
        (3, "province", "จ.น่าน is outside this roster's province (จ.เชียงราย)")
    ]
    codes = session.execute(select(RosterEntry.province_code, RosterEntry.district_code)).all()
    assert sorted(codes, key=str) == [("57", "5709"), ("57", None)]


def test_the_roster_is_matched_to_members_already_present(session):
    session.add_all(
        [
            Member(
                line_user_id="U" + "1" * 32, full_name="สมชาย ใจดี", phone="0812345678", province_code="57"
            ),
            # Two members who could both be นางสาวมาลี ศรีสุข of แม่สาย: ambiguous, never guessed.
            Member(
                line_user_id="U" + "2" * 32, full_name="มาลี ศรีสุข", province_code="57", district_code="5709"
            ),
            Member(
                line_user_id="U" + "3" * 32,
                full_name="น.ส.มาลี ศรีสุข",
                province_code="57",
                district_code="5709",
            ),
        ]
    )
    session.commit()
    report = run(session, office_workbook(), name="พช. เชียงราย", province_code="57")
    assert report.matching is not None
    assert (report.matching.matched, report.matching.by_phone, len(report.matching.ambiguous)) == (1, 1, 1)
    somchai = session.scalars(select(RosterEntry).where(RosterEntry.line_no == 5)).one()
    assert somchai.member_id is not None and somchai.match_method == "phone"
    assert list_rosters(session)[0] | {"uploaded_at": None, "updated_at": None} == {
        "id": report.roster_id,
        "name": "พช. เชียงราย",
        "filename": "รายชื่อ.xlsx",
        "province_code": "57",
        "district_code": None,
        "organisation_id": None,
        "uploaded_at": None,
        "version": 1,
        "updated_at": None,
        "entries": 3,
        "matched": 1,
    }


def test_a_roster_of_one_organisation_fills_rows_that_leave_it_out(session):
    data = "ชื่อ-สกุล,หน่วยงาน,อำเภอ\nนายสมชาย ใจดี,,แม่สาย\nนางวิไล คำแสน,กรมที่ดิน,แม่สาย\n".encode()
    report = run(session, data, name="พช. แม่สาย", district_code="5709", organisation="พช.")
    assert (report.province_code, report.entries, report.bad_rows) == ("57", 2, [])
    catalogue = Catalogue(session)
    organisations = session.scalars(select(RosterEntry.organisation_id).order_by(RosterEntry.line_no)).all()
    assert organisations == [
        catalogue.find(catalogue.organisations, "cdd").id,
        catalogue.find(catalogue.organisations, "dol").id,
    ]
    assert session.get(Roster, report.roster_id).organisation_id == organisations[0]
    with pytest.raises(RosterError, match="Unknown organisation"):
        run(session, data, name="x", organisation="กรมที่ไม่มี")


def test_files_and_options_that_cannot_be_used(session):
    with pytest.raises(TabularError, match="no name column"):
        run(session, "จังหวัด,อำเภอ\nเชียงราย,แม่สาย\n".encode(), name="x")
    with pytest.raises(RosterError, match="Unknown province"):
        run(session, "ชื่อ-สกุล\nสมชาย ใจดี\n".encode(), name="x", province_code="99")
    with pytest.raises(RosterError, match="needs a name"):
        run(session, "ชื่อ-สกุล\nสมชาย ใจดี\n".encode(), name="  ")


def test_the_roster_commands(env, tmp_path: Path):
    path = tmp_path / "รายชื่อ.xlsx"
    path.write_bytes(office_workbook())
    runner = CliRunner(env={"COLUMNS": "200"})
    strict = runner.invoke(
        app, ["roster", "import", str(path), "--name", "x", "--province", "57", "--strict"]
    )
    assert strict.exit_code == 1 and "Nothing was stored (--strict)" in strict.stdout
    done = runner.invoke(app, ["roster", "import", str(path), "--name", "พช. เชียงราย", "--province", "57"])
    assert done.exit_code == 0, done.output
    assert "3 people stored" in done.stdout and "no district 'บางรัก' in จ.เชียงราย" in done.stdout
    assert "Matched to members now: 0" in done.stdout
    listed = runner.invoke(app, ["roster", "list", "--province", "เชียงราย", "--json"])
    assert [(r["name"], r["entries"]) for r in __import__("json").loads(listed.stdout)["rosters"]] == [
        ("พช. เชียงราย", 3)
    ]
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00" * 1000)
    refused = runner.invoke(app, ["roster", "import", str(junk), "--name", "x"])
    assert refused.exit_code == 1 and "binary" in refused.stderr
