"""`boktor users`: console and API users and their tokens."""

from __future__ import annotations

import typer

from boktor.accounts.service import ROLES, AccountError, create_user, issue_token, user_by_name
from boktor.cli.common import JSON_OPTION, console, database, fail, print_json

app = typer.Typer(help="Console and API users.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="A short login name."),
    role: list[str] = typer.Option(..., "--role", help=f"One of: {', '.join(ROLES)} (repeatable)."),
    name: str = typer.Option("", "--name", help="Display name."),
    province: str | None = typer.Option(None, help="Limit to a province code (offices)."),
    district: str | None = typer.Option(None, help="Limit to a district code (offices)."),
    token: bool = typer.Option(False, "--token", help="Also issue an API token and print it once."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a user with roles, optionally printing a new API token."""
    try:
        with database() as session:
            user = create_user(
                session,
                username,
                role,
                display_name=name,
                scope_province_code=province,
                scope_district_code=district,
            )
            secret = issue_token(user) if token else None
            result = {"id": user.id, "username": user.username, "roles": user.roles, "token": secret}
    except AccountError as error:
        fail(str(error))
    if as_json:
        print_json(result)
    else:
        console.print(f"User {username} created with roles {', '.join(result['roles'])}.")
        if secret:
            console.print(f"API token (shown once): {secret}")


@app.command("token")
def token(username: str, as_json: bool = JSON_OPTION) -> None:
    """Issue a new API token for a user (the old one stops working)."""
    with database() as session:
        user = user_by_name(session, username)
        if user is None:
            fail(f"No user named {username!r}.")
        secret = issue_token(user)
    if as_json:
        print_json({"username": username, "token": secret})
    else:
        console.print(f"API token for {username} (shown once): {secret}")
