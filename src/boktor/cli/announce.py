"""`boktor announce`."""

import typer

app = typer.Typer(help="announce commands.", no_args_is_help=True)
