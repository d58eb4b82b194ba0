"""The announcement workflow: draft → submitted → approved → scheduled or sending → paused → completed, or cancelled.

Only a draft can be edited; an approver sends back what has not started sending, to draft, with a reason.

Every step checks who acts and from which state, refuses in plain words, and writes the audit log.
Nothing here commits: the command or request does, at its edge.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.announcements import messages as th
from boktor.announcements.audience import audience_count, audience_select, normalize_audience
from boktor.announcements.models import Acknowledgement, Announcement, AnnouncementStatus
from boktor.announcements.quota import Quota, QuotaUnavailable, current_quota, refusal
from boktor.audit.service import record as audit
from boktor.config import Settings, get_settings
from boktor.db import utcnow
from boktor.members.models import Member, MemberStatus

S = AnnouncementStatus
TITLE_MAX = 200
BODY_MAX = 5000
URL_MAX = 2000
# Who may do what (an operator may also stop a sending in an emergency).
CAN_COMPOSE = ("communicator",)
CAN_APPROVE = ("approver",)
CAN_STOP = ("communicator", "approver", "operator")


class WorkflowError(ValueError):
    """A workflow step that cannot be taken; the message says why in plain words."""


class NotAllowed(WorkflowError):
    """The acting user may not take this step."""


class WrongState(WorkflowError):
    """The announcement is not in a state that allows this step."""


class InvalidAnnouncement(WorkflowError):
    """What was written cannot be sent as it is."""


class QuotaRefused(WorkflowError):
    """The audience does not fit the monthly quota (and partial sending was not asked for)."""


@dataclass
class SendResult:
    status: str
    recipients: int
    audience: int
    quota: dict[str, int | None] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "recipients": self.recipients,
            "audience": self.audience,
            "quota": self.quota,
        }


def _require(actor: AdminUser | None, roles: tuple[str, ...], doing: str) -> None:
    if actor is None or not actor.is_active or not set(roles) & set(actor.roles or []):
        who = f"User {actor.username!r}" if actor is not None else "Nobody"
        raise NotAllowed(f"{who} may not {doing}: this needs the role {' or '.join(roles)}.")


def _log(
    session: Session, announcement: Announcement, action: str, actor: AdminUser | None, **detail
) -> None:
    audit(
        session,
        f"announcement.{action}",
        "announcement",
        announcement.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "worker",
        **detail,
    )


def _move(
    session: Session, announcement: Announcement, to: S, action: str, actor: AdminUser | None, **detail
) -> None:
    before = announcement.status
    announcement.status = to
    announcement.updated_at = utcnow()
    _log(session, announcement, action, actor, **{"from": before, "to": str(to), **detail})


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidAnnouncement("Times must carry a time zone (e.g. 2026-01-15T09:00+07:00).")
    return moment


def category_code(text: str) -> str:
    """The category code for a code or a Thai name ("ข้อสั่งการ" → "directive")."""
    wanted = (text or "").strip()
    if wanted in th.CATEGORIES:
        return wanted
    for code, name in th.CATEGORIES.items():
        if wanted == name:
            return code
    choices = ", ".join(f"{code} ({name})" for code, name in th.CATEGORIES.items())
    raise InvalidAnnouncement(f"Unknown category {text!r}; choose one of: {choices}.")


def _check_url(value: str | None, what: str, *, https_only: bool) -> str | None:
    value = (value or "").strip() or None
    if value is None:
        return None
    schemes = ("https://",) if https_only else ("https://", "http://")
    if not value.startswith(schemes) or len(value) > URL_MAX:
        need = "an https:// address" if https_only else "an http(s):// address"
        raise InvalidAnnouncement(f"The {what} must be {need} of at most {URL_MAX} characters (LINE's rule).")
    return value


def _check_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidAnnouncement("An announcement needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidAnnouncement(f"The title is {len(title)} characters; at most {TITLE_MAX} fit a card.")
    return title


def _check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidAnnouncement("An announcement needs a body.")
    if len(body) > BODY_MAX:
        raise InvalidAnnouncement(
            f"The body is {len(body):,} characters; LINE takes at most {BODY_MAX:,} in one message."
        )
    return body


def _checked(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields written (create) or changed (edit), checked and put as they are stored."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": _check_title,
        "body": _check_body,
        "category": category_code,
        "audience": lambda audience: normalize_audience(session, audience or {}),
        "image_url": lambda url: _check_url(url, "image URL", https_only=True),
        "link_url": lambda url: _check_url(url, "link", https_only=False),
        "ack_deadline": _aware,
        "allow_partial": bool,
    }
    unknown = sorted(set(fields) - set(checks))
    if unknown:
        raise TypeError(f"An announcement has no editable field {unknown[0]!r}.")
    return {name: checks[name](value) for name, value in fields.items()}


def create(
    session: Session,
    actor: AdminUser,
    *,
    title: str,
    body: str,
    category: str,
    audience: dict[str, Any] | None = None,
    image_url: str | None = None,
    link_url: str | None = None,
    ack_deadline: datetime | None = None,
    allow_partial: bool = False,
) -> Announcement:
    """A new draft announcement written by a communicator."""
    _require(actor, CAN_COMPOSE, "write announcements")
    written = {"title": title, "body": body, "category": category, "audience": audience, "image_url": image_url,
               "link_url": link_url, "ack_deadline": ack_deadline, "allow_partial": allow_partial}  # fmt: skip
    announcement = Announcement(**_checked(session, written), status=S.draft, created_by_id=actor.id)
    session.add(announcement)
    session.flush()
    # LINE's customAggregationUnits name: at most 30 of [A-Za-z0-9_], one per announcement.
    announcement.aggregation_unit = f"ann_{announcement.id}"
    _log(session, announcement, "created", actor, to=str(S.draft), audience=announcement.audience)
    return announcement


def edit(session: Session, announcement: Announcement, actor: AdminUser, **changes: Any) -> list[str]:
    """Change the given fields of a draft, checked as `create` checks them; the names of those that changed."""
    _require(actor, CAN_COMPOSE, "edit announcements")
    if announcement.status != S.draft:
        if _returnable(announcement):
            hint = "ask the approver to send it back (`boktor announce return`), then edit the draft"
        elif announcement.status == S.cancelled:
            hint = "write a new one"
        else:
            hint = "it has already gone out to members; cancel it if need be and write a corrected one"
        raise WrongState(
            f"Only a draft can be edited; announcement {announcement.id} is {announcement.status}: {hint}."
        )
    values = _checked(session, changes)
    changed = [name for name, value in values.items() if getattr(announcement, name) != value]
    for name in changed:
        setattr(announcement, name, values[name])
    if changed:
        announcement.updated_at = utcnow()
        # Which fields, not their text: the announcement itself holds the text.
        _log(session, announcement, "edited", actor, fields=changed)
    return changed


def _returnable(announcement: Announcement) -> bool:
    """Submitted, or approved and not yet started (scheduled or held), so that nobody has received it."""
    waiting = (S.submitted, S.approved, S.scheduled, S.paused)
    return announcement.status in waiting and announcement.started_at is None


def send_back(session: Session, announcement: Announcement, actor: AdminUser, reason: str) -> None:
    """An approver returns a submitted or approved announcement (not started) to draft, saying why."""
    _require(actor, CAN_APPROVE, "send announcements back")
    # Read the row again under lock: the worker may have just started a scheduled one.
    session.flush()
    session.refresh(announcement, with_for_update=True)
    if not _returnable(announcement):
        raise WrongState(
            f"Only an announcement waiting for approval or for its start can be sent back; announcement "
            f"{announcement.id} is {announcement.status}."
            + (" It has started sending: cancel it if it must not go on." if announcement.started_at else "")
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidAnnouncement(
            "Say why it goes back (--reason): the writer needs it to fix the announcement."
        )
    # Whatever was approved no longer stands: it must be submitted and approved again.
    announcement.return_reason = reason
    announcement.pause_reason = None
    announcement.submitted_at = announcement.approved_at = announcement.scheduled_at = None
    announcement.approved_by_id = None
    _move(session, announcement, S.draft, "returned", actor, reason=reason)


def submit(session: Session, announcement: Announcement, actor: AdminUser) -> None:
    """Ask for approval of a draft."""
    _require(actor, CAN_COMPOSE, "submit announcements")
    if announcement.status != S.draft:
        raise WrongState(
            f"Only a draft can be submitted; announcement {announcement.id} is {announcement.status}."
        )
    announcement.submitted_at = utcnow()
    announcement.return_reason = None
    _move(session, announcement, S.submitted, "submitted", actor)


def approve(
    session: Session,
    announcement: Announcement,
    actor: AdminUser,
    *,
    scheduled_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Approve a submitted announcement; only an approver who did not write it may."""
    _require(actor, CAN_APPROVE, "approve announcements")
    if announcement.created_by_id == actor.id:
        raise NotAllowed("Nobody approves their own announcement: another approver must approve it.")
    if announcement.status != S.submitted:
        hint = " Submit it first." if announcement.status == S.draft else ""
        raise WrongState(
            f"Only a submitted announcement can be approved; announcement {announcement.id} is "
            f"{announcement.status}.{hint}"
        )
    now = now or utcnow()
    if scheduled_at is not None and _aware(scheduled_at) <= now:
        raise InvalidAnnouncement("The scheduled time has already passed; give a time in the future.")
    announcement.approved_by_id = actor.id
    announcement.approved_at = now
    announcement.scheduled_at = scheduled_at
    _move(session, announcement, S.approved, "approved", actor, scheduled_at=_iso(scheduled_at))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser | None,
    *,
    check_quota: bool = True,
) -> SendResult:
    """Write the ledger for the audience (as much as the quota allows) and move to sending."""
    from boktor.delivery.ledger import start_delivery

    audience = audience_count(session, announcement.audience)
    if audience == 0:
        raise InvalidAnnouncement("This audience reaches nobody who follows the account: widen the filters.")
    limit, quota = None, None
    if check_quota:
        limit, quota = _check_quota(session, settings, audience, announcement.allow_partial)
    recipients = start_delivery(session, announcement, "announcement", recipients_for, limit)
    announcement.targeted = recipients
    announcement.started_at = utcnow()
    announcement.pause_reason = None
    _move(
        session,
        announcement,
        S.sending,
        "sending",
        actor,
        audience=audience,
        recipients=recipients,
        quota=quota.as_dict() if quota else None,
    )
    return SendResult(str(S.sending), recipients, audience, quota.as_dict() if quota else None)


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
    _require(actor, CAN_COMPOSE, "send announcements")
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
    when = _aware(at) or announcement.scheduled_at
    if when is not None and when > now:
        audience = audience_count(session, announcement.audience)
        announcement.scheduled_at = when
        _move(session, announcement, S.scheduled, "scheduled", actor, scheduled_at=_iso(when))
        return SendResult(str(S.scheduled), 0, audience, None)
    try:
        return _start_sending(session, settings, announcement, actor)
    except QuotaUnavailable as error:
        raise QuotaRefused(f"{error} Nothing was sent; try again when LINE answers.") from error


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
        except QuotaUnavailable:
            # LINE did not answer about quota: send anyway; a real quota refusal pauses the sending.
            _start_sending(session, settings, announcement, None, check_quota=False)
        except (QuotaRefused, InvalidAnnouncement) as error:
            announcement.pause_reason = str(error)
            _move(session, announcement, S.paused, "paused", None, reason=str(error))
            continue
        started.append(announcement.id)
    return started


