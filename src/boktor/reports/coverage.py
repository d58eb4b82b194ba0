"""Coverage: for an area or organisation, how many expected people joined and answered the survey.

Every figure comes from one aggregate query (GROUP BY) per report, so a national roster of 300,000 entries
is counted in the database, not in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from boktor.members.invites import ensure_person_invites
from boktor.members.models import Invite, Member, MemberStatus, RosterEntry
from boktor.org import areas
from boktor.org.catalogue import Catalogue
from boktor.org.models import Organisation, Position
from boktor.reports import messages

Breakdown = Literal["province", "district", "subdistrict", "organisation"]


class CoverageError(ValueError):
    """The report cannot be made as asked (unknown area or organisation); the message says why."""


@dataclass(frozen=True)
class Scope:
    """Whose coverage: everyone, a province, a district, and/or one organisation."""

    province_code: str | None = None
    district_code: str | None = None
    organisation_id: int | None = None
    organisation_code: str | None = None
    organisation_name: str | None = None

    @property
    def title(self) -> str:
        where = areas.area_name(self.district_code or self.province_code) or messages.NATIONAL
        return f"{self.organisation_name} {where}" if self.organisation_name else where

    def to_dict(self) -> dict:
        return {
            "province": self.province_code,
            "district": self.district_code,
            "organisation": self.organisation_code,
            "title": self.title,
        }


def resolve_scope(
    session: Session,
    province: str | None = None,
    district: str | None = None,
    organisation: str | None = None,
) -> Scope:
    """The scope for what an operator typed: codes or Thai names; the district must lie in the province."""
    province_code = district_code = None
    if province:
        found = areas.find_province(province)
        if found is None:
            raise CoverageError(f"No province {province!r}: use the 2-digit DOPA code (เชียงราย = 57).")
        province_code = found.code
    if district:
        found = areas.find_district(district, province_code)
        if found is None:
            where = f" in {areas.area_name(province_code)}" if province_code else ""
            raise CoverageError(f"No district {district!r}{where}: use the 4-digit DOPA code (แม่สาย = 5709).")
        district_code, province_code = found.code, found.province_code
    if not organisation:
        return Scope(province_code, district_code)
    catalogue = Catalogue(session)
    row = catalogue.find(catalogue.organisations, organisation)
    if row is None:
        raise CoverageError(f"No organisation {organisation!r} in the catalogue (see `boktor org list`).")
    return Scope(province_code, district_code, row.id, row.code, row.short_name_th or row.name_th)


@dataclass
class CoverageRow:
    """The figures of one area or organisation (or the total)."""

    code: str | None
    name: str
    expected: int = 0
    joined: int = 0
    surveyed: int = 0
    not_on_roster: int = 0  # followers in the area who are on no roster

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def joined_pct(self) -> float | None:
        return self._percent(self.joined, self.expected)

    @property
    def surveyed_pct(self) -> float | None:
        return self._percent(self.surveyed, self.expected)

    @property
    def missing(self) -> int:
        return self.expected - self.joined

    def add(self, other: CoverageRow) -> None:
        self.expected += other.expected
        self.joined += other.joined
        self.surveyed += other.surveyed
        self.not_on_roster += other.not_on_roster

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "expected": self.expected,
            "joined": self.joined,
            "joined_pct": self.joined_pct,
            "surveyed": self.surveyed,
            "surveyed_pct": self.surveyed_pct,
            "missing": self.missing,
            "not_on_roster": self.not_on_roster,
        }


@dataclass
class Coverage:
    """A coverage report: one row per area (or organisation) of the breakdown, and the total."""

    scope: Scope
    breakdown: Breakdown
    rows: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow = field(default_factory=lambda: CoverageRow(None, messages.TOTAL))

    def to_dict(self) -> dict:
        return {
            "scope": self.scope.to_dict(),
            "breakdown": self.breakdown,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


def default_breakdown(scope: Scope) -> Breakdown:
    if scope.district_code:
        return "subdistrict"
    if scope.province_code:
        return "district"
    return "province"


_ENTRY_GROUP = {
    "province": RosterEntry.province_code,
    "district": RosterEntry.district_code,
    "subdistrict": RosterEntry.subdistrict_code,
    "organisation": RosterEntry.organisation_id,
}
_MEMBER_GROUP = {
    "province": Member.province_code,
    "district": Member.district_code,
    "subdistrict": Member.subdistrict_code,
    "organisation": Member.organisation_id,
}


def _entry_filters(scope: Scope) -> list:
    filters = []
    if scope.district_code:
        filters.append(RosterEntry.district_code == scope.district_code)
    elif scope.province_code:
        filters.append(RosterEntry.province_code == scope.province_code)
    if scope.organisation_id:
        filters.append(RosterEntry.organisation_id == scope.organisation_id)
    return filters


def _member_filters(scope: Scope) -> list:
    filters = []
    if scope.district_code:
        filters.append(Member.district_code == scope.district_code)
    elif scope.province_code:
        filters.append(Member.province_code == scope.province_code)
    if scope.organisation_id:
        filters.append(Member.organisation_id == scope.organisation_id)
    return filters


def _on_a_roster():
    """SQL: the member (of the enclosing query) is linked to some roster entry."""
    linked = aliased(RosterEntry)
    return exists().where(linked.member_id == Member.id)


def _known_groups(session: Session, scope: Scope, breakdown: Breakdown) -> dict[str | None, str]:
    """Every area of the breakdown, so that places nobody has joined from still show (with zeros)."""
    if breakdown == "province":
        return {p.code: f"จ.{p.name_th}" for p in areas.provinces()}
    if breakdown == "district" and scope.province_code:
        return {d.code: f"อ.{d.name_th}" for d in areas.districts(scope.province_code)}
    if breakdown == "subdistrict" and scope.district_code:
        return {s.code: f"ต.{s.name_th}" for s in areas.subdistricts(scope.district_code)}
    return {}


def _group_name(session: Session, breakdown: Breakdown, key, organisations: dict[int, Organisation]) -> str:
    if key is None:
        return messages.UNSPECIFIED_ORGANISATION if breakdown == "organisation" else messages.UNSPECIFIED_AREA
    if breakdown == "organisation":
        organisation = organisations.get(key)
        return organisation.name_th if organisation else str(key)
    return areas.area_name(key)


Counts = dict  # group key -> [expected, joined, surveyed, not_on_roster]


def _area_counts(session: Session, scope: Scope, breakdown: Breakdown) -> Counts:
    """Figures of an area: entries joined to their members, then followers on no roster (index lookups)."""
    following = Member.status == MemberStatus.follower
    entry_group, member_group = _ENTRY_GROUP[breakdown], _MEMBER_GROUP[breakdown]
    counts: Counts = {}
    for key, expected, joined, surveyed in session.execute(
        select(
            entry_group,
            func.count(RosterEntry.id),
            func.sum(case((following, 1), else_=0)),
            func.sum(case((and_(following, Member.surveyed_at.is_not(None)), 1), else_=0)),
        )
        .select_from(RosterEntry)
        .outerjoin(Member, Member.id == RosterEntry.member_id)
        .where(*_entry_filters(scope))
        .group_by(entry_group)
    ):
        counts[key] = [expected, joined or 0, surveyed or 0, 0]
    for key, members in session.execute(
        select(member_group, func.count(Member.id))
        .where(following, ~_on_a_roster(), *_member_filters(scope))
        .group_by(member_group)
    ):
        counts.setdefault(key, [0, 0, 0, 0])[3] = members
    return counts


def _country_counts(session: Session, scope: Scope, breakdown: Breakdown) -> Counts:
    """Figures of the whole country: one pass over the followers, each looked up on the rosters once.

    Over 300,000 rows this halves the work of the area queries: joined, surveyed and off-roster followers
    all come from the same join, and the expected count reads only an index.
    """
    entry_group, member_group = _ENTRY_GROUP[breakdown], _MEMBER_GROUP[breakdown]
    counts: Counts = {}
    for key, expected in session.execute(
        select(entry_group, func.count(RosterEntry.id)).where(*_entry_filters(scope)).group_by(entry_group)
    ):
        counts[key] = [expected, 0, 0, 0]
    on_roster = RosterEntry.id.is_not(None)
    surveyed = Member.surveyed_at.is_not(None)
    query = (
        select(entry_group, member_group, on_roster, surveyed, func.count())
        .select_from(Member)
        .outerjoin(RosterEntry, RosterEntry.member_id == Member.id)
        .where(
            Member.status == MemberStatus.follower,
            # Always true; it keeps SQLite reading members in id order (fast probes of the roster index)
            # instead of scanning a covering index in random id order, which costs twice as much.
            Member.line_user_id.is_not(None),
        )
        .group_by(entry_group, member_group, on_roster, surveyed)
    )
    if scope.organisation_id:
        query = query.where(
            or_(
                RosterEntry.organisation_id == scope.organisation_id,
                and_(RosterEntry.id.is_(None), Member.organisation_id == scope.organisation_id),
            )
        )
    for entry_key, member_key, is_on_roster, has_surveyed, members in session.execute(query):
        if is_on_roster:
            row = counts.setdefault(entry_key, [0, 0, 0, 0])
            row[1] += members
            row[2] += members if has_surveyed else 0
        else:
            counts.setdefault(member_key, [0, 0, 0, 0])[3] += members
    return counts


def coverage(session: Session, scope: Scope, breakdown: Breakdown | None = None) -> Coverage:
    """Expected, joined and surveyed people for `scope`, one row per area or organisation, with the total."""
    breakdown = breakdown or default_breakdown(scope)
    if breakdown not in _ENTRY_GROUP:
        raise CoverageError(f"Cannot break coverage down by {breakdown!r}; use {', '.join(_ENTRY_GROUP)}.")
    in_an_area = scope.province_code or scope.district_code
    counts = (_area_counts if in_an_area else _country_counts)(session, scope, breakdown)

    organisations: dict[int, Organisation] = {}
    if breakdown == "organisation":
        organisations = {row.id: row for row in session.scalars(select(Organisation))}
    known = _known_groups(session, scope, breakdown)
    rows: dict = {key: CoverageRow(key, name) for key, name in known.items()}

    def row_for(key) -> CoverageRow:
        if key not in rows:
            rows[key] = CoverageRow(key, _group_name(session, breakdown, key, organisations))
        return rows[key]

    for key, (expected, joined, surveyed, not_on_roster) in counts.items():
        row = row_for(key)
        row.expected, row.joined, row.surveyed, row.not_on_roster = expected, joined, surveyed, not_on_roster

    report = Coverage(scope=scope, breakdown=breakdown)

    def order(row: CoverageRow):
        if breakdown == "organisation":
            organisation = organisations.get(row.code)
            return (row.code is None, organisation.sort_order if organisation else 0, row.name)
        return (row.code is None, str(row.code or ""))

    report.rows = sorted(rows.values(), key=order)
    for row in report.rows:
        if breakdown == "organisation" and row.code is not None and row.code in organisations:
            row.code = organisations[row.code].code
        report.total.add(row)
    return report


@dataclass
class MissingPerson:
    """Someone on a roster who has not joined (or has left), with what an office needs to chase them."""

    entry_id: int
    full_name: str
    organisation: str
    position: str
    area: str
    phone: str | None
    status: str
    invite_code: str | None
    district_code: str | None


def missing_people(session: Session, scope: Scope, *, with_invites: bool = True) -> list[MissingPerson]:
    """Everyone expected in `scope` who is not following the account; each gets a personal invite if asked."""
    not_joined = or_(RosterEntry.member_id.is_(None), Member.status != MemberStatus.follower)
    base = (
        select(RosterEntry.id)
        .select_from(RosterEntry)
        .outerjoin(Member, Member.id == RosterEntry.member_id)
        .where(not_joined, *_entry_filters(scope))
    )
    if with_invites:
        ensure_person_invites(session, entry_ids=session.scalars(base.where(RosterEntry.invite_id.is_(None))))
    rows = session.execute(
        select(
            RosterEntry.id,
            RosterEntry.full_name,
            RosterEntry.position_text,
            RosterEntry.province_code,
            RosterEntry.district_code,
            RosterEntry.subdistrict_code,
            RosterEntry.village_no,
            RosterEntry.phone,
            Member.status,
            Organisation.name_th.label("organisation"),
            Position.name_th.label("position"),
            Invite.code.label("invite_code"),
        )
        .select_from(RosterEntry)
        .outerjoin(Member, Member.id == RosterEntry.member_id)
        .outerjoin(Organisation, Organisation.id == RosterEntry.organisation_id)
        .outerjoin(Position, Position.id == RosterEntry.position_id)
        .outerjoin(Invite, Invite.id == RosterEntry.invite_id)
        .where(not_joined, *_entry_filters(scope))
        .order_by(
            RosterEntry.province_code.nulls_last(),
            RosterEntry.district_code.nulls_last(),
            RosterEntry.subdistrict_code.nulls_last(),
            RosterEntry.line_no,
            RosterEntry.id,
        )
    )
    people = []
    for row in rows:
        area = areas.area_name(row.subdistrict_code or row.district_code or row.province_code)
        if row.village_no:
            area = f"หมู่ {row.village_no} {area}"
        status = messages.STATUS_NOT_JOINED
        if row.status == MemberStatus.blocked:
            status = messages.STATUS_BLOCKED
        elif row.status is not None:
            status = messages.STATUS_NOT_FOLLOWING
        people.append(
            MissingPerson(
                entry_id=row.id,
                full_name=row.full_name,
                organisation=row.organisation or "",
                position=row.position or row.position_text or "",
                area=area,
                phone=row.phone,
                status=status,
                invite_code=row.invite_code,
                district_code=row.district_code,
            )
        )
    return people
