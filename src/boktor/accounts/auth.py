"""API authentication: `Authorization: Bearer <token>` identifies an admin user."""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser
from boktor.accounts.service import user_for_token
from boktor.web import SESSION


def current_user(request: Request, session: Session = SESSION) -> AdminUser:
    """The user behind the request's bearer token; 401 in plain words otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(session, token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid API token is needed: send 'Authorization: Bearer <token>' (see `boktor users token`).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def require_role(*roles: str):
    """A dependency that lets through only users holding one of `roles`."""

    def check(user: AdminUser = Depends(current_user)) -> AdminUser:
        if not set(roles) & set(user.roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"This needs the role: {' or '.join(roles)}."
            )
        return user

    return check
