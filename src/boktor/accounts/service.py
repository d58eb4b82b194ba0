"""Console and API users: creating them, issuing API tokens, and finding a user by token."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.accounts.models import AdminUser

ROLES = ("communicator", "approver", "office", "operator")


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    roles: list[str],
    *,
    display_name: str = "",
    scope_province_code: str | None = None,
    scope_district_code: str | None = None,
) -> AdminUser:
    """Add a console/API user with the given roles (see ROLES)."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise AccountError(f"Unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}.")
    if session.scalar(select(AdminUser.id).where(AdminUser.username == username)):
        raise AccountError(f"A user named {username!r} already exists.")
    user = AdminUser(
        username=username,
        display_name=display_name or username,
        roles=sorted(set(roles)),
        scope_province_code=scope_province_code,
        scope_district_code=scope_district_code,
    )
    session.add(user)
    session.flush()
    return user


def issue_token(user: AdminUser) -> str:
    """A new API token for `user` (replacing any old one); only its hash is stored."""
    token = "bk_" + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    return token


def user_for_token(session: Session, token: str) -> AdminUser | None:
    """The active user holding `token`, if any."""
    if not token:
        return None
    user = session.scalar(select(AdminUser).where(AdminUser.api_token_hash == token_hash(token)))
    return user if user is not None and user.is_active else None


def user_by_name(session: Session, username: str) -> AdminUser | None:
    return session.scalar(select(AdminUser).where(AdminUser.username == username))
