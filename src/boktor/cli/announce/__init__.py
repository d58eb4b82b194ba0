"""`boktor announce`: write, approve, send and follow announcements, scripted without prompts."""

from __future__ import annotations

from boktor.cli.announce.common import app

# Importing the command modules registers their commands on `app`, in the order `--help` lists them.
# isort: off
from boktor.cli.announce import drafts  # noqa: F401
from boktor.cli.announce import steps  # noqa: F401
from boktor.cli.announce import follow  # noqa: F401

# isort: on

__all__ = ["app"]
