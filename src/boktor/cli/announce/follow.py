"""`boktor announce preview`, `list` and `status`: what members will receive, and what became of it."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from boktor.announcements.cards import category_name, messages_for
from boktor.announcements.models import Announcement
from boktor.announcements.results import announcement_status, summary
from boktor.cli.announce.common import ID_ARGUMENT, app, load_announcement
from boktor.cli.common import JSON_OPTION, console, database, fail, print_json


@app.command("preview")
def preview(
    announcement_id: int = ID_ARGUMENT,
    purpose: str = typer.Option("announcement", "--purpose", help="announcement or reminder-N."),
) -> None:
    """Print the exact LINE messages (JSON) that members will receive."""
    with database() as session:
        announcement = load_announcement(session, announcement_id)
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
        return announcement_status(session, load_announcement(session, announcement_id))


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
    announcement_id: int = ID_ARGUMENT,
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
