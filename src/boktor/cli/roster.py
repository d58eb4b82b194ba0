"""`boktor roster`: import an office's list of expected personnel; list and delete rosters."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table as RichTable

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json
from boktor.cli.members import finish
from boktor.members.rosters import (
    ROSTER_COLUMNS,
    RosterError,
    RosterReport,
    delete_roster,
    import_roster,
    list_rosters,
)
from boktor.members.tabular import TabularError, open_table
from boktor.org import areas

app = typer.Typer(help="Rosters of expected personnel: import, list and delete.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="Excel .xlsx or CSV with a header row (Thai or English titles)."),
    name: str = typer.Option(..., "--name", help="A name for this roster, e.g. 'บุคลากร พช. เชียงราย 2568'."),
    province: str | None = typer.Option(None, "--province", help="The roster's province (code or name)."),
    district: str | None = typer.Option(None, "--district", help="The roster's district, if it is of one."),
    organisation: str | None = typer.Option(
        None,
        "--organisation",
        help="The roster's organisation (code, Thai name or short name), if it is of one.",
    ),
    new: bool = typer.Option(
        False, "--new", help="Store a separate roster even if one of this name and scope exists."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show who would be kept, updated, added and removed; store nothing."
    ),
    strict: bool = typer.Option(False, "--strict", help="Store nothing and exit 1 if any row is bad."),
    report: Path | None = typer.Option(None, "--report", help="Write the bad rows to this CSV file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Store a roster's good rows, report bad rows by line and column, and match it to members.

    A roster of the same name and scope (province, district, organisation) is replaced as its next version:
    the people still on the list keep their entries and personal invites, new people are added and those
    no longer on it are removed. Exits 0 when the file was read (bad rows are reported and skipped), 1 when
    the file or options cannot be used, and with --strict 1 if any row is bad (nothing is stored then).
    """
    try:
        with database() as session, open_table(file, ROSTER_COLUMNS) as table:
            result = import_roster(
                session,
                table,
                name=name,
                filename=file.name,
                province_code=province,
                district_code=district,
                organisation=organisation,
                replace=not new,
                dry_run=dry_run,
            )
            if strict and result.bad_rows:
                finish(result, as_json=as_json, report_path=report, summary="Nothing was stored (--strict).")
                raise typer.Exit(1)  # inside the transaction: it is rolled back
    except (TabularError, RosterError) as error:
        fail(str(error))
    finish(result, as_json=as_json, report_path=report, summary=_summary(result, file.name))


def _summary(result: RosterReport, filename: str) -> str:
    """What the import did, in a few lines for the office."""
    changes = f"kept {result.kept}, updated {result.updated}, added {result.added}, removed {result.removed}"
    if result.dry_run:
        if result.replaced:
            done = f"Roster {result.roster_id} '{result.name}' would be version {result.version}: {changes}"
            done += f" ({result.entries} people)."
        else:
            done = f"A new roster '{result.name}' would be stored: {result.entries} people from {filename}."
        return done + "\nNothing was stored (--dry-run)."
    if result.replaced:
        summary = (
            f"Roster {result.roster_id} '{result.name}' version {result.version} from {filename}: {changes}; "
            f"{result.entries} people on it now."
        )
        if result.removed:
            summary += "\nPersonal invites printed for the people removed still open the survey."
    else:
        summary = f"Roster {result.roster_id} '{result.name}' version 1: {result.entries} people stored from {filename}."
    if (matching := result.matching) is not None:
        summary += (
            f"\nMatched to members now: {matching.matched} (by phone {matching.by_phone}, by name and area "
            f"{matching.by_name_area}); ambiguous {len(matching.ambiguous)}; not yet joined {matching.unmatched}."
        )
    return summary


@app.command("list")
def list_(
    province: str | None = typer.Option(None, "--province", help="Only this province (code or name)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The rosters, newest first: version, last update, people on each and how many have joined."""
    code = None
    if province:
        found = areas.find_province(province)
        if found is None:
            fail(f"Unknown province {province!r}.")
        code = found.code
    with database() as session:
        rows = list_rosters(session, province_code=code)
    if as_json:
        print_json({"rosters": rows})
        return
    table = RichTable("id", "name", "province", "version", "updated", "entries", "matched", "uploaded")
    for row in rows:
        table.add_row(
            str(row["id"]), row["name"], areas.area_name(row["province_code"]), str(row["version"]),
            row["updated_at"][:16], str(row["entries"]), str(row["matched"]), row["uploaded_at"][:16],
        )  # fmt: skip
    console.print(table)


@app.command("delete")
def delete(
    roster_id: int = typer.Argument(..., help="The roster's id (`boktor roster list`)."),
    yes: bool = typer.Option(False, "--yes", help="Delete it; without this, only say what would go."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Remove a roster (all its versions' people) from what offices expect, e.g. one uploaded twice.

    Members matched to it stay members, and personal invites printed from it still open the survey. Without
    --yes nothing is deleted: the command says what would go and exits 1.
    """
    try:
        with database() as session:
            removed = delete_roster(session, roster_id, dry_run=not yes, actor_label="command line")
    except RosterError as error:
        fail(str(error))
    if as_json:
        print_json(removed)
    people = f"{removed['entries']:,} people, {removed['matched']:,} of them matched to members"
    if not yes:
        if not as_json:
            console.print(
                f"Roster {removed['id']} '{removed['name']}' ({people}) would be deleted. "
                "Add --yes to delete it."
            )
        raise typer.Exit(1)
    if not as_json:
        again = f", {removed['rematched']:,} matched again to other rosters" if removed["rematched"] else ""
        console.print(
            f"Deleted roster {removed['id']} '{removed['name']}' ({people}); those members stay members{again}."
        )
