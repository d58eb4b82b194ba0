"""`boktor report`: coverage per area or organisation, as a table, JSON or an Excel file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json, settings
from boktor.reports import messages
from boktor.reports.coverage import CoverageError, CoverageRow, coverage, missing_people, resolve_scope
from boktor.reports.excel import coverage_workbook

app = typer.Typer(help="Reports: who has joined, per area and organisation.", no_args_is_help=True)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _cells(row: CoverageRow) -> list[str]:
    return [
        row.code or "",
        row.name,
        f"{row.expected:,}",
        f"{row.joined:,}",
        _percent(row.joined_pct),
        f"{row.surveyed:,}",
        _percent(row.surveyed_pct),
        f"{row.not_on_roster:,}",
    ]


@app.command("coverage")
def coverage_command(
    province: str | None = typer.Option(None, "--province", help="Province code (57) or Thai name."),
    district: str | None = typer.Option(None, "--district", help="District code (5709) or Thai name."),
    organisation: str | None = typer.Option(None, "--organisation", help="Organisation code (cdd) or name."),
    by: str | None = typer.Option(
        None, "--by", help="Break down by province, district, subdistrict or organisation."
    ),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write an Excel file with who is missing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Expected, joined and surveyed people per area (or organisation), with the total."""
    with database() as session:
        try:
            scope = resolve_scope(session, province, district, organisation)
            report = coverage(session, scope, by)  # type: ignore[arg-type]
        except CoverageError as error:
            fail(str(error))
        if xlsx:
            # Writing the list gives each missing person a personal invite (committed with the command).
            content = coverage_workbook(settings(), report, missing_people(session, scope))
            try:
                xlsx.write_bytes(content)
            except OSError as error:
                fail(f"Cannot write {xlsx}: {error.strerror or error}.")
    if as_json:
        print_json({**report.to_dict(), "xlsx": str(xlsx) if xlsx else None})
        return
    table = Table(
        messages.CODE, messages.BREAKDOWN[report.breakdown], "คาดว่าจะเข้าร่วม", "เข้าร่วมแล้ว", "ร้อยละ",
        "ตอบแบบสำรวจ", "ร้อยละ", "ไม่อยู่ในบัญชี",
        title=f"{messages.TITLE} {report.scope.title}",
    )  # fmt: skip
    for column in table.columns[2:]:
        column.justify = "right"
    for row in report.rows:
        table.add_row(*_cells(row))
    table.add_section()
    table.add_row(*_cells(report.total), style="bold")
    console.print(table)
    if xlsx:
        console.print(f"Excel file written to {xlsx}", highlight=False)