def pause(session: Session, announcement: Announcement, actor: AdminUser, reason: str = "") -> None:
    """Stop taking new batches of a sending (or hold a scheduled one); resume continues where it stopped."""
    _require(actor, CAN_STOP, "pause announcements")
    if announcement.status not in (S.sending, S.scheduled):
        raise WrongState(
            f"Only a sending or scheduled announcement can be paused; announcement {announcement.id} is "
            f"{announcement.status}."
        )
    announcement.pause_reason = reason.strip() or f"Paused by {actor.username}."
    _move(session, announcement, S.paused, "paused", actor, reason=announcement.pause_reason)


def resume(
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser,
    *,
    now: datetime | None = None,
) -> SendResult:
    """Continue a paused announcement: the rest of its ledger, or its start if it never started."""
    _require(actor, (*CAN_COMPOSE, "operator"), "resume announcements")
    if announcement.status != S.paused:
        raise WrongState(
            f"Only a paused announcement can be resumed; announcement {announcement.id} is {announcement.status}."
        )
    now = now or utcnow()
    if announcement.started_at is None:
        if announcement.scheduled_at and announcement.scheduled_at > now:
            announcement.pause_reason = None
            _move(session, announcement, S.scheduled, "resumed", actor)
            return SendResult(str(S.scheduled), 0, audience_count(session, announcement.audience), None)
        try:
            return _start_sending(session, settings, announcement, actor)
        except QuotaUnavailable as error:
            raise QuotaRefused(f"{error} Nothing was sent; try again when LINE answers.") from error
    pending = _pending(session, announcement.id)
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
    _move(session, announcement, S.sending, "resumed", actor, pending=pending)
    return SendResult(str(S.sending), pending, announcement.targeted or 0, quota.as_dict() if quota else None)


