"""What every route shares: settings and a database session per request, committed at the edge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from boktor.config import Settings
from boktor.db import transaction


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed if the route returns, rolled back if it raises."""
    with transaction(request.app.state.settings.database_url) as session:
        yield session


# A dependency with yield ends, by default, after the response has gone out; the client's next request
# must see what this one wrote, so the session commits before the response (scope="function").
# Routes take `session: DbSession` (or `session: Session = SESSION`); sharing the one Depends object
# lets current_user and the route use the same session.
SESSION = Depends(get_session, scope="function")
DbSession = Annotated[Session, SESSION]
