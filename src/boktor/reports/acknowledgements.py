"""One announcement, seen by an office: who in its area received it, acknowledged it, passed it on, and who
has not acknowledged it yet (to chase them, by name).

"Received" is the ledger's word: the announcement itself (not a reminder) was accepted by LINE for the member.
The counts come from one aggregate query; the people from one more, with one for their reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from boktor.announcements.models import Acknowledgement, Announcement
from boktor.db import utcnow
from boktor.delivery.models import Delivery
from boktor.delivery.status import delivered
from boktor.members.models import Member, MemberStatus
from boktor.org.models import Organisation, Position
from boktor.reports import messages
from boktor.reports.scope import (
    MEMBER_GROUP,
    Breakdown,
    Groups,
    Scope,
    area_text,
    check_breakdown,
    default_breakdown,
    member_filters,
)


@dataclass
class AcknowledgementRow:
    """Received, acknowledged and relayed in one area or organisation (or the total)."""

    code: str | None
    name: str
    received: int = 0
    acknowledged: int = 0
    relayed: int = 0

    def _percent(self, part: int) -> float | None:
        return round(100 * part / self.received, 1) if self.received else None

    @property
    def acknowledged_pct(self) -> float | None:
        return self._percent(self.acknowledged)

    @property
    def relayed_pct(self) -> float | None:
        return self._percent(self.relayed)

    @property
    def not_acknowledged(self) -> int:
        return self.received - self.acknowledged

    def add(self, other: AcknowledgementRow) -> None:
        self.received += other.received
        self.acknowledged += other.acknowledged
        self.relayed += other.relayed

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "received": self.received,
            "acknowledged": self.acknowledged,
            "acknowledged_pct": self.acknowledged_pct,
            "relayed": self.relayed,
            "relayed_pct": self.relayed_pct,
            "not_acknowledged": self.not_acknowledged,
        }


@dataclass
class Unacknowledged:
    """Someone who received the announcement and has not tapped รับทราบ, with what an office needs to chase them."""

    member_id: int
    full_name: str
    organisation: str
    position: str
    area: str
    phone: str | None
    status: str  # still following the account, or left it
    reminders: int  # reminders of this announcement LINE accepted for them

    def to_dict(self) -> dict:
        return {
            "member_id": self.member_id,
            "full_name": self.full_name,
            "organisation": self.organisation,
            "position": self.position,
            "area": self.area,
            "phone": self.phone,
            "status": self.status,
            "reminders": self.reminders,
        }


@dataclass
class AcknowledgementReport:
    """An announcement's acknowledgements in a scope: per area, the total, and who has not acknowledged."""

    announcement: Announcement
    scope: Scope
    breakdown: Breakdown
    past_deadline: bool
    rows: list[AcknowledgementRow] = field(default_factory=list)
    total: AcknowledgementRow = field(default_factory=lambda: AcknowledgementRow(None, messages.TOTAL))
    unacknowledged: list[Unacknowledged] = field(default_factory=list)

    def to_dict(self) -> dict:
        announcement = self.announcement
        return {
            "announcement": {
                "id": announcement.id,
                "title": announcement.title,
                "status": announcement.status,
                "started_at": _iso(announcement.started_at),
                "ack_deadline": _iso(announcement.ack_deadline),
                "past_deadline": self.past_deadline,
            },
            "scope": self.scope.to_dict(),
            "breakdown": self.breakdown,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
            "unacknowledged": [person.to_dict() for person in self.unacknowledged],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _received(announcement_id: int, scope: Scope):
    """SQL conditions: the member (joined to Delivery) received the announcement and lies in `scope`."""
    return (
        Delivery.announcement_id == announcement_id,
        Delivery.purpose == "announcement",
        delivered(announcement_id),
        *member_filters(scope),
    )


def _reacted(announcement_id: int, kind: str):
    """SQL: the member (of the enclosing query) tapped `kind` (ack or relay) on the announcement."""
    # One probe of the (announcement, member, kind) unique index per recipient.
    return exists().where(
        Acknowledgement.announcement_id == announcement_id,
        Acknowledgement.member_id == Member.id,
        Acknowledgement.kind == kind,
    )


def _counts(
    session: Session, announcement_id: int, scope: Scope, breakdown: Breakdown
) -> list[AcknowledgementRow]:
    group = MEMBER_GROUP[breakdown]
    counted = session.execute(
        select(
            group,
            func.count(),
            func.sum(case((_reacted(announcement_id, "ack"), 1), else_=0)),
            func.sum(case((_reacted(announcement_id, "relay"), 1), else_=0)),
        )
        .select_from(Delivery)
        .join(Member, Member.id == Delivery.member_id)
        .where(*_received(announcement_id, scope))
        .group_by(group)
    ).all()
    groups = Groups(session, scope, breakdown)
    # Only the groups that received it; organisations of the same catalogue order go by id.
    counted.sort(key=lambda row: (*groups.order(row[0]), row[0] or 0))
    return [
        AcknowledgementRow(groups.code(key), groups.name(key), received, acknowledged or 0, relayed or 0)
        for key, received, acknowledged, relayed in counted
    ]


def _reminders(session: Session, announcement_id: int) -> dict[int, int]:
    """How many reminders of the announcement LINE accepted, per member reminded."""
    return dict(
        session.execute(
            select(Delivery.member_id, func.count())
            .where(
                Delivery.announcement_id == announcement_id,
                # "reminder-1", "reminder-2"...: a range of the (announcement, purpose, member) index, which
                # LIKE would not use on SQLite.
                Delivery.purpose >= "reminder-",
                Delivery.purpose < "reminder.",
                delivered(announcement_id),
            )
            .group_by(Delivery.member_id)
        ).all()
    )


def _unacknowledged(session: Session, announcement_id: int, scope: Scope) -> list[Unacknowledged]:
    organisation, position = aliased(Organisation), aliased(Position)
    rows = session.execute(
        select(
            Member.id,
            Member.full_name,
            Member.display_name,
            Member.position_text,
            Member.province_code,
            Member.district_code,
            Member.subdistrict_code,
            Member.village_no,
            Member.phone,
            Member.status,
            organisation.name_th.label("organisation"),
            position.name_th.label("position"),
        )
        .select_from(Delivery)
        .join(Member, Member.id == Delivery.member_id)
        .outerjoin(organisation, organisation.id == Member.organisation_id)
        .outerjoin(position, position.id == Member.position_id)
        .where(*_received(announcement_id, scope), ~_reacted(announcement_id, "ack"))
        .order_by(
            Member.province_code.nulls_last(),
            Member.district_code.nulls_last(),
            Member.subdistrict_code.nulls_last(),
            Member.full_name,
            Member.id,
        )
    ).all()
    reminders = _reminders(session, announcement_id) if rows else {}
    return [
        Unacknowledged(
            member_id=row.id,
            full_name=row.full_name or row.display_name or "",
            organisation=row.organisation or "",
            position=row.position or row.position_text or "",
            area=area_text(row.province_code, row.district_code, row.subdistrict_code, row.village_no),
            phone=row.phone,
            status=messages.STATUS_FOLLOWING
            if row.status == MemberStatus.follower
            else messages.STATUS_BLOCKED,
            reminders=reminders.get(row.id, 0),
        )
        for row in rows
    ]


def acknowledgements(
    session: Session,
    announcement_id: int,
    scope: Scope,
    breakdown: Breakdown | None = None,
    *,
    now: datetime | None = None,
) -> AcknowledgementReport:
    """Received, acknowledged and relayed per area of `scope`, and who received it but has not acknowledged."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise LookupError(f"There is no announcement {announcement_id}.")
    breakdown = check_breakdown(breakdown or default_breakdown(scope), "acknowledgements")
    deadline = announcement.ack_deadline
    report = AcknowledgementReport(
        announcement=announcement,
        scope=scope,
        breakdown=breakdown,
        past_deadline=deadline is not None and (now or utcnow()) > deadline,
        rows=_counts(session, announcement_id, scope, breakdown),
        unacknowledged=_unacknowledged(session, announcement_id, scope),
    )
    for row in report.rows:
        report.total.add(row)
    return report
