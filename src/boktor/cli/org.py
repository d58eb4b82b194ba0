"""`boktor org`: the organisation catalogue."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json
from boktor.org.catalogue import CatalogueError, load_catalogue
from boktor.org.models import Organisation

app = typer.Typer(help="Organisation catalogue.", no_args_is_help=True)


@app.command("load")
def load(
    file: Path | None = typer.Argument(None, help="A catalogue TOML file; the shipped one when omitted."),
) -> None:
    """Add or update organisations, personnel types, positions and topics from a catalogue file."""
    try:
        with database() as session:
            result = load_catalogue(session, file)
    except CatalogueError as error:
        fail(str(error))
    console.print(
        f"Catalogue loaded: added {result.added or 'nothing'}, updated {result.updated or 'nothing'}."
    )


@app.command("list")
def list_organisations(as_json: bool = JSON_OPTION) -> None:
    """List the organisations in the catalogue."""
    with database() as session:
        rows = session.scalars(
            select(Organisation).order_by(Organisation.kind, Organisation.sort_order)
        ).all()
    if as_json:
        print_json([{"code": r.code, "name_th": r.name_th, "kind": r.kind} for r in rows])
        return
    table = Table("code", "ชื่อ", "kind")
    for row in rows:
        table.add_row(row.code, row.name_th, row.kind)
    console.print(table)
