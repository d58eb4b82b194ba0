"""Exporting members to CSV or Excel with readable Thai names, in the columns the import reads back."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.members.models import Member, MemberTopic
from boktor.org import areas
from boktor.org.models import InformationTopic, Organisation, PersonnelType, Position
from boktor.thai import to_bangkok

EXPORT_COLUMNS = (
    "line_user_id", "display_name", "full_name", "organisation", "personnel_type", "position",
    "province", "district", "subdistrict", "village", "phone", "topics", "status", "joined_at",
)  # fmt: skip
EXPORT_FORMATS = (".csv", ".xlsx")
BATCH = 5000


class ExportError(ValueError):
    """The export cannot be written as asked; the message says why."""


@lru_cache(maxsize=16384)
def _area_name(code: str | None) -> str:
    if not code:
        return ""
    found = {2: areas.province, 4: areas.district, 6: areas.subdistrict}[len(code)](code)
    return found.name_th if found else code


def member_rows(session: Session, *, status: str | None = None) -> Iterator[list[Any]]:
    """Every member (or those of one status) as a row of EXPORT_COLUMNS, in id order, a batch at a time."""
    names = {
        "organisation": dict(session.execute(select(Organisation.id, Organisation.name_th)).all()),
        "personnel_type": dict(session.execute(select(PersonnelType.id, PersonnelType.name_th)).all()),
        "position": dict(session.execute(select(Position.id, Position.name_th)).all()),
    }
    topic_names = dict(session.execute(select(InformationTopic.code, InformationTopic.name_th)).all())
    columns = Member.__table__.c
    last_id = 0
    while True:
        query = select(Member.__table__).where(columns.id > last_id).order_by(columns.id).limit(BATCH)
        if status:
            query = query.where(columns.status == status)
        batch = session.execute(query).mappings().all()
        if not batch:
            return
        last_id = batch[-1]["id"]
        topics: dict[int, list[str]] = {}
        for member_id, code in session.execute(
            select(MemberTopic.member_id, MemberTopic.topic_code)
            .where(MemberTopic.member_id.in_([m["id"] for m in batch]))
            .order_by(MemberTopic.member_id, MemberTopic.topic_code)
        ):
            topics.setdefault(member_id, []).append(topic_names.get(code, code))
        for m in batch:
            followed = m["followed_at"]
            yield [
                m["line_user_id"],
                m["display_name"] or "",
                m["full_name"] or "",
                names["organisation"].get(m["organisation_id"], ""),
                names["personnel_type"].get(m["personnel_type_id"], ""),
                names["position"].get(m["position_id"]) or m["position_text"] or "",
                _area_name(m["province_code"]),
                _area_name(m["district_code"]),
                _area_name(m["subdistrict_code"]),
                m["village_no"] or "",
                m["phone"] or "",
                "; ".join(topics.get(m["id"], [])),
                m["status"],
                to_bangkok(followed).isoformat(sep=" ", timespec="seconds") if followed else "",
            ]


def export_members(session: Session, path: Path, *, status: str | None = None) -> int:
    """Write members to `path` (.csv or .xlsx by its name); the number of members written."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportError(f"Cannot export to {path.name}: the file name must end in .csv or .xlsx.")
    rows = member_rows(session, status=status)
    try:
        return _write_csv(path, rows) if suffix == ".csv" else _write_xlsx(path, rows)
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {error.strerror or error}.") from error


def _write_csv(path: Path, rows: Iterator[list[Any]]) -> int:
    count = 0
    # The BOM makes Excel open the file as UTF-8, so Thai reads correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_xlsx(path: Path, rows: Iterator[list[Any]]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("members")
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for row in rows:
        sheet.append(row)  # phones stay text cells, so Excel keeps their leading 0
        count += 1
    workbook.save(path)
    return count
