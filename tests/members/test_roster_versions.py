"""An office uploads its roster again when people move, retire, join or a typo is fixed: one roster, a new version."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from boktor.cli import app
from boktor.cli.common import console
from boktor.members.invites import ensure_person_invites, find_invite
from boktor.members.matching import match_member
from boktor.members.models import Invite, JoinedVia, Roster, RosterEntry
from boktor.members.rosters import ROSTER_COLUMNS, import_roster, list_rosters
from boktor.members.tabular import open_table
from boktor.reports.coverage import coverage
from boktor.reports.scope import Scope
from tests.reports.people import member

HEADER = ["ที่", "คำนำหน้า", "ชื่อ", "นามสกุล", "ตำแหน่ง", "อำเภอ", "ตำบล", "เบอร์โทรศัพท์"]
# The list of January: four people of สำนักงานพัฒนาชุมชนจังหวัดเชียงราย.
JANUARY = [
    [1, "นาย", "สมชาย", "ใจดี", "พัฒนาการอำเภอ", "แม่สาย", "เวียงพางคำ", "081-234-5678"],
    [2, "นางสาว", "มาลี", "ศรีสุข", "นักวิชาการพัฒนาชุมชน", "แม่สาย", "ศรีเมืองชุม", None],
    [3, "นาย", "ทองคำ", "มีสุก", "เจ้าหน้าที่ประสานงาน", "เมืองเชียงราย", None, 891112222],  # typo: มีสุข
    [4, "นาย", "บุญมี", "ทองมา", "พัฒนาการอำเภอ", "แม่จัน", None, "0893334444"],
]
# The list of March: บุญมี retired, มาลี moved to ต.เวียงพางคำ, ทองคำ's surname is fixed (his phone tells
# it is him), วิไล is new, and one row has no name.
MARCH = [
    [1, "นาย", "สมชาย", "ใจดี", "พัฒนาการอำเภอ", "แม่สาย", "เวียงพางคำ", "0812345678"],
    [2, "นางสาว", "มาลี", "ศรีสุข", "นักวิชาการพัฒนาชุมชน", "แม่สาย", "เวียงพางคำ", None],
    [3, "นาย", "ทองคำ", "มีสุข", "เจ้าหน้าที่ประสานงาน", "เมืองเชียงราย", None, "089-111-2222"],
    [4, "นาง", "วิไล", "คำแสน", "นักวิชาการพัฒนาชุมชน", "เวียงชัย", None, None],
    [5, None, None, None, "พัฒนาการอำเภอ", "แม่จัน", None, None],
]


def workbook(rows: list[list]) -> bytes:
    """The office's Excel file: a title row above the header, as offices keep it."""
    book = Workbook()
    sheet = book.active
    sheet.append(["บัญชีรายชื่อบุคลากรกรมการพัฒนาชุมชน จังหวัดเชียงราย"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(session, rows: list[list], name: str = "พช. เชียงราย", **options):
    with open_table(io.BytesIO(workbook(rows)), ROSTER_COLUMNS, filename="รายชื่อ.xlsx") as table:
        report = import_roster(
            session, table, name=name, filename="รายชื่อ.xlsx", province_code="57", **options
        )
    session.commit()
    return report


def entries_by_name(session) -> dict[str, RosterEntry]:
    return {e.name_key: e for e in session.scalars(select(RosterEntry))}


def expected_in_chiang_rai(session) -> tuple[int, int, int]:
    total = coverage(session, Scope(province_code="57")).total
    return total.expected, total.joined, total.not_on_roster


def test_an_updated_roster_replaces_the_old_one_and_printed_invites_still_work(session):
    somchai = member(session, "สมชาย ใจดี", district="5709", phone="0812345678")
    boonmee = member(session, "บุญมี ทองมา", district="5707", phone="0893334444")
    session.commit()
    first = upload(session, JANUARY)
    assert (first.version, first.added, first.replaced) == (1, 4, False)
    assert first.matching is not None and first.matching.by_phone == 2
    ensure_person_invites(session, first.roster_id)  # the office prints everyone's personal QR code
    session.commit()
    before = {key: (e.id, e.invite_id) for key, e in entries_by_name(session).items()}
    codes = {key: session.get(Invite, invite_id).code for key, (_, invite_id) in before.items()}
    assert expected_in_chiang_rai(session) == (4, 2, 0)

    second = upload(session, MARCH)

    assert (second.roster_id, second.version, second.replaced) == (first.roster_id, 2, True)
    assert (second.kept, second.updated, second.added, second.removed) == (1, 2, 1, 1)
    assert second.entries == 4
    assert [(bad.line, bad.column, bad.message) for bad in second.bad_rows] == [(7, "full_name", "no name")]
    # Not doubled: four expected, one roster; บุญมี is a follower on no roster now.
    assert expected_in_chiang_rai(session) == (4, 1, 1)
    assert session.scalar(select(func.count(Roster.id))) == 1
    now = entries_by_name(session)
    assert set(now) == {"สมชายใจดี", "มาลีศรีสุข", "ทองคำมีสุข", "วิไลคำแสน"}
    assert (now["สมชายใจดี"].id, now["สมชายใจดี"].invite_id) == before["สมชายใจดี"]
    assert now["สมชายใจดี"].member_id == somchai.id  # the match survives
    assert (now["มาลีศรีสุข"].id, now["มาลีศรีสุข"].subdistrict_code) == (before["มาลีศรีสุข"][0], "570906")
    assert (now["ทองคำมีสุข"].id, now["ทองคำมีสุข"].invite_id) == before["ทองคำมีสุก"]
    assert now["ทองคำมีสุข"].full_name == "นายทองคำ มีสุข"
    assert now["วิไลคำแสน"].invite_id is None and now["วิไลคำแสน"].district_code == "5702"
    roster = session.get(Roster, first.roster_id)
    assert (roster.version, roster.row_count) == (2, 4) and roster.updated_at >= roster.uploaded_at

    # มาลี scans the personal QR code printed in January: it still leads to her entry.
    malee = member(session, "มาลี ศรีสุข", district="5709")
    joined = match_member(session, malee, codes["มาลีศรีสุข"])
    assert (joined.entry_id, joined.method) == (before["มาลีศรีสุข"][0], "invite")
    # บุญมี's printed code still works as a link, and the join is credited to it; he is just not expected.
    retired_invite = find_invite(session, codes["บุญมีทองมา"])
    assert retired_invite is not None and retired_invite.label == "นายบุญมี ทองมา"
    result = match_member(session, boonmee, codes["บุญมีทองมา"])
    assert not result.matched and boonmee.invite_id == retired_invite.id
    assert boonmee.joined_via == JoinedVia.invite
    assert result.notes == ["the person of this personal invite is no longer on a roster"]


def test_matching_runs_again_for_the_changed_entries_only(session):
    upload(session, JANUARY)
    # Two members arrive without being matched (say, imported from another system's list).
    malee = member(session, "มาลี ศรีสุข", district="5709")
    thongkham = member(session, "ทองคำ มีสุข", district="5701")
    session.commit()

    second = upload(session, MARCH)

    # ทองคำ's entry changed and is matched now (by phone? no: his member has none; by name and area);
    # มาลี's changed too; วิไล is new and nobody fits her.
    assert second.matching is not None
    assert (second.matching.matched, second.matching.by_name_area, second.matching.unmatched) == (2, 2, 1)
    now = entries_by_name(session)
    assert now["มาลีศรีสุข"].member_id == malee.id and now["ทองคำมีสุข"].member_id == thongkham.id
    # สมชาย's entry did not change, so it was not matched again, even though a member fits it now.
    somchai = member(session, "สมชาย ใจดี", district="5709")
    session.commit()
    third = upload(session, MARCH)
    assert (third.kept, third.updated, third.added, third.removed) == (4, 0, 0, 0)
    assert third.matching is not None and third.matching.matched == 0
    assert entries_by_name(session)["สมชายใจดี"].member_id is None
    assert match_member(session, somchai).entry_id == now["สมชายใจดี"].id  # when he answers the survey


def test_a_blank_area_in_the_new_file_keeps_the_area_a_member_gave(session):
    rows = [[1, "นาย", "ประเสริฐ", "วงศ์ใหญ่", None, None, None, "0861234567"]]
    upload(session, rows)
    # He answers the survey: matched by phone, and his entry learns his district from his answers.
    joined = member(session, "ประเสริฐ วงศ์ใหญ่", district="5709", subdistrict="570906", phone="0861234567")
    assert match_member(session, joined).method == "phone"
    session.commit()
    assert entries_by_name(session)["ประเสริฐวงศ์ใหญ่"].district_code == "5709"

    again = upload(session, rows)

    assert (again.kept, again.updated) == (1, 0)
    entry = entries_by_name(session)["ประเสริฐวงศ์ใหญ่"]
    assert (entry.district_code, entry.subdistrict_code, entry.member_id) == ("5709", "570906", joined.id)


def test_a_dry_run_stores_nothing_and_new_keeps_a_separate_roster(session):
    first = upload(session, JANUARY)
    versions = [(r["id"], r["version"], r["entries"]) for r in list_rosters(session)]

    preview = upload(session, MARCH, dry_run=True)

    assert (preview.roster_id, preview.version, preview.dry_run) == (first.roster_id, 2, True)
    assert (preview.kept, preview.updated, preview.added, preview.removed) == (1, 2, 1, 1)
    assert preview.matching is None
    assert [(r["id"], r["version"], r["entries"]) for r in list_rosters(session)] == versions
    assert set(entries_by_name(session)) == {"สมชายใจดี", "มาลีศรีสุข", "ทองคำมีสุก", "บุญมีทองมา"}
    brand_new = upload(session, [JANUARY[0]], name="ใหม่", dry_run=True)
    assert (brand_new.roster_id, brand_new.added, brand_new.replaced) == (None, 1, False)
    assert session.scalar(select(func.count(Roster.id))) == 1

    separate = upload(session, MARCH, replace=False)

    assert separate.roster_id != first.roster_id and (separate.version, separate.added) == (1, 4)
    assert session.scalar(select(func.count(RosterEntry.id))) == 8


def test_only_a_roster_of_the_same_scope_is_replaced(session):
    provincial = upload(session, JANUARY)
    one_district = upload(session, [JANUARY[0], JANUARY[1]], district_code="5709")
    of_cdd = upload(session, JANUARY, organisation="cdd")
    assert len({provincial.roster_id, one_district.roster_id, of_cdd.roster_id}) == 3

    again = upload(session, [JANUARY[0]], district_code="แม่สาย")

    assert (again.roster_id, again.version, again.removed) == (one_district.roster_id, 2, 1)
    assert [r["version"] for r in list_rosters(session) if r["id"] != one_district.roster_id] == [1, 1]


def test_the_same_person_twice_on_the_old_list_is_kept_once_per_row(session):
    # Two people of the same name in one district, told apart by their subdistricts.
    rows = [
        [1, "นาย", "สมชาย", "ใจดี", None, "แม่สาย", "เวียงพางคำ", None],
        [2, "นาย", "สมชาย", "ใจดี", None, "แม่สาย", "ศรีเมืองชุม", None],
    ]
    upload(session, rows)
    ids = {e.subdistrict_code: e.id for e in session.scalars(select(RosterEntry))}

    again = upload(session, list(reversed(rows)))

    assert (again.kept, again.updated, again.added, again.removed) == (2, 0, 0, 0)
    assert {e.subdistrict_code: e.id for e in session.scalars(select(RosterEntry))} == ids


def test_the_roster_commands_replace_preview_and_list_versions(env, tmp_path: Path, monkeypatch):
    january, march = tmp_path / "มกราคม.xlsx", tmp_path / "มีนาคม.csv"
    january.write_bytes(workbook(JANUARY))
    # March arrives as CSV, saved by Excel in Windows-874.
    march.write_bytes(
        "\r\n".join(
            ",".join("" if cell is None else str(cell) for cell in row) for row in [HEADER, *MARCH]
        ).encode("cp874")
    )
    runner = CliRunner(env={"COLUMNS": "200"})
    base = ["roster", "import", "--name", "พช. เชียงราย", "--province", "57"]

    def said(result) -> str:
        """What the command printed, as one line (the console wraps long lines at its width)."""
        return " ".join(result.stdout.split())

    done = runner.invoke(app, [*base[:2], str(january), *base[2:]])
    assert done.exit_code == 0, done.output
    assert "Roster 1 'พช. เชียงราย' version 1: 4 people stored from มกราคม.xlsx" in said(done)

    preview = runner.invoke(app, [*base[:2], str(march), *base[2:], "--dry-run", "--json"])
    assert preview.exit_code == 0, preview.output
    body = json.loads(preview.stdout)
    assert (body["roster_id"], body["version"], body["dry_run"]) == (1, 2, True)
    assert [body[k] for k in ("kept", "updated", "added", "removed")] == [1, 2, 1, 1]
    assert [(bad["line"], bad["column"]) for bad in body["bad_rows"]] == [(6, "full_name")]

    plain = runner.invoke(app, [*base[:2], str(march), *base[2:], "--dry-run"])
    assert "would be version 2: kept 1, updated 2, added 1, removed 1" in said(plain)
    assert "Nothing was stored (--dry-run)." in said(plain)

    replaced = runner.invoke(app, [*base[:2], str(march), *base[2:]])
    assert replaced.exit_code == 0, replaced.output
    assert "Roster 1 'พช. เชียงราย' version 2 from มีนาคม.csv: kept 1, updated 2, added 1, removed 1" in said(
        replaced
    )
    separate = runner.invoke(app, [*base[:2], str(january), *base[2:], "--new", "--json"])
    assert separate.exit_code == 0 and json.loads(separate.stdout)["roster_id"] == 2

    listed = runner.invoke(app, ["roster", "list", "--json"])
    rows = json.loads(listed.stdout)["rosters"]
    assert [(r["id"], r["version"], r["entries"], r["filename"]) for r in rows] == [
        (2, 1, 4, "มกราคม.xlsx"),
        (1, 2, 4, "มีนาคม.csv"),
    ]
    assert rows[1]["updated_at"] > rows[1]["uploaded_at"]
    # As wide as an office's screen whatever ran before (the console fixes its width when first made).
    monkeypatch.setattr(console, "_width", 200)
    table = runner.invoke(app, ["roster", "list"])
    assert table.exit_code == 0 and "version" in table.stdout and "updated" in table.stdout
    assert rows[1]["updated_at"][:16] in table.stdout
