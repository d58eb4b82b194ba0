"""`boktor members`: import members from CSV or Excel, export them back."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table as RichTable

from boktor.cli.common import JSON_OPTION, console, database, errors, fail, print_json
from boktor.db import refresh_statistics
from boktor.members.exporting import ExportError, export_members
from boktor.members.importing import MEMBER_COLUMNS, BadRow, ImportReport, MemberImport
from boktor.members.rosters import RosterReport
from boktor.members.tabular import TabularError, open_table

app = typer.Typer(help="Members: import from and export to CSV or Excel.", no_args_is_help=True)

SHOWN_BAD_ROWS = 30


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A Rich progress bar on stderr fed with (done, total); a no-op when disabled (--json)."""
    if not enabled:
        yield lambda done, total: None
        return
    columns = [TextColumn(label), BarColumn(), TaskProgressColumn(), DownloadColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=errors, transient=False) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def write_bad_rows(path: Path, bad_rows: list[BadRow]) -> None:
    """The refused rows as CSV (line, column, message), for the office to fix and send again."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["line", "column", "message"])
        writer.writerows([bad.line, bad.column, bad.message] for bad in bad_rows)


def print_bad_rows(bad_rows: list[BadRow]) -> None:
    if not bad_rows:
        return
    table = RichTable("line", "column", "problem", title="Rows not imported", title_justify="left")
    for bad in bad_rows[:SHOWN_BAD_ROWS]:
        table.add_row(str(bad.line), bad.column, bad.message)
    console.print(table)
    if len(bad_rows) > SHOWN_BAD_ROWS:
        console.print(
            f"… and {len(bad_rows) - SHOWN_BAD_ROWS} more problems (write them all with --report FILE)."
        )


def finish(
    report: ImportReport | RosterReport, *, as_json: bool, report_path: Path | None, summary: str
) -> None:
    """Print the outcome of an import (as JSON with --json) and write the bad-row report if asked."""
    if report_path is not None:
        try:
            write_bad_rows(report_path, report.bad_rows)
        except OSError as error:
            fail(f"Cannot write the report {report_path}: {error.strerror or error}.")
    if as_json:
        print_json(report.as_dict())
        return
    print_bad_rows(report.bad_rows)
    console.print(summary)
    if skipped := sum(report.skipped.values()):
        console.print(
            f"Skipped {skipped} rows that are not people (blank rows, totals, signatures, repeated headers)."
        )
    if report.bad_rows:
        console.print(f"{report.bad_row_count} rows were not imported; fix them and import the file again.")


@app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., help="A CSV (UTF-8 or Windows-874) or Excel .xlsx file with a header row."
    ),
    strict: bool = typer.Option(False, "--strict", help="Import nothing and exit 1 if any row is bad."),
    report: Path | None = typer.Option(None, "--report", help="Write the bad rows to this CSV file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add or update members (by LINE user ID) from a file; bad rows are reported by line and column.

    Exits 0 when the file was read (bad rows, if any, are reported and skipped), 1 when the file itself
    cannot be used, and with --strict 1 if any row is bad (nothing is imported then).
    """
    importer: MemberImport | None = None
    try:
        if strict:
            with database() as session, open_table(file, MEMBER_COLUMNS) as table:
                table.require("line_user_id")
                checked = MemberImport(session, write=False).run(table)
            if checked.bad_rows:
                finish(
                    checked, as_json=as_json, report_path=report, summary="Nothing was imported (--strict)."
                )
                raise typer.Exit(1)
        with database() as session, open_table(file, MEMBER_COLUMNS) as table:
            table.require("line_user_id")
            importer = MemberImport(session)
            with progress_bar(not as_json, "Importing members") as progress:
                result = importer.run(table, after_chunk=session.commit, progress=progress)
            refresh_statistics(session, "members", "member_topics")
    except TabularError as error:
        done = importer.report if importer else None
        if done and (done.imported or done.updated):
            fail(f"{error} {done.imported} members were added and {done.updated} updated before that.")
        fail(str(error))
    finish(
        result,
        as_json=as_json,
        report_path=report,
        summary=f"Imported {result.imported} new members and updated {result.updated} from {file.name}.",
    )


@app.command("export")
def export(
    file: Path = typer.Argument(..., help="Where to write: a .csv or .xlsx file name."),
    status: str | None = typer.Option(
        None, "--status", help="Only members of this status (follower, blocked)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write members to CSV or Excel in the import's columns, with Thai names (re-importable)."""
    try:
        with database() as session:
            count = export_members(session, file, status=status)
    except ExportError as error:
        fail(str(error))
    if as_json:
        print_json({"exported": count, "file": str(file)})
    else:
        console.print(f"Exported {count} members to {file}.")
