"""`boktor announce`: write, approve, send and follow announcements, scripted without prompts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.accounts.service import user_by_name
from boktor.announcements import service
from boktor.announcements.audience import AudienceError, audience_count, describe_audience, normalize_audience
from boktor.announcements.cards import category_name, messages_for
from boktor.announcements.dates import DateError, parse_moment
from boktor.announcements.messages import CATEGORIES
from boktor.announcements.models import Announcement
from boktor.announcements.quota import QuotaUnavailable, current_quota
from boktor.announcements.results import announcement_status, summary
from boktor.cli.common import JSON_OPTION, console, database, fail, print_json, settings

app = typer.Typer(help="Write, approve, send and follow announcements.", no_args_is_help=True)

AS_OPTION = typer.Option(..., "--as", help="The acting user (see `boktor users create`).")
PARTIAL_OPTION = typer.Option(
    None, "--partial/--no-partial", help="If the monthly quota is short, send to as many as fit."
)
CATEGORY_HELP = "One of: " + ", ".join(f"{code} ({name})" for code, name in CATEGORIES.items())


def _actor(session: Session, username: str) -> AdminUser:
    user = user_by_name(session, username)
    if user is None:
        fail(f"No user named {username!r}: create one with `boktor users create {username} --role ...`.")
    return user


def _announcement(session: Session, announcement_id: int) -> Announcement:
    try:
        return service.get(session, announcement_id)
    except LookupError as error:
        fail(str(error))


def _moment(text: str | None, *, end_of_day: bool = False):
    if not text:
        return None
    try:
        return parse_moment(text, end_of_day=end_of_day)
    except DateError as error:
        fail(str(error))


def _run(work: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    """Run one step in a transaction, turning refusals into plain errors and a non-zero exit."""
    try:
        with database() as session:
            return work(session)
    except (service.WorkflowError, AudienceError, QuotaUnavailable) as error:
        fail(str(error))


def _quota_line(session: Session, audience: int) -> tuple[str, dict | None]:
    try:
        quota = current_quota(session, settings())
    except QuotaUnavailable as error:
        return f"Quota cost: {audience:,} messages (the remaining quota could not be read: {error})", None
    if quota.remaining is None:
        return f"Quota cost: {audience:,} messages (this channel has no monthly limit).", quota.as_dict()
    verdict = "fits" if quota.fits(audience) else "does NOT fit"
    return (
        f"Quota cost: {audience:,} messages; {quota.remaining:,} left this month — it {verdict}.",
        quota.as_dict(),
    )


# The audience options that `create` and `audience` share, and the audience filter key each one fills.
ORGANISATION = typer.Option([], "--organisation", help="Organisation code or name (repeatable).")
ORGANISATION_KIND = typer.Option([], "--organisation-kind", help="e.g. department, local_leader.")
PERSONNEL_TYPE = typer.Option([], "--personnel-type", help="Personnel type code or name.")
POSITION = typer.Option([], "--position", help="Position code or name (repeatable).")
PROVINCE = typer.Option([], "--province", help="Province code or name (repeatable).")
DISTRICT = typer.Option([], "--district", help="District code, 4 digits (repeatable).")
SUBDISTRICT = typer.Option([], "--subdistrict", help="Subdistrict code, 6 digits (repeatable).")
TOPIC = typer.Option([], "--topic", help="Information topic code or name (repeatable).")
SURVEYED = typer.Option(None, "--surveyed/--not-surveyed", help="Answered the survey or not.")
JOINED_AFTER = typer.Option(None, "--joined-after", help="Joined on or after this date.")
JOINED_BEFORE = typer.Option(None, "--joined-before", help="Joined before this date.")
AUDIENCE_KEYS = {
    "organisation": "organisations",
    "organisation_kind": "organisation_kinds",
    "personnel_type": "personnel_types",
    "position": "positions",
    "province": "provinces",
    "district": "districts",
    "subdistrict": "subdistricts",
    "topic": "topics",
    "surveyed": "surveyed",
    "joined_after": "joined_after",
    "joined_before": "joined_before",
}


def _audience(parameters: dict[str, Any]) -> dict[str, Any]:
    """The audience filter from a command's parameters (the options above that were given)."""
    audience: dict[str, Any] = {
        key: parameters[name] for name, key in AUDIENCE_KEYS.items() if parameters[name] not in (None, [], ())
    }
    for key in ("joined_after", "joined_before"):
        if key in audience:
            audience[key] = _moment(audience[key]).date().isoformat()
    return audience


