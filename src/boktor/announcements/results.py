"""What became of an announcement: delivery progress from the ledger, acknowledgements and relays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.announcements.cards import category_name
from boktor.announcements.models import Announcement
from boktor.announcements.reactions import acknowledgement_counts
from boktor.members.models import Member, MemberStatus


def _blocked_since(session: Session, announcement_id: int) -> int:
    """Recipients in the ledger who have blocked the account (at send time or since)."""
    from boktor.delivery.models import Delivery

    return (
        session.scalar(
            select(func.count(func.distinct(Delivery.member_id)))
            .join(Member, Member.id == Delivery.member_id)
            .where(Delivery.announcement_id == announcement_id, Member.status == MemberStatus.blocked)
        )
        or 0
    )


def summary(announcement: Announcement) -> dict[str, Any]:
    """The announcement as the API and `--json` show it."""
    return {
        "id": announcement.id,
        "title": announcement.title,
        "category": announcement.category,
        "category_th": category_name(announcement.category),
        "status": announcement.status,
        "pause_reason": announcement.pause_reason,
        "return_reason": announcement.return_reason,
        "audience": announcement.audience,
        "allow_partial": announcement.allow_partial,
        "aggregation_unit": announcement.aggregation_unit,
        "image_url": announcement.image_url,
        "link_url": announcement.link_url,
        "ack_deadline": iso(announcement.ack_deadline),
        "created_by_id": announcement.created_by_id,
        "approved_by_id": announcement.approved_by_id,
        "created_at": iso(announcement.created_at),
        "submitted_at": iso(announcement.submitted_at),
        "approved_at": iso(announcement.approved_at),
        "scheduled_at": iso(announcement.scheduled_at),
        "started_at": iso(announcement.started_at),
        "completed_at": iso(announcement.completed_at),
    }


def iso(moment: datetime | None) -> str | None:
    """The moment in ISO 8601, as the API, `--json` and the audit log show it."""
    return moment.isoformat() if moment else None


def announcement_status(session: Session, announcement: Announcement) -> dict[str, Any]:
    """Targeted, sent, pending, failed (with LINE's messages), blocked, acknowledged, relayed and reach."""
    from boktor.delivery.status import delivery_counts

    per_purpose = delivery_counts(session, announcement.id)
    main = per_purpose.get("announcement", {})
    reactions = acknowledgement_counts(session, announcement.id)
    return {
        "id": announcement.id,
        "title": announcement.title,
        "status": announcement.status,
        "pause_reason": announcement.pause_reason,
        "return_reason": announcement.return_reason,
        "targeted": main.get("targeted", 0),
        "sent": main.get("sent", 0),
        "pending": main.get("pending", 0),
        "failed": main.get("failed", 0),
        "failures": main.get("errors", []),
        "blocked": _blocked_since(session, announcement.id),
        "batches_done": main.get("batches_done", 0),
        "batches_total": main.get("batches_total", 0),
        **reactions,
        "reminders": {
            purpose: counts for purpose, counts in per_purpose.items() if purpose != "announcement"
        },
    }
