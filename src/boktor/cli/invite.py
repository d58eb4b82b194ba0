"""`boktor invite`."""

import typer

app = typer.Typer(help="invite commands.", no_args_is_help=True)
