"""The announcement workflow: draft → submitted → approved → scheduled or sending → paused → completed, or cancelled.

Only a draft can be edited; an approver sends back what has not started sending, to draft, with a reason.

Every step checks who acts and from which state, refuses in plain words, and writes the audit log.
Nothing here commits: the command or request does, at its edge. Writing and approving are here; sending,
resuming and reminding are in `sending`, and this module is where callers find them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.announcements.content import aware, category_code, checked
from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.announcements.recipients import recipients_for, reminder_recipients
from boktor.announcements.results import iso
from boktor.announcements.sending import SendResult, remind, resume, send, start_due
from boktor.announcements.steps import (
    CAN_APPROVE,
    CAN_COMPOSE,
    CAN_STOP,
    InvalidAnnouncement,
    NotAllowed,
    QuotaRefused,
    WorkflowError,
    WrongState,
    hold,
    log,
    move,
    require,
)
from boktor.db import utcnow

__all__ = [
    "InvalidAnnouncement",
    "NotAllowed",
    "QuotaRefused",
    "SendResult",
    "WorkflowError",
    "WrongState",
    "approve",
    "cancel",
    "category_code",
    "create",
    "edit",
    "get",
    "pause",
    "recipients_for",
    "remind",
    "reminder_recipients",
    "resume",
    "send",
    "send_back",
    "start_due",
    "submit",
]

S = AnnouncementStatus


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
    require(actor, CAN_COMPOSE, "write announcements")
    written = {"title": title, "body": body, "category": category, "audience": audience, "image_url": image_url,
               "link_url": link_url, "ack_deadline": ack_deadline, "allow_partial": allow_partial}  # fmt: skip
    announcement = Announcement(**checked(session, written), status=S.draft, created_by_id=actor.id)
    session.add(announcement)
    session.flush()
    # LINE's customAggregationUnits name: at most 30 of [A-Za-z0-9_], one per announcement.
    announcement.aggregation_unit = f"ann_{announcement.id}"
    log(session, announcement, "created", actor, to=str(S.draft), audience=announcement.audience)
    return announcement


def edit(session: Session, announcement: Announcement, actor: AdminUser, **changes: Any) -> list[str]:
    """Change the given fields of a draft, checked as `create` checks them; the names of those that changed."""
    require(actor, CAN_COMPOSE, "edit announcements")
    hold(session, announcement)
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
    values = checked(session, changes)
    changed = [name for name, value in values.items() if getattr(announcement, name) != value]
    for name in changed:
        setattr(announcement, name, values[name])
    if changed:
        announcement.updated_at = utcnow()
        # Which fields, not their text: the announcement itself holds the text.
        log(session, announcement, "edited", actor, fields=changed)
    return changed


def _returnable(announcement: Announcement) -> bool:
    """Submitted, or approved and not yet started (scheduled or held), so that nobody has received it."""
    waiting = (S.submitted, S.approved, S.scheduled, S.paused)
    return announcement.status in waiting and announcement.started_at is None


def send_back(session: Session, announcement: Announcement, actor: AdminUser, reason: str) -> None:
    """An approver returns a submitted or approved announcement (not started) to draft, saying why."""
    require(actor, CAN_APPROVE, "send announcements back")
    # The worker may have just started a scheduled one, or a writer sent it.
    hold(session, announcement)
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
    move(session, announcement, S.draft, "returned", actor, reason=reason)


def submit(session: Session, announcement: Announcement, actor: AdminUser) -> None:
    """Ask for approval of a draft."""
    require(actor, CAN_COMPOSE, "submit announcements")
    hold(session, announcement)
    if announcement.status != S.draft:
        raise WrongState(
            f"Only a draft can be submitted; announcement {announcement.id} is {announcement.status}."
        )
    announcement.submitted_at = utcnow()
    announcement.return_reason = None
    move(session, announcement, S.submitted, "submitted", actor)


def approve(
    session: Session,
    announcement: Announcement,
    actor: AdminUser,
    *,
    scheduled_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Approve a submitted announcement; only an approver who did not write it may."""
    require(actor, CAN_APPROVE, "approve announcements")
    if announcement.created_by_id == actor.id:
        raise NotAllowed("Nobody approves their own announcement: another approver must approve it.")
    hold(session, announcement)
    if announcement.status != S.submitted:
        hint = " Submit it first." if announcement.status == S.draft else ""
        raise WrongState(
            f"Only a submitted announcement can be approved; announcement {announcement.id} is "
            f"{announcement.status}.{hint}"
        )
    now = now or utcnow()
    if scheduled_at is not None and aware(scheduled_at) <= now:
        raise InvalidAnnouncement("The scheduled time has already passed; give a time in the future.")
    announcement.approved_by_id = actor.id
    announcement.approved_at = now
    announcement.scheduled_at = scheduled_at
    move(session, announcement, S.approved, "approved", actor, scheduled_at=iso(scheduled_at))


def pause(session: Session, announcement: Announcement, actor: AdminUser, reason: str = "") -> None:
    """Stop taking new batches of a sending (or hold a scheduled one); resume continues where it stopped."""
    require(actor, CAN_STOP, "pause announcements")
    hold(session, announcement)
    if announcement.status not in (S.sending, S.scheduled):
        raise WrongState(
            f"Only a sending or scheduled announcement can be paused; announcement {announcement.id} is "
            f"{announcement.status}."
        )
    announcement.pause_reason = reason.strip() or f"Paused by {actor.username}."
    move(session, announcement, S.paused, "paused", actor, reason=announcement.pause_reason)


def cancel(session: Session, announcement: Announcement, actor: AdminUser, reason: str = "") -> None:
    """Stop an announcement for good: nothing more of it is sent (what was sent stays sent)."""
    require(actor, CAN_STOP, "cancel announcements")
    hold(session, announcement)
    if announcement.status in (S.completed, S.cancelled):
        raise WrongState(
            f"Announcement {announcement.id} is already {announcement.status}: there is nothing left to cancel."
        )
    move(session, announcement, S.cancelled, "cancelled", actor, reason=reason.strip() or None)


def get(session: Session, announcement_id: int) -> Announcement:
    """The announcement with this id, or a plain error."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise LookupError(f"There is no announcement {announcement_id}.")
    return announcement
