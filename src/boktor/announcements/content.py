"""What a communicator writes, checked against LINE's limits and put as it is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from boktor.announcements import messages as th
from boktor.announcements.audience import normalize_audience
from boktor.announcements.steps import InvalidAnnouncement

TITLE_MAX = 200
BODY_MAX = 5000
URL_MAX = 2000


def aware(moment: datetime | None) -> datetime | None:
    """The moment itself, refused if it carries no time zone."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidAnnouncement("Times must carry a time zone (e.g. 2026-01-15T09:00+07:00).")
    return moment


def category_code(text: str) -> str:
    """The category code for a code or a Thai name ("ข้อสั่งการ" → "directive")."""
    wanted = (text or "").strip()
    if wanted in th.CATEGORIES:
        return wanted
    for code, name in th.CATEGORIES.items():
        if wanted == name:
            return code
    choices = ", ".join(f"{code} ({name})" for code, name in th.CATEGORIES.items())
    raise InvalidAnnouncement(f"Unknown category {text!r}; choose one of: {choices}.")


def _check_url(value: str | None, what: str, *, https_only: bool) -> str | None:
    value = (value or "").strip() or None
    if value is None:
        return None
    schemes = ("https://",) if https_only else ("https://", "http://")
    if not value.startswith(schemes) or len(value) > URL_MAX:
        need = "an https:// address" if https_only else "an http(s):// address"
        raise InvalidAnnouncement(f"The {what} must be {need} of at most {URL_MAX} characters (LINE's rule).")
    return value


def _check_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidAnnouncement("An announcement needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidAnnouncement(f"The title is {len(title)} characters; at most {TITLE_MAX} fit a card.")
    return title


def _check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidAnnouncement("An announcement needs a body.")
    if len(body) > BODY_MAX:
        raise InvalidAnnouncement(
            f"The body is {len(body):,} characters; LINE takes at most {BODY_MAX:,} in one message."
        )
    return body


def checked(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields written (create) or changed (edit), checked and put as they are stored."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": _check_title,
        "body": _check_body,
        "category": category_code,
        "audience": lambda audience: normalize_audience(session, audience or {}),
        "image_url": lambda url: _check_url(url, "image URL", https_only=True),
        "link_url": lambda url: _check_url(url, "link", https_only=False),
        "ack_deadline": aware,
        "allow_partial": bool,
    }
    unknown = sorted(set(fields) - set(checks))
    if unknown:
        raise TypeError(f"An announcement has no editable field {unknown[0]!r}.")
    return {name: checks[name](value) for name, value in fields.items()}
