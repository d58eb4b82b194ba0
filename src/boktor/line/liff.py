"""LIFF identity: verifying the ID token a LIFF page sends, at LINE Login's verify endpoint."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import httpx

from boktor.config import Settings

log = logging.getLogger(__name__)

VERIFY_PATH = "/oauth2/v2.1/verify"
TIMEOUT_SECONDS = 5.0


class TokenProblem(StrEnum):
    missing = "missing"  # no token was sent
    invalid = "invalid"  # forged, damaged, or signed for another channel
    expired = "expired"  # a real token past its expiry: the member reopens the page
    audience = "audience"  # issued for another LINE Login channel (LINE_LOGIN_CHANNEL_ID is wrong?)
    unavailable = "unavailable"  # LINE did not answer usefully: try again later


class IdTokenError(Exception):
    """The ID token cannot prove who the member is; `problem` says why."""

    def __init__(self, problem: TokenProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class LineIdentity:
    """Who LINE says the token belongs to."""

    user_id: str
    display_name: str | None
    expires_at: int


def _problem(description: str) -> TokenProblem:
    text = description.lower()
    if "expired" in text:
        return TokenProblem.expired
    if "audience" in text:
        return TokenProblem.audience
    return TokenProblem.invalid


async def verify_id_token(
    settings: Settings, id_token: str | None, *, client: httpx.AsyncClient | None = None
) -> LineIdentity:
    """The LINE user behind a LIFF ID token, as LINE's verify endpoint confirms it; IdTokenError if not."""
    if not id_token or not id_token.strip():
        raise IdTokenError(TokenProblem.missing)
    if not settings.line_login_channel_id:
        raise IdTokenError(TokenProblem.unavailable, "LINE_LOGIN_CHANNEL_ID is not set")
    url = settings.line_api_base_url + VERIFY_PATH
    form = {"id_token": id_token.strip(), "client_id": settings.line_login_channel_id}
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as own:
                response = await own.post(url, data=form)
        else:
            response = await client.post(url, data=form, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        log.warning("LIFF token verification could not reach LINE: %s", type(error).__name__)
        raise IdTokenError(TokenProblem.unavailable, type(error).__name__) from error

    if response.status_code == 400:
        try:
            description = str(response.json().get("error_description", ""))
        except ValueError:
            description = ""
        problem = _problem(description)
        if problem is TokenProblem.audience:
            log.warning("A LIFF token was issued for another channel; check LINE_LOGIN_CHANNEL_ID.")
        raise IdTokenError(problem, description)
    if response.status_code != 200:
        log.warning("LIFF token verification answered HTTP %s", response.status_code)
        raise IdTokenError(TokenProblem.unavailable, f"HTTP {response.status_code}")
    try:
        claims = response.json()
        user_id = str(claims["sub"])
    except (ValueError, KeyError, TypeError) as error:
        raise IdTokenError(TokenProblem.unavailable, "the verify answer has no sub") from error
    if claims.get("aud") not in (None, settings.line_login_channel_id):
        raise IdTokenError(TokenProblem.audience, "aud differs from LINE_LOGIN_CHANNEL_ID")
    if not user_id.startswith("U") or len(user_id) != 33:
        raise IdTokenError(TokenProblem.invalid, "sub is not a LINE user ID")
    return LineIdentity(
        user_id=user_id, display_name=claims.get("name"), expires_at=int(claims.get("exp", 0))
    )
