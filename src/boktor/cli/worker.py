"""`boktor worker`: the delivery worker."""

from __future__ import annotations

import asyncio

import typer
from sqlalchemy.exc import OperationalError

from boktor.cli.common import errors, fail, settings
from boktor.config import MissingSetting


def worker(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when nothing is left to send."),
    worker_id: str = typer.Option(
        None, "--id", help="A name for this worker (default: host-pid-random), shown in its heartbeat."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines on stderr."),
) -> None:
    """Send approved announcements: claim batches, multicast them under LINE's rate limit, record results."""
    from boktor.delivery.worker import run_worker

    config = settings()
    try:
        config.require_line_channel()
    except MissingSetting as error:
        fail(str(error))

    def progress(line: str) -> None:
        errors.print(f"[dim]worker[/] {line}", highlight=False)

    try:
        asyncio.run(
            run_worker(
                config,
                until_idle=until_idle,
                worker_id=worker_id,
                progress=None if quiet else progress,
                handle_signals=True,
            )
        )
    except OperationalError as error:
        fail(
            f"Cannot use the database ({error.orig}). Check BOKTOR_DATABASE_URL and run `boktor db upgrade`."
        )
