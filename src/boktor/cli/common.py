"""What every command shares: settings, a database transaction, plain errors, JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from boktor.config import Settings, get_settings
from boktor.db import transaction

console = Console()
errors = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON (for scripts).")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a plain error for the operator and exit non-zero."""
    errors.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def settings() -> Settings:
    return get_settings()


@contextmanager
def database() -> Iterator[Session]:
    """A committed-on-success session on the configured database, with a plain error if it is unreachable."""
    url = settings().database_url
    try:
        with transaction(url) as session:
            yield session
    except OperationalError as error:
        fail(
            f"Cannot use the database ({error.orig}). Check BOKTOR_DATABASE_URL and run `boktor db upgrade`."
        )


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
