"""Sending an approved announcement: now, at its time (the worker), again after a pause, and its reminders.

Each start writes the delivery ledger for as many recipients as the monthly quota allows; the worker sends it.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.announcements.audience import audience_count
from boktor.announcements.content import aware
from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.announcements.quota import Quota, QuotaUnavailable, current_quota, refusal
from boktor.announcements.recipients import recipients_for, reminder_recipients
from boktor.announcements.results import iso
from boktor.announcements.steps import (
    CAN_COMPOSE,
    InvalidAnnouncement,
    QuotaRefused,
    WrongState,
    hold,
    log,
    move,
    require,
)
from boktor.config import Settings, get_settings
from boktor.db import utcnow
from boktor.delivery.ledger import start_delivery
from boktor.delivery.models import Delivery
from boktor.delivery.status import pending_recipients

S = AnnouncementStatus


@dataclass
class SendResult:
    status: str
    recipients: int
    audience: int
    quota: dict[str, int | None] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_quota(
    session: Session, settings: Settings, audience: int, allow_partial: bool
) -> tuple[int | None, Quota]:
    """The recipient limit to apply (None: everyone), or a refusal in plain words."""
    quota = current_quota(session, settings)
    if quota.fits(audience):
        return None, quota
    if not allow_partial:
        raise QuotaRefused(refusal(audience, quota))
    if not quota.remaining:
        raise QuotaRefused(
            f"No messages are left this month (LINE's limit is {quota.limit:,}, {quota.used:,} used): "
            "nobody can be reached until the quota is raised or the month turns."
        )
    return quota.remaining, quota


def _start_sending(
    session: Session, settings: Settings, announcement: Announcement, actor: AdminUser | None
) -> SendResult:
    """Write the ledger for the audience (as much as the quota allows) and move to sending."""
    audience = audience_count(session, announcement.audience)
    if audience == 0:
        raise InvalidAnnouncement("This audience reaches nobody who follows the account: widen the filters.")
    try:
        limit, quota = _check_quota(session, settings, audience, announcement.allow_partial)
    except QuotaUnavailable as error:
        if actor is not None:
            raise QuotaRefused(f"{error} Nothing was sent; try again when LINE answers.") from error
        # The worker starting a scheduled one sends anyway: a real quota refusal pauses the sending.
        limit, quota = None, None
    recipients = start_delivery(session, announcement, "announcement", recipients_for, limit)
    announcement.targeted = recipients
    announcement.started_at = utcnow()
    announcement.pause_reason = None
    shown = quota.as_dict() if quota else None
    move(
        session,
        announcement,
        S.sending,
        "sending",
        actor,
        audience=audience,
        recipients=recipients,
        quota=shown,
    )
    return SendResult(str(S.sending), recipients, audience, shown)


def send(
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser,
    *,
    at: datetime | None = None,
    partial: bool | None = None,
    now: datetime | None = None,
) -> SendResult:
    """Send an approved announcement now, or schedule it for `at` (or the time set at approval)."""
    require(actor, CAN_COMPOSE, "send announcements")
    hold(session, announcement)
    if announcement.status not in (S.approved, S.scheduled):
        hints = {
            S.draft: " It is still a draft: submit it and have another user approve it first.",
            S.submitted: " It is waiting for an approver.",
            S.paused: " It is paused: resume it instead.",
        }
        raise WrongState(
            f"Only an approved announcement can be sent; announcement {announcement.id} is "
            f"{announcement.status}.{hints.get(announcement.status, '')}"
        )
    if partial is not None:
        announcement.allow_partial = partial
    now = now or utcnow()
    when = aware(at) or announcement.scheduled_at
    if when is not None and when > now:
        audience = audience_count(session, announcement.audience)
        announcement.scheduled_at = when
        move(session, announcement, S.scheduled, "scheduled", actor, scheduled_at=iso(when))
        return SendResult(str(S.scheduled), 0, audience, None)
    return _start_sending(session, settings, announcement, actor)


def start_due(session: Session, now: datetime | None = None, settings: Settings | None = None) -> list[int]:
    """Move scheduled announcements whose time has come to sending (the worker calls this); their ids."""
    settings = settings or get_settings()
    now = now or utcnow()
    due = session.scalars(
        select(Announcement)
        .where(Announcement.status == S.scheduled, Announcement.scheduled_at <= now)
        .order_by(Announcement.scheduled_at, Announcement.id)
        # Locked until this transaction ends, so that an approver cannot send one back as it starts.
        .with_for_update(skip_locked=True)
    ).all()
    started = []
    for announcement in due:
        try:
            _start_sending(session, settings, announcement, None)
        except (QuotaRefused, InvalidAnnouncement) as error:
            announcement.pause_reason = str(error)
            move(session, announcement, S.paused, "paused", None, reason=str(error))
            continue
        started.append(announcement.id)
    return started


def resume(
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser,
    *,
    now: datetime | None = None,
) -> SendResult:
    """Continue a paused announcement: the rest of its ledger, or its start if it never started."""
    require(actor, (*CAN_COMPOSE, "operator"), "resume announcements")
    hold(session, announcement)
    if announcement.status != S.paused:
        raise WrongState(
            f"Only a paused announcement can be resumed; announcement {announcement.id} is {announcement.status}."
        )
    now = now or utcnow()
    if announcement.started_at is None:
        if announcement.scheduled_at and announcement.scheduled_at > now:
            announcement.pause_reason = None
            move(session, announcement, S.scheduled, "resumed", actor)
            return SendResult(str(S.scheduled), 0, audience_count(session, announcement.audience), None)
        return _start_sending(session, settings, announcement, actor)
    pending = pending_recipients(session, announcement.id)
    quota = None
    # Resuming does not need the figure: if LINE refuses again, the worker pauses again.
    with contextlib.suppress(QuotaUnavailable):
        quota = current_quota(session, settings)
    if quota is not None and quota.limit is not None and quota.used >= quota.limit:
        raise QuotaRefused(
            f"LINE still says the monthly quota is used up ({quota.used:,} of {quota.limit:,}); "
            f"{pending:,} recipients are waiting. Raise the quota in LINE Official Account Manager, then resume."
        )
    announcement.pause_reason = None
    move(session, announcement, S.sending, "resumed", actor, pending=pending)
    return SendResult(str(S.sending), pending, announcement.targeted or 0, quota.as_dict() if quota else None)


def remind(
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser,
    *,
    partial: bool | None = None,
) -> SendResult:
    """Send the Nth short reminder to members who received the announcement and have not acknowledged."""
    require(actor, CAN_COMPOSE, "send reminders")
    hold(session, announcement)
    if announcement.status not in (S.sending, S.paused, S.completed):
        raise WrongState(
            f"Only an announcement that has been sent can be reminded of; announcement {announcement.id} is "
            f"{announcement.status}."
        )
    recipients = reminder_recipients(announcement.id)
    waiting = session.scalar(select(func.count()).select_from(recipients.order_by(None).subquery())) or 0
    if waiting == 0:
        raise WrongState(
            "Everyone who received this announcement has acknowledged it: nobody needs a reminder."
        )
    earlier = session.scalar(
        select(func.count(func.distinct(Delivery.purpose))).where(
            Delivery.announcement_id == announcement.id, Delivery.purpose.like("reminder-%")
        )
    )
    purpose = f"reminder-{(earlier or 0) + 1}"
    allow_partial = announcement.allow_partial if partial is None else partial
    try:
        limit, quota = _check_quota(session, settings, waiting, allow_partial)
    except QuotaUnavailable as error:
        raise QuotaRefused(f"{error} No reminder was sent; try again when LINE answers.") from error
    sent = start_delivery(session, announcement, purpose, recipients_for, limit)
    log(session, announcement, "reminded", actor, purpose=purpose, recipients=sent, waiting=waiting)
    return SendResult(purpose, sent, waiting, quota.as_dict())
