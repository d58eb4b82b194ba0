"""`boktor survey`."""

import typer

app = typer.Typer(help="survey commands.", no_args_is_help=True)
