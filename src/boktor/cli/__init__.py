"""The `boktor` command.

Command groups are imported only when they are run, so that `boktor worker` does not carry Excel, XLSForm and
QR code libraries in memory, and every command starts quickly.
"""

from __future__ import annotations

from importlib import import_module

import click
import typer
from typer.core import TyperGroup

# name -> "module:attribute"; the attribute is a Typer app (a group) or a function (one command).
COMMANDS = {
    "serve": "boktor.cli.run:serve",
    "demo": "boktor.cli.run:demo",
    "worker": "boktor.cli.worker:worker",
    "sim": "boktor.sim.cli:sim_command",
    "db": "boktor.cli.db:app",
    "org": "boktor.cli.org:app",
    "users": "boktor.cli.users:app",
    "members": "boktor.cli.members:app",
    "roster": "boktor.cli.roster:app",
    "invite": "boktor.cli.invite:app",
    "report": "boktor.cli.report:app",
    "survey": "boktor.cli.survey:app",
    "announce": "boktor.cli.announce:app",
    "line": "boktor.cli.line:app",
}


def load_command(name: str) -> click.Command:
    """The click command behind `boktor NAME`, importing its module now."""
    module, attribute = COMMANDS[name].split(":")
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer(pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    cls=LazyGroup,
    help="Boktor (บอกต่อ): run an organisation's communication network on a LINE Official Account.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Boktor (บอกต่อ): run an organisation's communication network on a LINE Official Account."""


def main() -> None:
    app()
