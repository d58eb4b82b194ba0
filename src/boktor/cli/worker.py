"""`boktor worker`: the delivery worker, which also handles the webhook inbox."""

from __future__ import annotations

import asyncio
import contextlib

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
    """Send approved announcements (batches multicast under LINE's rate limit) and answer members' events."""
    from boktor.delivery.worker import run_worker
    from boktor.interactions.processor import InboxProcessor

    config = settings()
    try:
        config.require_line_channel()
    except MissingSetting as error:
        fail(str(error))

    def progress(line: str) -> None:
        errors.print(f"[dim]worker[/] {line}", highlight=False)

    async def work() -> None:
        # Web processes store LINE's events; a worker answers them (serve does it too when embedded).
        inbox = asyncio.create_task(
            InboxProcessor(config, sweep_seconds=0.5, watch_inbox=True).run(until_idle=until_idle)
        )
        try:
            await run_worker(
                config,
                until_idle=until_idle,
                worker_id=worker_id,
                progress=None if quiet else progress,
                handle_signals=True,
            )
            if until_idle:
                await inbox
        finally:
            inbox.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await inbox

    try:
        asyncio.run(work())
    except OperationalError as error:
        fail(
            f"Cannot use the database ({error.orig}). Check BOKTOR_DATABASE_URL and run `boktor db upgrade`."
        )
