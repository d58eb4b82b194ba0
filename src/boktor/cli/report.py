"""`boktor report`: coverage per area or organisation, and who has not acknowledged an announcement; as a
table, JSON or an Excel file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.table import Table

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json, settings
from boktor.reports import messages
from boktor.reports.acknowledgements import AcknowledgementRow, acknowledgements
from boktor.reports.coverage import ACKNOWLEDGING_DAYS, CoverageRow, coverage, missing_people
from boktor.reports.excel import acknowledgements_workbook, coverage_workbook
from boktor.reports.scope import ScopeError, resolve_scope
from boktor.thai import thai_datetime

app = typer.Typer(
    help="Reports: who has joined, per area and organisation; who has not acknowledged an announcement.",
    no_args_is_help=True,
)

PROVINCE = typer.Option(None, "--province", help="Province code (57) or Thai name.")
DISTRICT = typer.Option(None, "--district", help="District code (5709) or Thai name.")
ORGANISATION = typer.Option(None, "--organisation", help="Organisation code (cdd) or name.")
BY = typer.Option(None, "--by", help="Break down by province, district, subdistrict or organisation.")
# Printed in full up to this many people; beyond, the table says how many more and points to --xlsx.
PEOPLE_SHOWN = 50

Row = TypeVar("Row", CoverageRow, AcknowledgementRow)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _show(table: Table) -> None:
    """Print a table; into a file or a pipe it goes out at its full width, as no screen limits it there."""
    screen = console.width
    if not console.is_terminal:
        wanted = console.measure(table, options=console.options.update(max_width=1_000)).maximum
        console.width = max(screen, wanted)
    try:
        console.print(table)
    finally:
        console.width = screen


def _show_figures(table: Table, rows: list[Row], total: Row, cells: Callable[[Row], list[str]]) -> None:
    """Print a table of figures per area or organisation: numbers to the right, the total last in bold."""
    for column in table.columns[2:]:
        column.justify = "right"
    for row in rows:
        table.add_row(*cells(row))
    table.add_section()
    table.add_row(*cells(total), style="bold")
    _show(table)


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        fail(f"Cannot write {path}: {error.strerror or error}.")


def _coverage_cells(row: CoverageRow) -> list[str]:
    return [
        row.code or "",
        row.name,
        f"{row.expected:,}",
        f"{row.joined:,}",
        _percent(row.joined_pct),
        f"{row.surveyed:,}",
        _percent(row.surveyed_pct),
        f"{row.acknowledging:,}",
        _percent(row.acknowledging_pct),
        f"{row.not_on_roster:,}",
    ]


@app.command("coverage")
def coverage_command(
    province: str | None = PROVINCE,
    district: str | None = DISTRICT,
    organisation: str | None = ORGANISATION,
    by: str | None = BY,
    days: int = typer.Option(
        ACKNOWLEDGING_DAYS, "--days", min=1, help="Acknowledging: of announcements sent in the last N days."
    ),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write an Excel file with who is missing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Expected, joined, surveyed and acknowledging people per area (or organisation), with the total."""
    with database() as session:
        try:
            scope = resolve_scope(session, province, district, organisation)
            report = coverage(session, scope, by, days=days)  # type: ignore[arg-type]
        except ScopeError as error:
            fail(str(error))
        if xlsx:
            # Writing the list gives each missing person a personal invite (committed with the command).
            _write(xlsx, coverage_workbook(settings(), report, missing_people(session, scope)))
    if as_json:
        print_json({**report.to_dict(), "xlsx": str(xlsx) if xlsx else None})
        return
    table = Table(
        messages.CODE, messages.BREAKDOWN[report.breakdown], "คาดว่าจะเข้าร่วม", "เข้าร่วมแล้ว", "ร้อยละ",
        "ตอบแบบสำรวจ", "ร้อยละ", f"รับทราบ ({days} วัน)", "ร้อยละ", "ไม่อยู่ในบัญชี",
        title=f"{messages.TITLE} {report.scope.title}",
        caption=f"ร้อยละที่รับทราบ: ของผู้เข้าร่วม ที่กดรับทราบประกาศที่ส่งในรอบ {days} วัน อย่างน้อยหนึ่งเรื่อง",
    )  # fmt: skip
    _show_figures(table, report.rows, report.total, _coverage_cells)
    if xlsx:
        console.print(f"Excel file written to {xlsx}", highlight=False)


def _acknowledgement_cells(row: AcknowledgementRow) -> list[str]:
    return [
        row.code or "",
        row.name,
        f"{row.received:,}",
        f"{row.acknowledged:,}",
        _percent(row.acknowledged_pct),
        f"{row.relayed:,}",
        _percent(row.relayed_pct),
        f"{row.not_acknowledged:,}",
    ]


@app.command("acknowledgements")
def acknowledgements_command(
    announcement_id: int = typer.Argument(
        ..., help="The announcement's number (see `boktor announce list`)."
    ),
    province: str | None = PROVINCE,
    district: str | None = DISTRICT,
    organisation: str | None = ORGANISATION,
    by: str | None = BY,
    xlsx: Path | None = typer.Option(
        None, "--xlsx", help="Also write an Excel file of who has not acknowledged."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Who received an announcement and has not acknowledged it, with received / acknowledged / relayed per area."""
    with database() as session:
        try:
            scope = resolve_scope(session, province, district, organisation)
            report = acknowledgements(session, announcement_id, scope, by)  # type: ignore[arg-type]
        except (ScopeError, LookupError) as error:
            fail(str(error))
        if xlsx:
            _write(xlsx, acknowledgements_workbook(report))
        if as_json:
            print_json({**report.to_dict(), "xlsx": str(xlsx) if xlsx else None})
            return
        deadline = report.announcement.ack_deadline
        title = messages.acknowledgements_title(report.announcement.title, scope.title)
    counts = Table(
        messages.CODE, messages.BREAKDOWN[report.breakdown], "ได้รับ", "รับทราบ", "ร้อยละ", "บอกต่อ", "ร้อยละ",
        "ยังไม่รับทราบ", title=title,
        caption=(messages.deadline(thai_datetime(deadline)) if deadline else messages.NO_DEADLINE)
        + (f" ({messages.PAST_DEADLINE})" if report.past_deadline else ""),
    )  # fmt: skip
    _show_figures(counts, report.rows, report.total, _acknowledgement_cells)

    people = Table("#", *messages.UNACKNOWLEDGED_HEADINGS[1:8], title=messages.UNACKNOWLEDGED_SHEET)
    for number, person in enumerate(report.unacknowledged[:PEOPLE_SHOWN], start=1):
        people.add_row(
            str(number), person.full_name, person.organisation, person.position, person.area,
            person.phone or "", person.status, str(person.reminders),
        )  # fmt: skip
    if report.unacknowledged:
        _show(people)
    else:
        console.print(messages.NONE_UNACKNOWLEDGED if report.total.received else "Nobody here received it.")
    more = len(report.unacknowledged) - PEOPLE_SHOWN
    if more > 0:
        console.print(f"... and {more:,} more: write them all with --xlsx FILE or --json.", highlight=False)
    if xlsx:
        console.print(f"Excel file written to {xlsx}", highlight=False)
