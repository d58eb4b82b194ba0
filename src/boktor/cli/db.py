"""`boktor db`: the database schema."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError

from boktor.cli.common import console, fail, settings
from boktor.migrations import upgrade as run_upgrade

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Create or migrate the database at BOKTOR_DATABASE_URL to the newest schema."""
    url = settings().database_url
    try:
        run_upgrade(url)
    except OperationalError as error:
        fail(f"Cannot reach the database: {error.orig}")
    console.print(f"Database is up to date: {_redacted(url)}")


def _redacted(url: str) -> str:
    """The URL without its password, so it can be printed."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
