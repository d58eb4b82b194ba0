"""The `boktor` command."""

from __future__ import annotations

import typer

from boktor.cli import announce, db, invite, line, members, org, report, roster, run, survey, users, worker
from boktor.sim.cli import sim_command

app = typer.Typer(
    help="Boktor (บอกต่อ): run an organisation's communication network on a LINE Official Account.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(run.serve)
app.command("demo")(run.demo)
app.command("worker")(worker.worker)
app.command("sim")(sim_command)
app.add_typer(db.app, name="db")
app.add_typer(org.app, name="org")
app.add_typer(members.app, name="members")
app.add_typer(roster.app, name="roster")
app.add_typer(survey.app, name="survey")
app.add_typer(announce.app, name="announce")
app.add_typer(report.app, name="report")
app.add_typer(line.app, name="line")
app.add_typer(users.app, name="users")
app.add_typer(invite.app, name="invite")


def main() -> None:
    app()
