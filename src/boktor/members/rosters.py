"""Rosters: an office's list of the personnel it expects to join, read from CSV or Excel and matched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from boktor.audit.service import record as audit
from boktor.members.importing import BadRow
from boktor.members.matching import RosterMatchReport, match_roster
from boktor.members.models import Roster, RosterEntry
from boktor.members.names import name_key
from boktor.members.profile_fields import (
    NAME_COLUMNS,
    PROFILE_COLUMNS,
    ProfileResolver,
    RowProblems,
    person_name,
)
from boktor.members.roster_versions import replace_entries
from boktor.members.tabular import Table, TabularError
from boktor.org import areas
from boktor.org.catalogue import Catalogue

ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {**NAME_COLUMNS, **PROFILE_COLUMNS}
CHUNK_SIZE = 5000
_ENTRY_COLUMNS = (
    "organisation_id", "personnel_type_id", "position_id", "position_text",
    "province_code", "district_code", "subdistrict_code", "village_no", "phone",
)  # fmt: skip


class RosterError(ValueError):
    """The roster cannot be imported as asked (not a row problem); the message says why."""


@dataclass
class RosterReport:
    """What a roster import did (or would do, in a dry run): the roster, its version, and how its people changed.

    `kept` people are on the new list as they were, `updated` ones are the same people with changed details,
    `added` ones are new and `removed` ones are no longer on the list; `entries` = kept + updated + added.
    """

    roster_id: int | None  # None only in a dry run that would create a roster
    name: str
    province_code: str | None
    version: int = 1
    replaced: bool = False  # an earlier version of this roster was replaced
    dry_run: bool = False
    entries: int = 0
    kept: int = 0
    updated: int = 0
    added: int = 0
    removed: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    matching: RosterMatchReport | None = None

    @property
    def bad_row_count(self) -> int:
        return len({bad.line for bad in self.bad_rows})

    def as_dict(self) -> dict[str, Any]:
        return {
            "roster_id": self.roster_id,
            "name": self.name,
            "province_code": self.province_code,
            "version": self.version,
            "replaced": self.replaced,
            "dry_run": self.dry_run,
            "entries": self.entries,
            "kept": self.kept,
            "updated": self.updated,
            "added": self.added,
            "removed": self.removed,
            "bad_rows": [{"line": b.line, "column": b.column, "message": b.message} for b in self.bad_rows],
            "matching": self.matching.to_dict() if self.matching else None,
        }


@dataclass(frozen=True)
class RosterScope:
    """Whose list a roster is: a province, a district and/or one organisation (all None: the whole country)."""

    province_code: str | None = None
    district_code: str | None = None
    organisation_id: int | None = None


def check_table(table: Table) -> None:
    """Refuse a roster file without a name column (full name, or first name and surname)."""
    if "full_name" not in table.fields and not {"first_name", "last_name"} <= set(table.fields):
        raise TabularError(
            f"The header (line {table.header_line}) has no name column: expected ชื่อ-สกุล (full_name), "
            f"or ชื่อ and นามสกุล. Found columns for: {', '.join(table.fields) or 'nothing known'}."
        )


def roster_scope(
    catalogue: Catalogue,
    province_code: str | None = None,
    district_code: str | None = None,
    organisation: str | None = None,
) -> RosterScope:
    """The scope from what an office typed: codes or Thai names; a district gives its province."""
    if province_code is not None:
        found = areas.find_province(province_code)
        if found is None:
            raise RosterError(f"Unknown province {province_code!r}: give its code (57) or Thai name.")
        province_code = found.code
    if district_code is not None:
        district = areas.find_district(district_code, province_code)
        if district is None:
            raise RosterError(f"Unknown district {district_code!r} for this roster.")
        district_code, province_code = district.code, district.province_code
    organisation_id = None
    if organisation:
        found_organisation = catalogue.find(catalogue.organisations, organisation)
        if found_organisation is None:
            raise RosterError(f"Unknown organisation {organisation!r} (see `boktor org list`).")
        organisation_id = found_organisation.id
    return RosterScope(province_code, district_code, organisation_id)


def import_roster(
    session: Session,
    table: Table,
    *,
    name: str,
    filename: str | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    organisation: str | None = None,
    uploaded_by_id: int | None = None,
    replace: bool = True,
    dry_run: bool = False,
) -> RosterReport:
    """Store the good rows of `table` as a roster, report the bad ones, then match the new people to members.

    A roster with this name and the same scope is replaced as its next version (see `replace_entries`),
    unless `replace` is false; a dry run reports the same counts and stores nothing.
    """
    name = name.strip()
    if not name:
        raise RosterError("A roster needs a name (--name), e.g. 'บุคลากร พช. เชียงราย 2568'.")
    catalogue = Catalogue(session)
    scope = roster_scope(catalogue, province_code, district_code, organisation)
    check_table(table)
    name = name[:200]
    earlier = _roster_to_replace(session, name, scope) if replace else None
    report = RosterReport(
        roster_id=earlier.id if earlier else None,
        name=name,
        province_code=scope.province_code,
        version=earlier.version + 1 if earlier else 1,
        replaced=earlier is not None,
        dry_run=dry_run,
    )
    rows = _good_rows(table, ProfileResolver(catalogue, province_code=scope.province_code), scope, report)
    if earlier is not None:
        plan, report.matching = replace_entries(
            session, earlier, list(rows), filename=filename, dry_run=dry_run
        )
        report.kept, report.updated = plan.kept, len(plan.changes)
        report.added, report.removed = len(plan.added), len(plan.removed)
        report.entries = report.kept + report.updated + report.added
    elif dry_run:
        report.added = report.entries = sum(1 for _ in rows)
    else:
        roster = Roster(
            name=name,
            filename=(filename or "")[:255] or None,
            province_code=scope.province_code,
            district_code=scope.district_code,
            organisation_id=scope.organisation_id,
            uploaded_by_id=uploaded_by_id,
        )
        session.add(roster)
        session.flush()
        report.roster_id = roster.id
        for chunk in _chunks(rows, CHUNK_SIZE):
            session.execute(
                insert(RosterEntry.__table__), [{**entry, "roster_id": roster.id} for entry in chunk]
            )
            report.entries += len(chunk)
        report.added = roster.row_count = report.entries
        report.matching = match_roster(session, roster.id)
    report.skipped = dict(table.skipped)
    return report


def _same(column, value):
    """SQL: `column` holds `value`, NULL matching None."""
    return column.is_(None) if value is None else column == value


def _roster_to_replace(session: Session, name: str, scope: RosterScope) -> Roster | None:
    """The newest roster of this name and scope, locked so that two uploads of it take turns."""
    return session.scalars(
        select(Roster)
        .where(
            Roster.name == name,
            _same(Roster.province_code, scope.province_code),
            _same(Roster.district_code, scope.district_code),
            _same(Roster.organisation_id, scope.organisation_id),
        )
        .order_by(Roster.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def _good_rows(
    table: Table, resolver: ProfileResolver, scope: RosterScope, report: RosterReport
) -> Iterator[dict[str, Any]]:
    """The entries of the good rows, in file order; bad rows go to the report instead."""
    seen: dict[tuple, int] = {}
    for row in table:
        problems = RowProblems(row.line)
        full_name = person_name(row)
        if not full_name:
            problems.add("full_name", "no name")
        elif len(full_name) > 200:
            problems.add("full_name", "longer than 200 characters")
        values = resolver.resolve(row, problems)
        if scope.district_code and values.get("district_code") not in (None, scope.district_code):
            problems.add(
                "district", f"{areas.area_name(values['district_code'])} is outside this roster's district"
            )
        key = (name_key(full_name), *(values.get(c) for c in _ENTRY_COLUMNS[4:]))
        if not problems and key in seen:
            problems.add(
                "full_name", f"the same person (name, area and phone) is already on line {seen[key]}"
            )
        if problems:
            report.bad_rows.extend(BadRow(row.line, c, m) for c, m in problems.items)
            continue
        seen[key] = row.line
        entry = {column: values.get(column) for column in _ENTRY_COLUMNS}
        # A roster of one district or one organisation says so for rows that leave it out.
        if scope.district_code and not entry["district_code"]:
            entry["district_code"] = scope.district_code
        if scope.organisation_id and not entry["organisation_id"]:
            entry["organisation_id"] = scope.organisation_id
        entry.update(line_no=row.line, full_name=full_name, name_key=key[0])
        yield entry


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def list_rosters(session: Session, *, province_code: str | None = None) -> list[dict[str, Any]]:
    """Rosters (newest first) with their entry and matched counts; only one province's when given."""
    matched = (
        select(RosterEntry.roster_id, func.count(RosterEntry.member_id).label("matched"))
        .group_by(RosterEntry.roster_id)
        .subquery()
    )
    query = (
        select(Roster, func.coalesce(matched.c.matched, 0))
        .outerjoin(matched, matched.c.roster_id == Roster.id)
        .order_by(Roster.uploaded_at.desc(), Roster.id.desc())
    )
    if province_code:
        query = query.where(Roster.province_code == province_code)
    return [
        {
            "id": roster.id,
            "name": roster.name,
            "filename": roster.filename,
            "province_code": roster.province_code,
            "district_code": roster.district_code,
            "organisation_id": roster.organisation_id,
            "uploaded_at": roster.uploaded_at.isoformat(),
            "version": roster.version,
            "updated_at": roster.updated_at.isoformat(),
            "entries": roster.row_count,
            "matched": count,
        }
        for roster, count in session.execute(query).all()
    ]


