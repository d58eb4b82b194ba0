"""An operator imports members from a file: good rows are kept, each bad row is reported by line and column."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.members.importing import MEMBER_COLUMNS, ImportReport, MemberImport
from boktor.members.models import Member, MemberTopic
from boktor.members.tabular import open_table
from boktor.org.catalogue import Catalogue

HEADER = (
    "line_user_id,display_name,full_name,organisation,personnel_type,position,province,district,"
    "subdistrict,village,phone,topics,status,joined_at\n"
)
SOMCHAI = "U" + "0123456789abcdef" * 2
WILAI = "U" + "1" * 32
BUNMEE = "U" + "2" * 32


def uid(number: int) -> str:
    return f"U{number:032x}"


def run_import(session: Session, text: str, **options) -> ImportReport:
    with open_table(io.BytesIO(text.encode("utf-8")), MEMBER_COLUMNS, filename="members.csv") as table:
        report = MemberImport(session, **options).run(table, after_chunk=session.commit)
    session.expire_all()
    return report


def member(session: Session, line_user_id: str) -> Member:
    return session.scalars(select(Member).where(Member.line_user_id == line_user_id)).one()


def test_good_rows_with_thai_text_become_members(session):
    report = run_import(
        session,
        HEADER + f"{SOMCHAI},สมชาย,นายสมชาย ใจดี,พช.,ข้าราชการ,พัฒนาการอำเภอ,จ.เชียงราย,อ.แม่สาย,ต.เวียงพางคำ,หมู่ ๓,"
        '081-234-5678,"นโยบายสำคัญ; ข่าวด่วนและภัยพิบัติ",follower,15/01/2568\n'
        f"{WILAI},วิไล,นางวิไล คำแสน,cdd,civil_servant,นักจัดการงานทั่วไป,57,5701,,,+66 89 111 2222,urgent,blocked,"
        "2025-02-01 09:30\n",
    )
    assert (report.imported, report.updated, report.bad_rows) == (2, 0, [])
    somchai = member(session, SOMCHAI)
    catalogue = Catalogue(session)
    assert somchai.display_name == "สมชาย" and somchai.full_name == "นายสมชาย ใจดี"
    assert somchai.organisation_id == catalogue.find(catalogue.organisations, "cdd").id
    assert somchai.personnel_type_id == catalogue.find(catalogue.personnel_types, "civil_servant").id
    assert somchai.position_id == catalogue.find(catalogue.positions, "district_cd_officer").id
    assert (somchai.province_code, somchai.district_code, somchai.subdistrict_code) == (
        "57",
        "5709",
        "570906",
    )
    assert somchai.village_no == 3 and somchai.phone == "0812345678"
    assert somchai.topic_codes == ["policy", "urgent"]
    assert somchai.status == "follower" and somchai.joined_via == "imported"
    assert somchai.followed_at.isoformat() == "2025-01-14T17:00:00+00:00"  # midnight in Bangkok, B.E. 2568
    wilai = member(session, WILAI)
    assert wilai.position_id is None and wilai.position_text == "นักจัดการงานทั่วไป"
    assert (wilai.province_code, wilai.district_code, wilai.subdistrict_code) == ("57", "5701", None)
    assert wilai.status == "blocked" and wilai.phone == "0891112222"


def test_each_kind_of_bad_row_is_reported_and_good_rows_are_kept(session):
    rows = [
        f"{SOMCHAI},ok,,,,,,,,,,,,",  # line 2: good
        "U123,,,,,,,,,,,,,",  # 3
        ",no id,,,,,,,,,,,,",  # 4
        f"{uid(3)},,,,,,แอตแลนติส,,,,,,,",  # 5
        f"{uid(4)},,,,,,เชียงราย,บางรัก,,,,,,",  # 6
        f"{uid(5)},,,,,,57,1001,,,,,,",  # 7
        f"{uid(6)},,,,,,เชียงราย,แม่สาย,ศรีภูมิ,,,,,",  # 8
        f"{SOMCHAI},again,,,,,,,,,,,,",  # 9
        f"{uid(7)},,,,,,,,,,12345,,,",  # 10
        f"{uid(8)},,,กรมที่ไม่มี,ประเภทแปลก,,,,,,,,,",  # 11
        f"{uid(9)},,,,,,,,,หมู่ 120,,ดนตรี,เพื่อน,พรุ่งนี้",  # 12
        f"{uid(10)},,,,,,,แม่สาย,,,,,,",  # 13
        f"{WILAI},fine too,,,,,,,,,,,,",  # 14: good
    ]
    report = run_import(session, HEADER + "\n".join(rows) + "\n")
    assert (report.imported, report.updated) == (2, 0)
    problems = {(bad.line, bad.column): bad.message for bad in report.bad_rows}
    assert problems == {
        (3, "line_user_id"): "wrong LINE user ID format 'U123': it is U followed by 32 characters 0-9 a-f",
        (4, "line_user_id"): "no LINE user ID",
        (5, "province"): "unknown province 'แอตแลนติส'",
        (6, "district"): "no district 'บางรัก' in จ.เชียงราย",
        (7, "district"): "district 1001 is not in จ.เชียงราย",
        (8, "subdistrict"): "no subdistrict 'ศรีภูมิ' in อ.แม่สาย จ.เชียงราย",
        (9, "line_user_id"): "duplicate: the same LINE user ID is on line 2",
        (10, "phone"): problems[(10, "phone")],
        (11, "organisation"): "unknown organisation 'กรมที่ไม่มี' (see `boktor org list`)",
        (11, "personnel_type"): "unknown personnel type 'ประเภทแปลก' (see `boktor org list`)",
        (12, "village"): "หมู่ที่ 120 is outside 1–99",
        (12, "topics"): "unknown information topic 'ดนตรี'",
        (12, "status"): "unknown status 'เพื่อน': write follower or blocked",
        (12, "joined_at"): problems[(12, "joined_at")],
        (13, "district"): problems[(13, "district")],
    }
    assert "5 digits" in problems[(10, "phone")]
    assert "is not a date" in problems[(12, "joined_at")]
    assert "needs a province" in problems[(13, "district")]
    assert report.bad_row_count == 11
    assert member(session, SOMCHAI).display_name == "ok"
    assert session.scalar(select(func.count()).select_from(Member)) == 2


def test_importing_again_updates_members_instead_of_duplicating_them(session):
    first = run_import(
        session,
        HEADER + f"{SOMCHAI},สมชาย,นายสมชาย ใจดี,พช.,,,เชียงราย,แม่สาย,,3,0812345678,policy;urgent,,\n",
    )
    assert (first.imported, first.updated) == (1, 0)
    # The second file moves him to another district, drops a topic and gives no phone or village:
    # what a row leaves empty is kept as it was.
    second = run_import(
        session,
        HEADER
        + f"{SOMCHAI},สมชาย ใ.,,,,,เชียงราย,เมืองเชียงราย,,,,knowledge,,\n"
        + f"{WILAI},วิไล,,,,,,,,,,,,\n",
    )
    assert (second.imported, second.updated, second.bad_rows) == (1, 1, [])
    assert session.scalar(select(func.count()).select_from(Member)) == 2
    somchai = member(session, SOMCHAI)
    assert somchai.display_name == "สมชาย ใ." and somchai.full_name == "นายสมชาย ใจดี"
    assert (somchai.province_code, somchai.district_code) == ("57", "5701")
    assert somchai.village_no == 3 and somchai.phone == "0812345678"
    assert somchai.topic_codes == ["knowledge"]
    assert session.scalar(select(func.count()).select_from(MemberTopic)) == 1


def test_chunks_are_committed_as_they_go(session, database_url):
    rows = "".join(f"{uid(n)},คนที่ {n},,,,,57,,,,,,,\n" for n in range(1, 12))
    commits: list[int] = []
    with open_table(io.BytesIO((HEADER + rows).encode()), MEMBER_COLUMNS) as table:
        importer = MemberImport(session, chunk_size=4)
        importer.run(table, after_chunk=lambda: (session.commit(), commits.append(importer.report.imported)))
    assert commits == [4, 8, 11]
    assert session.scalar(select(func.count()).select_from(Member).where(Member.province_code == "57")) == 11


def test_an_excel_file_with_number_cells(session, tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["รายชื่อสมาชิกที่ส่งออกจากระบบเดิม"])
    sheet.append(["LINE user ID", "ชื่อ-สกุล", "จังหวัด", "อำเภอ", "หมู่ที่", "โทรศัพท์", "วันที่เข้าร่วม"])
    sheet.append([SOMCHAI, "นางสาวมาลี ศรีสุข", 57.0, 5709.0, 2.0, 812345678.0, None])
    sheet.append([WILAI, "นายทองคำ มีสุข", "น่าน", "ปัว", None, "๐๘๙-๑๑๑-๒๒๒๒", None])
    path = tmp_path / "members.xlsx"
    book.save(path)
    with open_table(path, MEMBER_COLUMNS) as table:
        report = MemberImport(session).run(table, after_chunk=session.commit)
    assert (report.imported, report.bad_rows) == (2, [])
    malee = member(session, SOMCHAI)
    assert (malee.province_code, malee.district_code, malee.village_no, malee.phone) == (
        "57",
        "5709",
        2,
        "0812345678",
    )
    thongkham = member(session, WILAI)
    assert thongkham.district_code.startswith("55") and thongkham.phone == "0891112222"


def test_checking_only_writes_nothing(session):
    report = run_import(session, HEADER + f"{SOMCHAI},a,,,,,,,,,,,,\nU1,,,,,,,,,,,,,\n", write=False)
    assert report.imported == 0 and [bad.line for bad in report.bad_rows] == [3]
    assert session.scalar(select(func.count()).select_from(Member)) == 0


def test_a_member_who_follows_during_the_import_is_updated_not_duplicated(session):
    rows = "".join(f"{uid(n)},คนที่ {n},,,,,57,,,,,,,\n" for n in range(1, 7))

    def someone_follows() -> None:
        session.commit()
        if importer.report.imported == 2:  # after the first chunk, uid(5) adds the account via LINE
            session.add(Member(line_user_id=uid(5), display_name="จาก LINE", status="follower"))
            session.commit()

    with open_table(io.BytesIO((HEADER + rows).encode()), MEMBER_COLUMNS) as table:
        importer = MemberImport(session, chunk_size=2)
        report = importer.run(table, after_chunk=someone_follows)
    assert (report.imported, report.updated, report.bad_rows) == (5, 1, [])
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Member)) == 6
    assert member(session, uid(5)).display_name == "คนที่ 5" and member(session, uid(5)).province_code == "57"
