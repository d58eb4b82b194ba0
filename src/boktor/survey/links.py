"""Where members open the sign-up survey: the LIFF URL in production, Boktor's own page in demo."""

from __future__ import annotations

from urllib.parse import urlencode

from boktor.config import Mode, Settings

SURVEY_PATH = "/liff/survey"


def survey_url(settings: Settings, invite_code: str | None = None) -> str:
    """The link that opens the survey (inside LINE through LIFF), carrying an invite code if given."""
    query = f"?{urlencode({'invite': invite_code})}" if invite_code else ""
    if settings.mode is Mode.demo or not settings.liff_id:
        return f"{settings.public_url}{SURVEY_PATH}{query}"
    return f"https://liff.line.me/{settings.liff_id}{query}"
