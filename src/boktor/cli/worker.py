"""`boktor worker`: the delivery worker."""

from __future__ import annotations

import typer

from boktor.cli.common import console


def worker(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when nothing is left to send."),
) -> None:
    """Send approved announcements (the delivery engine arrives with the announcements feature)."""
    console.print("The delivery engine is not built yet: there is nothing a worker can send.")
