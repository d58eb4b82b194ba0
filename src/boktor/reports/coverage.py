"""Coverage: for an area or organisation, how many expected people joined and answered the survey.

Every figure comes from one aggregate query (GROUP BY) per report, so a national roster of 300,000 entries
is counted in the database, not in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from boktor.announcements.models import Acknowledgement, Announcement
from boktor.db import utcnow
from boktor.members.invites import ensure_person_invites
from boktor.members.models import Invite, Member, MemberStatus, RosterEntry
from boktor.org.models import Organisation, Position
from boktor.reports import messages
from boktor.reports.scope import (
    ENTRY_GROUP,
    MEMBER_GROUP,
    Breakdown,
    Groups,
    Scope,
    ScopeError,
    area_text,
    check_breakdown,
    default_breakdown,
    entry_filters,
    member_filters,
)

# "Acknowledging" looks back this many days unless asked otherwise.
ACKNOWLEDGING_DAYS = 30


@dataclass
class CoverageRow:
    """The figures of one area or organisation (or the total)."""

    code: str | None
    name: str
    expected: int = 0
    joined: int = 0
    surveyed: int = 0
    acknowledging: int = 0  # joined people who acknowledged something sent to them lately
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
    def acknowledging_pct(self) -> float | None:
        """Of the joined, not of the expected: those who never joined were sent nothing to acknowledge."""
        return self._percent(self.acknowledging, self.joined)

    @property
    def missing(self) -> int:
        return self.expected - self.joined

    def add(self, other: CoverageRow) -> None:
        self.expected += other.expected
        self.joined += other.joined
        self.surveyed += other.surveyed
        self.acknowledging += other.acknowledging
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
            "acknowledging": self.acknowledging,
            "acknowledging_pct": self.acknowledging_pct,
            "missing": self.missing,
            "not_on_roster": self.not_on_roster,
        }


@dataclass
class Coverage:
    """A coverage report: one row per area (or organisation) of the breakdown, and the total."""

    scope: Scope
    breakdown: Breakdown
    days: int = ACKNOWLEDGING_DAYS  # the window of "acknowledging"
    rows: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow = field(default_factory=lambda: CoverageRow(None, messages.TOTAL))

    def to_dict(self) -> dict:
        return {
            "scope": self.scope.to_dict(),
            "breakdown": self.breakdown,
            "acknowledging_days": self.days,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


def _on_a_roster():
    """SQL: the member (of the enclosing query) is linked to some roster entry."""
    linked = aliased(RosterEntry)
    return exists().where(linked.member_id == Member.id)


def _sent_since(session: Session, since: datetime) -> list[int]:
    """The announcements whose sending started at or after `since` (a few dozen a month).

    Read first and passed as values: both planners then read the acknowledgements of just these announcements
    from the (announcement, member, kind) index, instead of walking all acknowledgements in member order.
    """
    return list(session.scalars(select(Announcement.id).where(Announcement.started_at >= since)))


def _acknowledged(announcement_ids: list[int]):
    """SQL: the member (of the enclosing query) tapped รับทราบ on one of these announcements."""
    return exists().where(
        Acknowledgement.member_id == Member.id,
        Acknowledgement.kind == "ack",
        Acknowledgement.announcement_id.in_(announcement_ids),
    )


Counts = dict  # group key -> [expected, joined, surveyed, acknowledging, not_on_roster]


def _area_counts(session: Session, scope: Scope, breakdown: Breakdown, sent: list[int]) -> Counts:
    """Figures of an area: entries joined to their members, then followers on no roster (index lookups)."""
    following = Member.status == MemberStatus.follower
    entry_group, member_group = ENTRY_GROUP[breakdown], MEMBER_GROUP[breakdown]
    counts: Counts = {}
    for key, expected, joined, surveyed, acknowledging in session.execute(
        select(
            entry_group,
            func.count(RosterEntry.id),
            func.sum(case((following, 1), else_=0)),
            func.sum(case((and_(following, Member.surveyed_at.is_not(None)), 1), else_=0)),
            # A probe of the acknowledgements per joined member: an area has a few thousand at most.
            func.sum(case((and_(following, _acknowledged(sent)), 1), else_=0)),
        )
        .select_from(RosterEntry)
        .outerjoin(Member, Member.id == RosterEntry.member_id)
        .where(*entry_filters(scope))
        .group_by(entry_group)
    ):
        counts[key] = [expected, joined or 0, surveyed or 0, acknowledging or 0, 0]
    for key, members in session.execute(
        select(member_group, func.count(Member.id))
        .where(following, ~_on_a_roster(), *member_filters(scope))
        .group_by(member_group)
    ):
        counts.setdefault(key, [0, 0, 0, 0, 0])[4] = members
    return counts


def _country_counts(session: Session, scope: Scope, breakdown: Breakdown, sent: list[int]) -> Counts:
    """Figures of the whole country: one pass over the followers, each looked up on the rosters once.

    Over 300,000 rows this halves the work of the area queries: joined, surveyed and off-roster followers
    all come from the same join, and the expected count reads only an index. Acknowledging is counted apart,
    from the acknowledgers' side (a semi-join), which costs less on both engines than one more join in the pass.
    """
    entry_group, member_group = ENTRY_GROUP[breakdown], MEMBER_GROUP[breakdown]
    counts: Counts = {}
    for key, expected in session.execute(
        select(entry_group, func.count(RosterEntry.id)).where(*entry_filters(scope)).group_by(entry_group)
    ):
        counts[key] = [expected, 0, 0, 0, 0]
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
            row = counts.setdefault(entry_key, [0, 0, 0, 0, 0])
            row[1] += members
            row[2] += members if has_surveyed else 0
        else:
            counts.setdefault(member_key, [0, 0, 0, 0, 0])[4] += members
    if not sent:
        return counts
    acknowledgers = select(Acknowledgement.member_id).where(
        Acknowledgement.kind == "ack", Acknowledgement.announcement_id.in_(sent)
    )
    for key, acknowledging in session.execute(
        select(entry_group, func.count())
        .select_from(RosterEntry)
        .join(Member, Member.id == RosterEntry.member_id)
        .where(
            Member.status == MemberStatus.follower,
            RosterEntry.member_id.in_(acknowledgers),
            *entry_filters(scope),
        )
        .group_by(entry_group)
    ):
        counts.setdefault(key, [0, 0, 0, 0, 0])[3] = acknowledging
    return counts


def coverage(
    session: Session,
    scope: Scope,
    breakdown: Breakdown | None = None,
    *,
    days: int = ACKNOWLEDGING_DAYS,
    now: datetime | None = None,
) -> Coverage:
    """Expected, joined, surveyed and acknowledging (in the last `days`) people for `scope`, with the total."""
    breakdown = check_breakdown(breakdown or default_breakdown(scope), "coverage")
    if days < 1:
        raise ScopeError(f"Acknowledging counts the last 1 or more days, not {days}.")
    sent = _sent_since(session, (now or utcnow()) - timedelta(days=days))
    in_an_area = scope.province_code or scope.district_code
    counts = (_area_counts if in_an_area else _country_counts)(session, scope, breakdown, sent)

    groups = Groups(session, scope, breakdown)
    # Every known area shows, with zeros where nobody is expected or joined.
    keys = sorted({*groups.known, *counts}, key=lambda key: (*groups.order(key), groups.name(key)))
    report = Coverage(
        scope=scope,
        breakdown=breakdown,
        days=days,
        rows=[CoverageRow(groups.code(key), groups.name(key), *counts.get(key, ())) for key in keys],
    )
    for row in report.rows:
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
        .where(not_joined, *entry_filters(scope))
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
        .where(not_joined, *entry_filters(scope))
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
        area = area_text(row.province_code, row.district_code, row.subdistrict_code, row.village_no)
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
