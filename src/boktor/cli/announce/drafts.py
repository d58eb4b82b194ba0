"""`boktor announce create`, `edit` and `audience`: write a draft for an audience, and see what it reaches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from boktor.announcements import service
from boktor.announcements.audience import audience_count, describe_audience, normalize_audience
from boktor.announcements.messages import CATEGORIES
from boktor.announcements.models import Announcement
from boktor.announcements.quota import QuotaUnavailable, current_quota
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
from boktor.cli.common import JSON_OPTION, console, fail, print_json, settings

CATEGORY_HELP = "One of: " + ", ".join(f"{code} ({name})" for code, name in CATEGORIES.items())


def _body(body: str | None, body_file: Path | None) -> str | None:
    """The text given with --body, or read from --body-file."""
    if body_file is None:
        return body
    try:
        return body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"Cannot read {body_file}: {error}")


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


def _draft(session: Session, announcement: Announcement, **extra: Any) -> dict[str, Any]:
    """A draft as `create` and `edit` report it: with how many its audience reaches and at what quota cost."""
    reach = audience_count(session, announcement.audience)
    line, quota = _quota_line(session, reach)
    return {**summary(announcement), **extra, "audience_count": reach, "quota": quota, "quota_line": line}


def _print_draft(result: dict[str, Any], actor: str) -> None:
    console.print(
        f"Audience: {describe_audience(result['audience'])} — {result['audience_count']:,} members."
    )
    console.print(result["quota_line"])
    console.print(f"Next: boktor announce submit {result['id']} --as {actor}")


def _print_json_without_line(result: dict[str, Any]) -> None:
    """`--json` output: the quota line is for people, `quota` holds its figures."""
    print_json({k: v for k, v in result.items() if k != "quota_line"})


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
            audience[key] = read_moment(audience[key]).date().isoformat()
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
    body = _body(body, body_file)
    if not body:
        fail("Give the text with --body or --body-file.")
    audience = _audience(locals())
    ack_deadline = read_moment(deadline, end_of_day=True)

    def work(session: Session) -> dict[str, Any]:
        announcement = service.create(
            session,
            acting_user(session, actor),
            title=title,
            body=body,
            category=category,
            audience=audience,
            image_url=image_url,
            link_url=link,
            ack_deadline=ack_deadline,
            allow_partial=partial,
        )
        return _draft(session, announcement)

    result = in_transaction(work)
    if as_json:
        _print_json_without_line(result)
        return
    console.print(f"Announcement {result['id']} created as a draft: {result['title']}")
    _print_draft(result, actor)


@app.command("edit")
def edit(
    announcement_id: int = ID_ARGUMENT,
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
    body = _body(body, body_file)
    wanted = _audience(locals())
    if everyone and wanted:
        fail("Give either --everyone or audience options, not both.")
    given = {"title": title, "body": body, "category": category, "image_url": image_url, "link_url": link,
             "allow_partial": partial}  # fmt: skip
    changes: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    if wanted or everyone:
        changes["audience"] = wanted
    if deadline is not None:
        changes["ack_deadline"] = read_moment(deadline, end_of_day=True)

    def work(session: Session) -> dict[str, Any]:
        announcement = load_announcement(session, announcement_id)
        changed = service.edit(session, announcement, acting_user(session, actor), **changes)
        return _draft(session, announcement, changed=changed)

    result = in_transaction(work)
    if as_json:
        _print_json_without_line(result)
        return
    if result["changed"]:
        console.print(f"Announcement {result['id']} edited: {', '.join(result['changed'])}.")
    else:
        console.print(f"Announcement {result['id']}: nothing changed.")
    if result["return_reason"]:
        console.print(f"It was sent back: {result['return_reason']}", highlight=False)
    _print_draft(result, actor)


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

    result = in_transaction(work)
    if as_json:
        _print_json_without_line(result)
    else:
        console.print(f"{describe_audience(result['audience'])}: {result['count']:,} members.")
        console.print(result["quota_line"])
