"""`boktor line`."""

import typer

app = typer.Typer(help="line commands.", no_args_is_help=True)