@app.command("create")
def create(
    actor: str = AS_OPTION,
    title: str = typer.Option(..., "--title", help="The card's title (at most 200 characters)."),
    body: str | None = typer.Option(None, "--body", help="The text (at most 5,000 characters)."),
    body_file: Path | None = typer.Option(None, "--body-file", help="Read the text from a UTF-8 file."),
    category: str = typer.Option(..., "--category", help=CATEGORY_HELP),
    image_url: str | None = typer.Option(None, "--image-url", help="An https:// picture shown on the card."),
    link: str | None = typer.Option(None, "--link", help="An address for the 'อ่านเพิ่มเติม' button."),
    deadline: str | None = typer.Option(None, "--deadline", help="Acknowledge by (2026-01-15 or 15/1/2569)."),
    organisation: list[str] = ORGANISATION,
    organisation_kind: list[str] = ORGANISATION_KIND,
    personnel_type: list[str] = PERSONNEL_TYPE,
    position: list[str] = POSITION,
    province: list[str] = PROVINCE,
    district: list[str] = DISTRICT,
    subdistrict: list[str] = SUBDISTRICT,
    topic: list[str] = TOPIC,
    surveyed: bool | None = SURVEYED,
    joined_after: str | None = JOINED_AFTER,
    joined_before: str | None = JOINED_BEFORE,
    partial: bool = typer.Option(False, "--partial", help="Allow sending to as many as the quota allows."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a draft announcement for an audience; prints how many it reaches and its quota cost."""
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"Cannot read {body_file}: {error}")
    if not body:
        fail("Give the text with --body or --body-file.")
    audience = _audience(locals())
    ack_deadline = _moment(deadline, end_of_day=True)

    def work(session: Session) -> dict[str, Any]:
        announcement = service.create(
            session,
            _actor(session, actor),
            title=title,
            body=body,
            category=category,
            audience=audience,
            image_url=image_url,
            link_url=link,
            ack_deadline=ack_deadline,
            allow_partial=partial,
        )
        reach = audience_count(session, announcement.audience)
        line, quota = _quota_line(session, reach)
        return {**summary(announcement), "audience_count": reach, "quota": quota, "quota_line": line}

    result = _run(work)
    if as_json:
        print_json({k: v for k, v in result.items() if k != "quota_line"})
        return
    console.print(f"Announcement {result['id']} created as a draft: {result['title']}")
    console.print(
        f"Audience: {describe_audience(result['audience'])} — {result['audience_count']:,} members."
    )
    console.print(result["quota_line"])
    console.print(f"Next: boktor announce submit {result['id']} --as {actor}")


@app.command("edit")
def edit(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    title: str | None = typer.Option(None, "--title", help="A new title (at most 200 characters)."),
    body: str | None = typer.Option(None, "--body", help="A new text (at most 5,000 characters)."),
    body_file: Path | None = typer.Option(None, "--body-file", help="Read the new text from a UTF-8 file."),
    category: str | None = typer.Option(None, "--category", help=CATEGORY_HELP),
    image_url: str | None = typer.Option(None, "--image-url", help="A new https:// picture; '' removes it."),
    link: str | None = typer.Option(None, "--link", help="A new 'อ่านเพิ่มเติม' address; '' removes it."),
    deadline: str | None = typer.Option(
        None, "--deadline", "--ack-deadline", help="Acknowledge by (2026-01-15 or 15/1/2569); '' removes it."
    ),
    organisation: list[str] = ORGANISATION,
    organisation_kind: list[str] = ORGANISATION_KIND,
    personnel_type: list[str] = PERSONNEL_TYPE,
    position: list[str] = POSITION,
    province: list[str] = PROVINCE,
    district: list[str] = DISTRICT,
    subdistrict: list[str] = SUBDISTRICT,
    topic: list[str] = TOPIC,
    surveyed: bool | None = SURVEYED,
    joined_after: str | None = JOINED_AFTER,
    joined_before: str | None = JOINED_BEFORE,
    everyone: bool = typer.Option(
        False, "--everyone", help="Send to every follower (drop the audience filter)."
    ),
    partial: bool | None = PARTIAL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a draft: only what is given changes; audience options replace the whole audience."""
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"Cannot read {body_file}: {error}")
    wanted = _audience(locals())
    if everyone and wanted:
        fail("Give either --everyone or audience options, not both.")
    given = {"title": title, "body": body, "category": category, "image_url": image_url, "link_url": link,
             "allow_partial": partial}  # fmt: skip
    changes: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    if wanted or everyone:
        changes["audience"] = wanted
    if deadline is not None:
        changes["ack_deadline"] = _moment(deadline, end_of_day=True)

    def work(session: Session) -> dict[str, Any]:
        announcement = _announcement(session, announcement_id)
        changed = service.edit(session, announcement, _actor(session, actor), **changes)
        reach = audience_count(session, announcement.audience)
        line, quota = _quota_line(session, reach)
        return {**summary(announcement), "changed": changed, "audience_count": reach, "quota": quota,
                "quota_line": line}  # fmt: skip

    result = _run(work)
    if as_json:
        print_json({k: v for k, v in result.items() if k != "quota_line"})
        return
    if result["changed"]:
        console.print(f"Announcement {result['id']} edited: {', '.join(result['changed'])}.")
    else:
        console.print(f"Announcement {result['id']}: nothing changed.")
    if result["return_reason"]:
        console.print(f"It was sent back: {result['return_reason']}", highlight=False)
    console.print(
        f"Audience: {describe_audience(result['audience'])} — {result['audience_count']:,} members."
    )
    console.print(result["quota_line"])
    console.print(f"Next: boktor announce submit {result['id']} --as {actor}")


@app.command("audience")
def audience(
    organisation: list[str] = ORGANISATION,
    organisation_kind: list[str] = ORGANISATION_KIND,
    personnel_type: list[str] = PERSONNEL_TYPE,
    position: list[str] = POSITION,
    province: list[str] = PROVINCE,
    district: list[str] = DISTRICT,
    subdistrict: list[str] = SUBDISTRICT,
    topic: list[str] = TOPIC,
    surveyed: bool | None = SURVEYED,
    joined_after: str | None = JOINED_AFTER,
    joined_before: str | None = JOINED_BEFORE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Count the members an audience reaches and its quota cost, without writing anything."""
    wanted = _audience(locals())

    def work(session: Session) -> dict[str, Any]:
        checked = normalize_audience(session, wanted)
        reach = audience_count(session, checked)
        line, quota = _quota_line(session, reach)
        return {"audience": checked, "count": reach, "quota": quota, "quota_line": line}

    result = _run(work)
    if as_json:
        print_json({k: v for k, v in result.items() if k != "quota_line"})
    else:
        console.print(f"{describe_audience(result['audience'])}: {result['count']:,} members.")
        console.print(result["quota_line"])


def _step(
    announcement_id: int, actor: str, as_json: bool, action: Callable[[Session, Announcement, AdminUser], Any]
) -> None:
    def work(session: Session) -> dict[str, Any]:
        announcement = _announcement(session, announcement_id)
        outcome = action(session, announcement, _actor(session, actor))
        result = summary(announcement)
        if isinstance(outcome, service.SendResult):
            result["result"] = outcome.as_dict()
        return result

    result = _run(work)
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
def submit(announcement_id: int = typer.Argument(..., metavar="ID"), actor: str = AS_OPTION,
           as_json: bool = JSON_OPTION) -> None:  # fmt: skip
    """Ask for approval of a draft."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.submit(s, a, u))


@app.command("approve")
def approve(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="Schedule it (2026-01-15T09:00+07:00 or 15/1/2569 09:00)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Approve a submitted announcement (another user than its writer, holding the approver role)."""
    when = _moment(at)
    _step(announcement_id, actor, as_json, lambda s, a, u: service.approve(s, a, u, scheduled_at=when))


@app.command("return")
def return_(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    reason: str = typer.Option("", "--reason", help="What to fix, for the writer (required)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a submitted or approved announcement (not yet started) back to draft with a reason (approvers)."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.send_back(s, a, u, reason))


@app.command("send")
def send(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    at: str | None = typer.Option(None, "--at", help="Send later, at this time, instead of now."),
    partial: bool | None = PARTIAL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send an approved announcement now (or at --at); the worker delivers it."""
    when = _moment(at)
    _step(
        announcement_id,
        actor,
        as_json,
        lambda s, a, u: service.send(s, settings(), a, u, at=when, partial=partial),
    )


@app.command("pause")
def pause(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    reason: str = typer.Option("", "--reason", help="Why, for the record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop sending for now; resume continues where it stopped."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.pause(s, a, u, reason))


@app.command("resume")
def resume(announcement_id: int = typer.Argument(..., metavar="ID"), actor: str = AS_OPTION,
           as_json: bool = JSON_OPTION) -> None:  # fmt: skip
    """Continue a paused announcement."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.resume(s, settings(), a, u))


@app.command("cancel")
def cancel(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    actor: str = AS_OPTION,
    reason: str = typer.Option("", "--reason", help="Why, for the record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop an announcement for good (what was sent stays sent)."""
    _step(announcement_id, actor, as_json, lambda s, a, u: service.cancel(s, a, u, reason))


@app.command("remind")
def remind(
    announcement_id: int = typer.Argument(..., metavar="ID"),
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


@app.command("preview")
def preview(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    purpose: str = typer.Option("announcement", "--purpose", help="announcement or reminder-N."),
) -> None:
    """Print the exact LINE messages (JSON) that members will receive."""
    with database() as session:
        announcement = _announcement(session, announcement_id)
        try:
            content = messages_for(announcement, purpose)
        except ValueError as error:
            fail(str(error))
    typer.echo(json.dumps(content, ensure_ascii=False, indent=2))


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="Only this status (draft, sending, ...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List announcements, newest first."""
    with database() as session:
        query = select(Announcement).order_by(Announcement.id.desc())
        if status:
            query = query.where(Announcement.status == status)
        rows = [summary(a) for a in session.scalars(query)]
    if as_json:
        print_json(rows)
        return
    table = Table("ID", "Status", "Category", "Title", "Created")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["status"],
            category_name(row["category"]),
            row["title"],
            row["created_at"][:16],
        )
    console.print(table)
    for row in rows:
        if row["return_reason"]:
            console.print(f"Announcement {row['id']} was sent back: {row['return_reason']}", highlight=False)


def _read_status(announcement_id: int) -> dict[str, Any]:
    with database() as session:
        return announcement_status(session, _announcement(session, announcement_id))


def _print_status(result: dict[str, Any]) -> None:
    console.print(f"Announcement {result['id']}: {result['title']}")
    reason = result["pause_reason"] or (result["return_reason"] and f"sent back: {result['return_reason']}")
    console.print(f"Status: {result['status']}" + (f" — {reason}" if reason else ""), highlight=False)
    table = Table("targeted", "sent", "pending", "failed", "blocked", "acknowledged", "relayed")
    table.add_row(*(f"{result[k]:,}" for k in ("targeted", "sent", "pending", "failed", "blocked",
                                                "acknowledged", "relayed")))  # fmt: skip
    console.print(table)
    reach = result["reach"]
    console.print(
        f"Relayed to citizens: 1–10 people {reach['1-10']:,}, 11–50 {reach['11-50']:,}, "
        f"more than 50 {reach['over-50']:,}, not said {reach['unknown']:,}."
    )
    for failure in result["failures"]:
        console.print(f"[red]LINE refused a batch:[/] {failure}", highlight=False)
    for purpose, counts in result["reminders"].items():
        console.print(
            f"{purpose}: {counts['targeted']:,} targeted, {counts['sent']:,} sent, {counts['pending']:,} pending."
        )


@app.command("status")
def status(
    announcement_id: int = typer.Argument(..., metavar="ID"),
    watch: bool = typer.Option(False, "--watch", help="Show a progress bar until sending stops."),
    interval: float = typer.Option(1.0, "--interval", help="Seconds between refreshes with --watch."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Targeted, sent, pending, failed (with LINE's message), blocked, acknowledged, relayed and reach."""
    result = _read_status(announcement_id)
    if watch and result["status"] == "sending":
        with Progress(
            TextColumn("[bold]Sending[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=as_json,
        ) as progress:
            task = progress.add_task("send", total=max(result["targeted"], 1), note="")
            while True:
                done = result["targeted"] - result["pending"]
                progress.update(
                    task, completed=min(done, result["targeted"]), note=f"{result['pending']:,} pending"
                )
                if result["status"] != "sending" or result["pending"] == 0:
                    break
                time.sleep(interval)
                result = _read_status(announcement_id)
    if as_json:
        print_json(result)
    else:
        _print_status(result)
