"""A roster uploaded again: which people on the new list are the people already on it, and what changed.

Offices upload their list again when people move, retire, are added or a typo is fixed. The new list becomes
the roster's next version instead of a second roster, so coverage does not count anyone twice:

- The same person keeps their entry (same id), so the personal invite printed for them and their match to a
  member survive; their details are updated from the new list. The same person is the same name (without
  titles) in the same province and district (a blank district fits any), or, failing that, the same phone
  when that phone is on one row only of the old list and of the new one (a typo fixed in the name; an
  office phone shared by several people proves nothing).
- A blank district or subdistrict in the new list keeps the one known before (from an earlier file, or learnt
  from the member's survey answers), as a blank cell does in the members import.
- People no longer on the list are deleted from the roster. Coverage counts every roster entry as expected,
  so a kept-but-marked entry would go on counting wherever an entry is read; nothing else refers to an entry
  (the entry points to its invite and its member, not the other way round). Their invite is a row of its own
  and stays valid: a printed code still opens the survey and the join is still credited to it; the person
  is simply no longer expected, and if they have joined they count as a follower on no roster.
- Matching to members runs again for the added and updated entries only.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.members.matching import RosterMatchReport, district_fits, match_roster, unique_pairs
from boktor.members.models import Roster, RosterEntry, update_entries

_CHUNK = 1000


@dataclass
class Replacement:
    """How the new list differs from the roster's entries; the entries it changes, by id."""

    kept: int = 0  # the same people, nothing changed
    changes: list[dict[str, Any]] = field(default_factory=list)  # updated people's new values, by id
    moved: list[dict[str, Any]] = field(default_factory=list)  # unchanged people on another line of the file
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def same_people(old: Sequence[Row], new: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Which old entry (by id) each row of the new list is (by position), for those already on the roster."""
    claimed: dict[int, int] = {}
    taken: set[int] = set()
    by_name: dict[tuple, list[Row]] = defaultdict(list)
    for entry in old:
        by_name[(entry.name_key, entry.province_code)].append(entry)

    def closeness(entry: Row, row: dict[str, Any]) -> tuple:
        # Two people of one name in one district: their phone, subdistrict or place on the list tells them apart.
        return (
            entry.phone is not None and entry.phone == row["phone"],
            entry.subdistrict_code == row["subdistrict_code"],
            entry.line_no == row["line_no"],
            -entry.id,
        )

    # Same district first, so that a row with a blank district does not take the entry another row fits exactly.
    for fits_district in (operator.eq, district_fits):
        for index, row in enumerate(new):
            if index in claimed:
                continue
            fits = [
                entry
                for entry in by_name.get((row["name_key"], row["province_code"]), ())
                if entry.id not in taken and fits_district(entry.district_code, row["district_code"])
            ]
            if fits:
                best = max(fits, key=lambda entry: closeness(entry, row))
                claimed[index] = best.id
                taken.add(best.id)

    # Failing that, a phone on one row only of each list (as members are matched by phone).
    old_by_phone: dict[str, set[int]] = defaultdict(set)
    for entry in old:
        if entry.phone:
            old_by_phone[entry.phone].add(entry.id)
    pairs, _ = unique_pairs(
        {index: old_by_phone[row["phone"]] for index, row in enumerate(new) if row["phone"] in old_by_phone}
    )
    for index, entry_id in pairs.items():
        if index not in claimed and entry_id not in taken:
            claimed[index] = entry_id
            taken.add(entry_id)
    return claimed


def plan_replacement(old: Sequence[Row], new: Sequence[dict[str, Any]]) -> Replacement:
    """What replacing the entries `old` by the rows `new` keeps, updates, adds and removes."""
    plan = Replacement()
    claimed = same_people(old, new)
    entries = {entry.id: entry for entry in old}
    for index, row in enumerate(new):
        entry_id = claimed.get(index)
        if entry_id is None:
            plan.added.append(row)
            continue
        entry = entries[entry_id]
        values = dict(row)
        if (
            values["district_code"] is None
            and entry.district_code
            and entry.province_code == row["province_code"]
        ):
            values["district_code"] = entry.district_code
            values["subdistrict_code"] = values["subdistrict_code"] or entry.subdistrict_code
        if any(getattr(entry, column) != value for column, value in values.items() if column != "line_no"):
            plan.changes.append({"id": entry_id, **values})
        else:
            plan.kept += 1
            # Only the line moves: writing the indexed columns again would cost most of a large upload.
            if entry.line_no != values["line_no"]:
                plan.moved.append({"id": entry_id, "line_no": values["line_no"]})
    plan.removed = sorted(set(entries) - set(claimed.values()))
    return plan


def replace_entries(
    session: Session, roster: Roster, rows: Sequence[dict[str, Any]], *, filename: str | None, dry_run: bool
) -> tuple[Replacement, RosterMatchReport | None]:
    """Make `rows` the roster's next version (see the module's docstring); a dry run only plans it."""
    entries = RosterEntry.__table__
    old = session.execute(select(entries).where(entries.c.roster_id == roster.id)).all()
    plan = plan_replacement(old, rows)
    if dry_run:
        return plan, None
    update_entries(session, plan.changes)
    update_entries(session, plan.moved)
    for start in range(0, len(plan.removed), _CHUNK):
        session.execute(delete(RosterEntry).where(RosterEntry.id.in_(plan.removed[start : start + _CHUNK])))
    added: list[int] = []
    if plan.added:
        added = list(
            session.scalars(
                insert(RosterEntry).returning(RosterEntry.id, sort_by_parameter_order=True),
                [{**row, "roster_id": roster.id} for row in plan.added],
            )
        )
    roster.version += 1
    roster.updated_at = utcnow()
    roster.filename = (filename or "")[:255] or None
    roster.row_count = len(rows)
    return plan, match_roster(session, roster.id, only={*(change["id"] for change in plan.changes), *added})
