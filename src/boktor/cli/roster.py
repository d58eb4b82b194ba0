"""`boktor roster`."""

import typer

app = typer.Typer(help="roster commands.", no_args_is_help=True)