def _pending(session: Session, announcement_id: int) -> int:
    from boktor.delivery.models import Delivery

    return (
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.announcement_id == announcement_id, Delivery.status == "pending")
        )
        or 0
    )


def cancel(session: Session, announcement: Announcement, actor: AdminUser, reason: str = "") -> None:
    """Stop an announcement for good: nothing more of it is sent (what was sent stays sent)."""
    _require(actor, CAN_STOP, "cancel announcements")
    if announcement.status in (S.completed, S.cancelled):
        raise WrongState(
            f"Announcement {announcement.id} is already {announcement.status}: there is nothing left to cancel."
        )
    _move(session, announcement, S.cancelled, "cancelled", actor, reason=reason.strip() or None)


def recipients_for(announcement: Announcement, purpose: str) -> Select:
    """Who the ledger of `purpose` is written for: the audience, or for "reminder-N" those not acknowledging."""
    if purpose == "announcement":
        return audience_select(announcement.audience)
    return reminder_recipients(announcement.id)


def reminder_recipients(announcement_id: int) -> Select:
    """Followers who were sent the announcement and have not acknowledged it, ordered by member id."""
    from boktor.delivery.models import Delivery

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
            Delivery.status == "sent",
            Member.status == MemberStatus.follower,
            ~acknowledged,
        )
        .order_by(Member.id)
    )


def remind(
    session: Session,
    settings: Settings,
    announcement: Announcement,
    actor: AdminUser,
    *,
    partial: bool | None = None,
) -> SendResult:
    """Send the Nth short reminder to members who received the announcement and have not acknowledged."""
    from boktor.delivery.ledger import start_delivery
    from boktor.delivery.models import Delivery

    _require(actor, CAN_COMPOSE, "send reminders")
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
    _log(session, announcement, "reminded", actor, purpose=purpose, recipients=sent, waiting=waiting)
    return SendResult(purpose, sent, waiting, quota.as_dict())


def get(session: Session, announcement_id: int) -> Announcement:
    """The announcement with this id, or a plain error."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise LookupError(f"There is no announcement {announcement_id}.")
    return announcement
