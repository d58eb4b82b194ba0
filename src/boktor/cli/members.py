"""`boktor members`."""

import typer

app = typer.Typer(help="members commands.", no_args_is_help=True)