class RosterNotYours(PermissionError):
    """An office asked to change a roster of another area."""


def delete_roster(
    session: Session,
    roster_id: int,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
    actor_label: str = "",
) -> dict[str, Any]:
    """Remove a roster and its people from what offices expect; what it was (name, people, matched).

    The members it was matched to stay members, and are matched again to the province's other rosters;
    personal invites printed from it still open the survey.
    With `province_code` or `district_code` (an office's scope) only a roster of that area may go. The audit log keeps who
    removed which roster and how many people were on it.
    """
    roster = session.get(Roster, roster_id, with_for_update=True)
    if roster is None:
        raise RosterError(f"There is no roster {roster_id}: `boktor roster list` shows the rosters.")
    for mine, theirs in ((province_code, roster.province_code), (district_code, roster.district_code)):
        if mine and theirs != mine:
            raise RosterNotYours(f"You may remove rosters only of {areas.area_name(mine)}.")
    entries, matched = session.execute(
        select(func.count(), func.count(RosterEntry.member_id)).where(RosterEntry.roster_id == roster_id)
    ).one()
    removed = {
        "id": roster.id,
        "name": roster.name,
        "province_code": roster.province_code,
        "version": roster.version,
        "entries": entries,
        "matched": matched,
        "rematched": 0,
        "dry_run": dry_run,
    }
    if dry_run:
        return removed
    session.execute(delete(RosterEntry).where(RosterEntry.roster_id == roster_id))
    session.delete(roster)
    if matched:
        # Its matched members are free again: another roster of the same province (the twin of a roster
        # uploaded twice, say) may expect them.
        same_province = _same(Roster.province_code, roster.province_code)
        session.flush()
        removed["rematched"] = sum(
            match_roster(session, other).matched
            for other in session.scalars(select(Roster.id).where(same_province, Roster.id != roster_id))
        )
    audit(
        session,
        "roster.deleted",
        "roster",
        roster_id,
        actor_id=actor_id,
        actor_label=actor_label,
        name=roster.name,
        province_code=roster.province_code,
        entries=entries,
        matched=matched,
    )
    return removed
