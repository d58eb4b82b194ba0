"""What the `boktor announce` commands share: the app, the arguments every step takes, and how a command
finds its user and announcement and runs in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import typer
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.accounts.service import user_by_name
from boktor.announcements import service
from boktor.announcements.audience import AudienceError
from boktor.announcements.dates import DateError, parse_moment
from boktor.announcements.models import Announcement
from boktor.announcements.quota import QuotaUnavailable
from boktor.cli.common import database, fail

app = typer.Typer(help="Write, approve, send and follow announcements.", no_args_is_help=True)

ID_ARGUMENT = typer.Argument(..., metavar="ID")
AS_OPTION = typer.Option(..., "--as", help="The acting user (see `boktor users create`).")
PARTIAL_OPTION = typer.Option(
    None, "--partial/--no-partial", help="If the monthly quota is short, send to as many as fit."
)


def acting_user(session: Session, username: str) -> AdminUser:
    """The user named `username`, or a plain error."""
    user = user_by_name(session, username)
    if user is None:
        fail(f"No user named {username!r}: create one with `boktor users create {username} --role ...`.")
    return user


def load_announcement(session: Session, announcement_id: int) -> Announcement:
    """The announcement with this id, or a plain error."""
    try:
        return service.get(session, announcement_id)
    except LookupError as error:
        fail(str(error))


def read_moment(text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """The moment typed (ISO or Thai style), None if nothing was, or a plain error."""
    if not text:
        return None
    try:
        return parse_moment(text, end_of_day=end_of_day)
    except DateError as error:
        fail(str(error))


def in_transaction(work: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    """Run one step in a transaction, turning refusals into plain errors and a non-zero exit."""
    try:
        with database() as session:
            return work(session)
    except (service.WorkflowError, AudienceError, QuotaUnavailable) as error:
        fail(str(error))
