"""`boktor announce submit`, `approve`, `return`, `send`, `pause`, `resume`, `cancel` and `remind`: the workflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.announcements import service
from boktor.announcements.models import Announcement
from boktor.announcements.results import summary
from boktor.cli.announce.common import (
    AS_OPTION,
    ID_ARGUMENT,
    PARTIAL_OPTION,
    acting_user,
    app,
    in_transaction,
    load_announcement,
    read_moment,
)
from boktor.cli.common import JSON_OPTION, console, print_json, settings

RECORD_REASON_OPTION = typer.Option("", "--reason", help="Why, for the record.")


def _step(
    announcement_id: int, actor: str, as_json: bool, action: Callable[[Session, Announcement, AdminUser], Any]
) -> None:
    """Take one workflow step as `actor` and say where the announcement now stands."""

    def work(session: Session) -> dict[str, Any]:
        announcement = load_announcement(session, announcement_id)
        outcome = action(session, announcement, acting_user(session, actor))
        result = summary(announcement)
        if isinstance(outcome, service.SendResult):
            result["result"] = outcome.as_dict()
        return result

    result = in_transaction(work)
    if as_json:
        print_json(result)
        return
    console.print(f"Announcement {result['id']} is now {result['status']}.")
    if result["return_reason"]:
        console.print(f"Sent back: {result['return_reason']}", highlight=False)
    outcome = result.get("result")
    if outcome and outcome["status"] == "scheduled":
        console.print(f"It will start at {result['scheduled_at']} ({outcome['audience']:,} members now).")
    elif outcome:
        console.print(
            f"{outcome['recipients']:,} recipients queued ({outcome['status']}); audience {outcome['audience']:,}."
        )


@app.command("submit")
def submit(announcement_id: int = ID_ARGUMENT, actor: str = AS_OPTION,
           as_json: bool = JSON_OPTION) -> None:  # fmt: skip
    """Ask for approval of a draft."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.submit(s, a, u))


@app.command("approve")
def approve(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="Schedule it (2026-01-15T09:00+07:00 or 15/1/2569 09:00)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Approve a submitted announcement (another user than its writer, holding the approver role)."""
    when = read_moment(at)
    _step(announcement_id, actor, as_json, lambda s, a, u: service.approve(s, a, u, scheduled_at=when))


@app.command("return")
def return_(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    reason: str = typer.Option("", "--reason", help="What to fix, for the writer (required)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a submitted or approved announcement (not yet started) back to draft with a reason (approvers)."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.send_back(s, a, u, reason))


@app.command("send")
def send(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    at: str | None = typer.Option(None, "--at", help="Send later, at this time, instead of now."),
    partial: bool | None = PARTIAL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send an approved announcement now (or at --at); the worker delivers it."""
    when = read_moment(at)
    _step(
        announcement_id,
        actor,
        as_json,
        lambda s, a, u: service.send(s, settings(), a, u, at=when, partial=partial),
    )


@app.command("pause")
def pause(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    reason: str = RECORD_REASON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop sending for now; resume continues where it stopped."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.pause(s, a, u, reason))


@app.command("resume")
def resume(announcement_id: int = ID_ARGUMENT, actor: str = AS_OPTION,
           as_json: bool = JSON_OPTION) -> None:  # fmt: skip
    """Continue a paused announcement."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.resume(s, settings(), a, u))


@app.command("cancel")
def cancel(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    reason: str = RECORD_REASON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop an announcement for good (what was sent stays sent)."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.cancel(s, a, u, reason))


@app.command("remind")
def remind(
    announcement_id: int = ID_ARGUMENT,
    actor: str = AS_OPTION,
    partial: bool | None = PARTIAL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a short reminder to members who received it and have not acknowledged."""
    _step(
        announcement_id,
        actor,
        as_json,
        lambda s, a, u: service.remind(s, settings(), a, u, partial=partial),
    )
