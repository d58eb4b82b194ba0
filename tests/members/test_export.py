"""Members exported to CSV or Excel read well in Thai and import back to exactly the same members."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select
from typer.testing import CliRunner

from boktor.cli import app
from boktor.members.exporting import EXPORT_COLUMNS, ExportError, export_members
from boktor.members.importing import MEMBER_COLUMNS, MemberImport
from boktor.members.models import Member, MemberTopic
from boktor.members.tabular import open_table

SOURCE = (
    "line_user_id,display_name,full_name,organisation,personnel_type,position,province,district,"
    "subdistrict,village,phone,topics,status,joined_at\n"
    f"U{'1' * 32},สมชาย,นายสมชาย ใจดี,พช.,ข้าราชการ,พัฒนาการอำเภอ,เชียงราย,แม่สาย,เวียงพางคำ,3,0812345678,"
    '"policy,urgent",follower,2025-01-15 10:30\n'
    f"U{'2' * 32},วิไล,นางวิไล คำแสน,เทศบาล,พนักงานราชการ,นักจัดการงานทั่วไป,กรุงเทพมหานคร,บางรัก,,,021234567,,blocked,\n"
    f"U{'3' * 32},,,,,,,,,,,,,\n"
)


def snapshot(session) -> list[tuple]:
    session.expire_all()
    columns = [
        c for c in Member.__table__.c if c.name not in ("id", "created_at", "updated_at", "joined_via")
    ]
    members = session.execute(select(*columns).order_by(Member.line_user_id)).all()
    topics = session.execute(
        select(Member.line_user_id, MemberTopic.topic_code).join(MemberTopic).order_by(Member.line_user_id)
    ).all()
    return [tuple(m) for m in members] + [tuple(t) for t in topics]


def load(session, path_or_bytes) -> None:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with open_table(source, MEMBER_COLUMNS) as table:
        report = MemberImport(session).run(table, after_chunk=session.commit)
    assert report.bad_rows == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_members(session, tmp_path: Path, suffix):
    load(session, SOURCE.encode())
    before = snapshot(session)
    path = tmp_path / f"members{suffix}"
    assert export_members(session, path) == 3

    session.execute(delete(MemberTopic))
    session.execute(delete(Member))
    session.commit()
    load(session, path)
    assert snapshot(session) == before


def test_the_csv_reads_in_thai_for_people(session, tmp_path: Path):
    load(session, SOURCE.encode())
    path = tmp_path / "members.csv"
    export_members(session, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # so that Excel opens it as UTF-8
    with path.open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[0] | {"line_user_id": ""} == {
        "line_user_id": "",
        "display_name": "สมชาย",
        "full_name": "นายสมชาย ใจดี",
        "organisation": "กรมการพัฒนาชุมชน",
        "personnel_type": "ข้าราชการ",
        "position": "พัฒนาการอำเภอ",
        "province": "เชียงราย",
        "district": "แม่สาย",
        "subdistrict": "เวียงพางคำ",
        "village": "3",
        "phone": "0812345678",
        "topics": "นโยบายสำคัญ; ข่าวด่วนและภัยพิบัติ",
        "status": "follower",
        "joined_at": "2025-01-15 10:30:00+07:00",
    }
    assert rows[1]["position"] == "นักจัดการงานทั่วไป" and rows[1]["district"] == "เขตบางรัก"


def test_excel_keeps_phones_as_text(session, tmp_path: Path):
    load(session, SOURCE.encode())
    path = tmp_path / "members.xlsx"
    export_members(session, path, status="blocked")
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 2 and rows[1][10] == "021234567"


def test_export_refuses_other_formats(session, tmp_path: Path):
    with pytest.raises(ExportError, match=r"must end in \.csv or \.xlsx"):
        export_members(session, tmp_path / "members.pdf")


def test_the_export_command(env, session, tmp_path: Path):
    load(session, SOURCE.encode())
    path = tmp_path / "out.xlsx"
    done = CliRunner().invoke(app, ["members", "export", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"exported": 3, "file": str(path)}
    assert len(list(load_workbook(path, read_only=True).active.iter_rows())) == 4
