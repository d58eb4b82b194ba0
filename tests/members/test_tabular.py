"""Files as offices really keep them are read; files that are not tables get a plain reason."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from boktor.members.tabular import TabularError, open_table

ALIASES = {
    "full_name": ("ชื่อ-สกุล", "ชื่อ-นามสกุล", "full name"),
    "district": ("อำเภอ", "district"),
    "village": ("หมู่", "หมู่ที่"),
    "phone": ("โทรศัพท์", "เบอร์โทรศัพท์"),
}

OFFICE_CSV = (
    "บัญชีรายชื่อบุคลากร สำนักงานพัฒนาชุมชนจังหวัดเชียงราย\n"
    "ข้อมูล ณ วันที่ 1 มกราคม 2568\n"
    "\n"
    "ลำดับ,ชื่อ - สกุล,อำเภอ,หมู่ที่,เบอร์โทรศัพท์ (มือถือ)\n"
    "1,นายสมชาย  ใจดี,แม่สาย,๓,812345678\n"
    ",,,,\n"
    '2,"นางวิไล\nคำแสน",อ.เมือง,,089-111-2222\n'
    "ลำดับ,ชื่อ - สกุล,อำเภอ,หมู่ที่,เบอร์โทรศัพท์ (มือถือ)\n"
    "3,นายบุญมี ทองมา,เวียงชัย,4,\n"
    "รวม 3 คน,,,,\n"
    ",ลงชื่อ ........................ ผู้รายงาน,,,\n"
    ",(นางมาลี ศรีสุข),,,\n"
    ",พัฒนาการจังหวัดเชียงราย,,,\n"
)


def _read(data: bytes, aliases=ALIASES) -> tuple[list[tuple[int, dict]], object]:
    with open_table(io.BytesIO(data), aliases, filename="roster.csv") as table:
        return [(row.line, row.values) for row in table], table


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874", "tis-620", "utf-16"])
def test_an_office_csv_in_any_encoding_excel_saves(encoding):
    rows, table = _read(OFFICE_CSV.encode(encoding))
    assert table.header_line == 4
    assert table.fields == ["full_name", "district", "village", "phone"]
    assert table.ignored_columns == ["ลำดับ"]
    # Title rows, blank rows, the header repeated on a new page, totals and the signature block (the
    # signer's name and position below it) are skipped; a cell over two lines counts from its first.
    people = [(line, values["full_name"]) for line, values in rows]
    assert people == [(5, "นายสมชาย ใจดี"), (7, "นางวิไล คำแสน"), (10, "นายบุญมี ทองมา")]
    assert rows[0][1] == {
        "full_name": "นายสมชาย ใจดี",
        "district": "แม่สาย",
        "village": "๓",
        "phone": "812345678",
    }
    assert table.skipped["header"] == 1
    assert table.skipped == {"blank": 2, "footer": 3, "header": 1}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found(delimiter):
    text = f"full name{delimiter}district\nสมชาย ใจดี{delimiter}แม่สาย\n"
    rows, _ = _read(text.encode())
    assert rows == [(2, {"full_name": "สมชาย ใจดี", "district": "แม่สาย"})]


def test_an_excel_sheet_with_title_rows_merged_cells_and_number_cells():
    book = Workbook()
    sheet = book.active
    sheet.title = "รายชื่อ"
    sheet.append(["บัญชีรายชื่อผู้ใหญ่บ้าน อำเภอแม่สาย"])
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(["ที่", "ชื่อ-นามสกุล", "อำเภอ", "หมู่ที่", "โทรศัพท์"])
    sheet.append([1, "นายสมชาย ใจดี", "แม่สาย", 3.0, 812345678.0])  # number cells, as Excel keeps them
    sheet.append([2, "นางวิไล คำแสน", None, 4, 891112222])
    sheet.append([3, "นายบุญมี ทองมา", None, 5, None])
    sheet.merge_cells("C4:C6")  # one district cell for three people
    sheet.append([None, None, None, None, None])
    sheet.append(["รวมทั้งสิ้น 3 คน"])
    path_buffer = io.BytesIO()
    book.save(path_buffer)
    with open_table(io.BytesIO(path_buffer.getvalue()), ALIASES, filename="roster.xlsx") as table:
        rows = [(row.line, row.values) for row in table]
        assert table.sheet == "รายชื่อ"
    assert rows == [
        (4, {"full_name": "นายสมชาย ใจดี", "district": "แม่สาย", "village": "3", "phone": "812345678"}),
        (5, {"full_name": "นางวิไล คำแสน", "district": "แม่สาย", "village": "4", "phone": "891112222"}),
        (6, {"full_name": "นายบุญมี ทองมา", "district": "แม่สาย", "village": "5", "phone": ""}),
    ]


def test_the_header_may_be_on_another_sheet(tmp_path: Path):
    book = Workbook()
    book.active.append(["คำอธิบาย: กรอกรายชื่อในแผ่นงานถัดไป"])
    data = book.create_sheet("ข้อมูล")
    data.append(["full name", "district"])
    data.append(["สมชาย ใจดี", "แม่สาย"])
    path = tmp_path / "two-sheets.xlsx"
    book.save(path)
    with open_table(path, ALIASES) as table:
        assert table.sheet == "ข้อมูล"
        assert [row.values["full_name"] for row in table] == ["สมชาย ใจดี"]


def _error(data: bytes, filename: str = "upload.csv") -> str:
    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(data), ALIASES, filename=filename)
    return str(caught.value)


def test_an_empty_file():
    assert _error(b"") == "upload.csv is empty."
    assert "no rows" in _error(b"\n\n  \n")


def test_a_file_without_a_recognisable_header():
    message = _error("ก,ข,ค\n1,2,3\n".encode())
    assert "No header row found in the first 30 rows" in message
    assert "ชื่อ-สกุล" in message


def test_a_binary_file():
    assert "binary" in _error(bytes(range(256)) * 40)


def test_an_old_xls_and_a_broken_xlsx():
    assert "Excel 97–2003 (.xls)" in _error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "cannot be read as an Excel workbook" in _error(b"PK\x03\x04" + b"junk" * 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "cannot be read as an Excel workbook" in _error(buffer.getvalue(), "roster.xlsx")


def test_twenty_megabytes_of_junk_are_refused_quickly_without_reading_them_whole(tmp_path: Path):
    random_bytes = tmp_path / "random.csv"
    random_bytes.write_bytes(os.urandom(20 * 1024 * 1024))
    one_long_line = tmp_path / "line.csv"
    one_long_line.write_bytes(b"full name," + b"x" * (20 * 1024 * 1024))
    many_lines = tmp_path / "lines.csv"
    with many_lines.open("wb") as file:
        for number in range(400_000):
            file.write(f"{number},lorem ipsum dolor sit amet,{number * 7}\n".encode())
    for path, reason in (
        (random_bytes, "binary"),
        (one_long_line, "Line 1 of line.csv is longer than 1024 KB"),
        (many_lines, "No header row"),
    ):
        with pytest.raises(TabularError, match=reason):
            open_table(path, ALIASES)


def test_a_huge_line_after_the_header_stops_with_its_line_number(tmp_path: Path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"full name,district\n\xe0\xb8\x81,x\n" + b"y" * (2 * 1024 * 1024) + b"\n")
    with open_table(path, ALIASES) as table, pytest.raises(TabularError, match=r"Line 3 .* longer than"):
        list(table)


def test_a_missing_file_and_a_missing_required_column(tmp_path: Path):
    with pytest.raises(TabularError, match="Cannot open"):
        open_table(tmp_path / "nowhere.csv", ALIASES)
    with (
        open_table(io.BytesIO("district\nแม่สาย\n".encode()), ALIASES) as table,
        pytest.raises(TabularError, match="no column for full_name"),
    ):
        table.require("full_name")


def test_progress_is_reported_by_bytes_read():
    data = ("full name,district\n" + "สมชาย ใจดี,แม่สาย\n" * 5000).encode()
    with open_table(io.BytesIO(data), ALIASES) as table:
        assert sum(1 for _ in table) == 5000
        done, total = table.progress()
    assert done == total == len(data)
