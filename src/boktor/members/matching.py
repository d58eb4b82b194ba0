"""Matching members to the rosters of expected personnel: by personal invite, else phone, else name and area.

A match is made only when exactly one unmatched entry fits; several candidates are reported, never guessed,
and no member is ever linked to two entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from boktor.db import utcnow
from boktor.members.invites import find_invite
from boktor.members.models import Invite, JoinedVia, Member, RosterEntry, update_entries
from boktor.members.names import name_key


class MatchMethod:
    invite = "invite"
    phone = "phone"
    name_area = "name_area"


# How a join is attributed when the member arrived through an invite of each kind.
_JOINED_VIA = {
    "person": JoinedVia.invite,
    "district": JoinedVia.district,
    "organisation": JoinedVia.organisation,
}


@dataclass(frozen=True)
class Candidate:
    """A roster entry that could be the member (or a member that could be the entry)."""

    entry_id: int
    roster_id: int
    line_no: int
    member_id: int | None = None


@dataclass
class MatchResult:
    """What matching one member found: the linked entry, or the candidates that made it ambiguous."""

    entry_id: int | None = None
    method: str | None = None
    already: bool = False  # the member was linked before this call
    ambiguous: list[Candidate] = field(default_factory=list)
    ambiguous_by: str | None = None  # phone | name_area
    invite_id: int | None = None  # the invite the join was attributed to, if any
    notes: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.entry_id is not None

    def to_dict(self) -> dict:
        return {
            "matched": self.matched,
            "entry_id": self.entry_id,
            "method": self.method,
            "already": self.already,
            "ambiguous_by": self.ambiguous_by,
            "ambiguous": [c.__dict__ for c in self.ambiguous],
            "invite_id": self.invite_id,
            "notes": self.notes,
        }


@dataclass
class AmbiguousEntry:
    """A roster entry left unmatched because several members fit it (or it fits a member like another)."""

    entry_id: int
    line_no: int
    reason: str  # phone | name_area
    member_ids: list[int]


@dataclass
class RosterMatchReport:
    """The result of linking one roster's entries to members already present."""

    roster_id: int
    matched: int = 0
    by_phone: int = 0
    by_name_area: int = 0
    already: int = 0  # entries linked before this run
    unmatched: int = 0
    ambiguous: list[AmbiguousEntry] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "roster_id": self.roster_id,
            "matched": self.matched,
            "by_phone": self.by_phone,
            "by_name_area": self.by_name_area,
            "already": self.already,
            "unmatched": self.unmatched,
            "ambiguous": [a.__dict__ for a in self.ambiguous],
        }


def _is_matched(member_id):
    """SQL: the member is already linked to some roster entry."""
    linked = aliased(RosterEntry)
    return exists().where(linked.member_id == member_id)


