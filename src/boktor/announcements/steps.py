"""What every workflow step shares: who may take it, the refusals in plain words, and its audit record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.audit.service import record as audit
from boktor.db import utcnow

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


def require(actor: AdminUser | None, roles: tuple[str, ...], doing: str) -> None:
    """Refuse unless `actor` is an active user holding one of `roles`."""
    if actor is None or not actor.is_active or not set(roles) & set(actor.roles or []):
        who = f"User {actor.username!r}" if actor is not None else "Nobody"
        raise NotAllowed(f"{who} may not {doing}: this needs the role {' or '.join(roles)}.")


def hold(session: Session, announcement: Announcement) -> None:
    """Read the announcement again, locked until this transaction ends, before deciding a step on it.

    Two steps at once (an approver sending it back while a writer sends it, a pause while the worker starts it)
    then go one after the other on PostgreSQL, and the second sees what the first did instead of undoing it.
    SQLite has one writer at a time: there the second step's transaction is refused and nothing is lost.
    """
    session.flush()
    session.refresh(announcement, with_for_update=True)


def log(session: Session, announcement: Announcement, action: str, actor: AdminUser | None, **detail) -> None:
    """Write `announcement.<action>` to the audit log (no actor: the worker)."""
    audit(
        session,
        f"announcement.{action}",
        "announcement",
        announcement.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "worker",
        **detail,
    )


def move(
    session: Session,
    announcement: Announcement,
    to: AnnouncementStatus,
    action: str,
    actor: AdminUser | None,
    **detail,
) -> None:
    """Put the announcement in status `to` and audit the move, from which status to which."""
    before = announcement.status
    announcement.status = to
    announcement.updated_at = utcnow()
    log(session, announcement, action, actor, **{"from": before, "to": str(to), **detail})
