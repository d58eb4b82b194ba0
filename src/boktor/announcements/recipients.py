"""Who a ledger is written for: the audience of an announcement, or those its reminders go to."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, select

from boktor.announcements.audience import audience_select
from boktor.announcements.models import Acknowledgement, Announcement
from boktor.delivery.models import Delivery
from boktor.delivery.status import delivered
from boktor.members.models import Member, MemberStatus


def recipients_for(announcement: Announcement, purpose: str) -> Select:
    """Who the ledger of `purpose` is written for: the audience, or for "reminder-N" those not acknowledging."""
    if purpose == "announcement":
        return audience_select(announcement.audience)
    return reminder_recipients(announcement.id)


def reminder_recipients(announcement_id: int) -> Select:
    """Followers who were sent the announcement and have not acknowledged it, ordered by member id."""
    acknowledged = exists().where(
        and_(
            Acknowledgement.announcement_id == announcement_id,
            Acknowledgement.member_id == Member.id,
            Acknowledgement.kind == "ack",
        )
    )
    return (
        select(Member.id, Member.line_user_id)
        .join(Delivery, Delivery.member_id == Member.id)
        .where(
            Delivery.announcement_id == announcement_id,
            Delivery.purpose == "announcement",
            delivered(announcement_id),
            Member.status == MemberStatus.follower,
            ~acknowledged,
        )
        .order_by(Member.id)
    )