def _link(session: Session, entry_id: int, member: Member, method: str) -> bool:
    """Link an entry to the member unless someone else took it meanwhile (a conditional update)."""
    result = session.execute(
        update(RosterEntry)
        .where(RosterEntry.id == entry_id, RosterEntry.member_id.is_(None))
        .values(member_id=member.id, match_method=method, matched_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    _fill_area(session, entry_id, member)
    return True


def _fill_area(session: Session, entry_id: int, member: Member) -> None:
    """Complete an entry's area from what the member answered, where the roster left it blank."""
    if not member.district_code or (member.district_code or "")[:2] != member.province_code:
        return
    entry = session.get_one(RosterEntry, entry_id)
    if entry.province_code not in (None, member.province_code) or entry.district_code:
        return
    entry.province_code = member.province_code
    entry.district_code = member.district_code
    entry.subdistrict_code = entry.subdistrict_code or member.subdistrict_code


def _candidates(session: Session, *conditions) -> list[Candidate]:
    rows = session.execute(
        select(RosterEntry.id, RosterEntry.roster_id, RosterEntry.line_no)
        .where(RosterEntry.member_id.is_(None), *conditions)
        .order_by(RosterEntry.id)
    )
    return [Candidate(entry_id=r.id, roster_id=r.roster_id, line_no=r.line_no) for r in rows]


def _attribute(member: Member, invite: Invite, result: MatchResult) -> None:
    # The first invite a member came through is the one the join is credited to.
    if member.invite_id is None:
        member.invite_id = invite.id
        member.joined_via = _JOINED_VIA.get(invite.kind, member.joined_via)
    result.invite_id = member.invite_id


def match_member(session: Session, member: Member, invite_code: str | None = None) -> MatchResult:
    """Link `member` to their roster entry (invite, else phone, else name and area) and attribute the invite."""
    if member.id is None:
        session.flush()
    result = MatchResult()
    invite = find_invite(session, invite_code) if invite_code else None
    if invite_code and invite is None:
        result.notes.append(f"unknown invite code {invite_code!r}")
    if invite is not None:
        _attribute(member, invite, result)

    current = session.execute(
        select(RosterEntry.id, RosterEntry.match_method).where(RosterEntry.member_id == member.id).limit(1)
    ).first()
    if current is not None:
        result.entry_id, result.method, result.already = current.id, current.match_method, True
        return result

    if invite is not None and invite.kind == "person":
        entry = session.execute(
            select(RosterEntry.id, RosterEntry.member_id).where(RosterEntry.invite_id == invite.id)
        ).first()
        if (
            entry is not None
            and entry.member_id is None
            and _link(session, entry.id, member, MatchMethod.invite)
        ):
            result.entry_id, result.method = entry.id, MatchMethod.invite
            return result
        # The invite was passed on to someone else, its person is already linked, or they left the roster
        # (the invite outlives their entry): fall back.
        if entry is None:
            result.notes.append("the person of this personal invite is no longer on a roster")
        else:
            result.notes.append("personal invite already used by another member")

    if member.phone:
        found = _candidates(session, RosterEntry.phone == member.phone)
        if len(found) > 1 and (key := name_key(member.full_name)):
            # A shared office phone: the name tells the entries apart without guessing.
            same_name = _candidates(session, RosterEntry.phone == member.phone, RosterEntry.name_key == key)
            found = same_name if len(same_name) == 1 else found
        if len(found) == 1 and _link(session, found[0].entry_id, member, MatchMethod.phone):
            result.entry_id, result.method = found[0].entry_id, MatchMethod.phone
            return result
        if len(found) > 1:
            result.ambiguous, result.ambiguous_by = found, MatchMethod.phone
            return result

    key = name_key(member.full_name)
    if key and member.province_code:
        conditions = [RosterEntry.name_key == key, RosterEntry.province_code == member.province_code]
        if member.district_code:
            conditions.append(
                (RosterEntry.district_code == member.district_code) | RosterEntry.district_code.is_(None)
            )
        found = _candidates(session, *conditions)
        if len(found) == 1 and _link(session, found[0].entry_id, member, MatchMethod.name_area):
            result.entry_id, result.method = found[0].entry_id, MatchMethod.name_area
        elif len(found) > 1:
            result.ambiguous, result.ambiguous_by = found, MatchMethod.name_area
    return result


def district_fits(a: str | None, b: str | None) -> bool:
    """Whether two districts can be the same person's: the same one, or either left blank."""
    return not (a and b) or a == b


def unique_pairs(candidates: dict[int, set[int]]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Pairs that are each other's only candidate, and the keys left ambiguous (several on one side)."""
    entries_of: dict[int, set[int]] = defaultdict(set)
    for entry_id, members in candidates.items():
        for member_id in members:
            entries_of[member_id].add(entry_id)
    pairs: dict[int, int] = {}
    ambiguous: dict[int, list[int]] = {}
    for entry_id, members in candidates.items():
        if len(members) == 1 and len(entries_of[next(iter(members))]) == 1:
            pairs[entry_id] = next(iter(members))
        else:
            ambiguous[entry_id] = sorted(members)
    return pairs, ambiguous


def match_roster(session: Session, roster_id: int, only: Collection[int] | None = None) -> RosterMatchReport:
    """Link a roster's unmatched entries (or those of them in `only`) to members already present.

    By phone, then by name and area. Candidates are weighed over all the roster's unmatched entries even when
    `only` some of them are linked, so a member who fits one of those and another entry is still reported
    as ambiguous, never guessed.
    """
    session.flush()
    report = RosterMatchReport(roster_id=roster_id)
    entries = {
        row.id: row
        for row in session.execute(
            select(
                RosterEntry.id,
                RosterEntry.line_no,
                RosterEntry.phone,
                RosterEntry.name_key,
                RosterEntry.province_code,
                RosterEntry.district_code,
                RosterEntry.member_id,
            ).where(RosterEntry.roster_id == roster_id)
        )
    }
    report.already = sum(1 for row in entries.values() if row.member_id is not None)
    open_entries = {key: row for key, row in entries.items() if row.member_id is None}
    free_member = ~_is_matched(Member.id)
    links: dict[int, tuple[int, str]] = {}
    ambiguous: dict[int, AmbiguousEntry] = {}

    # By phone: members with the same number who are not linked to any entry yet.
    by_phone: dict[int, set[int]] = defaultdict(set)
    phone_rows = session.execute(
        select(RosterEntry.id, Member.id.label("member_id"))
        .join(Member, Member.phone == RosterEntry.phone)
        .where(RosterEntry.roster_id == roster_id, RosterEntry.member_id.is_(None), free_member)
    )
    for row in phone_rows:
        by_phone[row.id].add(row.member_id)
    pairs, unclear = unique_pairs(by_phone)
    for entry_id, member_id in pairs.items():
        links[entry_id] = (member_id, MatchMethod.phone)
    for entry_id, member_ids in unclear.items():
        ambiguous[entry_id] = AmbiguousEntry(entry_id, open_entries[entry_id].line_no, "phone", member_ids)

    # By name and area, for what the phone left open.
    rest = {
        k: row for k, row in open_entries.items() if k not in links and k not in ambiguous and row.name_key
    }
    provinces = sorted({row.province_code for row in rest.values() if row.province_code})
    taken = {member_id for member_id, _ in links.values()}
    members_by_key: dict[tuple[str, str], list[tuple[int, str | None]]] = defaultdict(list)
    for start in range(0, len(provinces), 50):
        rows = session.execute(
            select(Member.id, Member.full_name, Member.province_code, Member.district_code).where(
                Member.province_code.in_(provinces[start : start + 50]),
                Member.full_name.is_not(None),
                free_member,
            )
        )
        for row in rows:
            if row.id not in taken and (key := name_key(row.full_name)):
                members_by_key[(key, row.province_code)].append((row.id, row.district_code))
    by_name: dict[int, set[int]] = {}
    for entry_id, row in rest.items():
        fits = {
            member_id
            for member_id, district in members_by_key.get((row.name_key, row.province_code), ())
            if district_fits(district, row.district_code)
        }
        if fits:
            by_name[entry_id] = fits
    pairs, unclear = unique_pairs(by_name)
    for entry_id, member_id in pairs.items():
        links[entry_id] = (member_id, MatchMethod.name_area)
    for entry_id, member_ids in unclear.items():
        ambiguous[entry_id] = AmbiguousEntry(
            entry_id, open_entries[entry_id].line_no, "name_area", member_ids
        )

    if only is not None:
        wanted = set(only)
        entries = {key: row for key, row in entries.items() if key in wanted}
        open_entries = {key: row for key, row in open_entries.items() if key in wanted}
        links = {key: link for key, link in links.items() if key in wanted}
        ambiguous = {key: found for key, found in ambiguous.items() if key in wanted}
        report.already = sum(1 for row in entries.values() if row.member_id is not None)
    now = utcnow()
    update_entries(
        session,
        [
            {"id": entry_id, "member_id": member_id, "match_method": method, "matched_at": now}
            for entry_id, (member_id, method) in links.items()
        ],
    )
    report.by_phone = sum(1 for _, method in links.values() if method == MatchMethod.phone)
    report.by_name_area = len(links) - report.by_phone
    report.matched = len(links)
    report.ambiguous = sorted(ambiguous.values(), key=lambda a: a.line_no)
    report.unmatched = len(open_entries) - len(links)
    return report
