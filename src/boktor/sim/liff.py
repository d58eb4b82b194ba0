"""LIFF identity: ID tokens issued for virtual phones and LINE Login's verify endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
from aiohttp import web

from boktor.sim.http import json_response
from boktor.sim.state import Phone, SimState

ISSUER = "https://access.line.me"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _error(description: str) -> web.Response:
    return json_response({"error": "invalid_request", "error_description": description}, 400)


class IdTokens:
    """Signs ID tokens with a key only the simulator knows and checks them as LINE's verify endpoint does."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.key = hashlib.sha256(b"boktor-sim-id-token:" + state.settings.channel_secret.encode()).digest()

    def issue(
        self, phone: Phone, client_id: str | None = None, expires_in: int = 3600, nonce: str | None = None
    ) -> str:
        """Return a JWT-shaped HS256 ID token for this phone's user."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": phone.user_id,
            "aud": client_id or self.state.settings.login_channel_id,
            "exp": now + expires_in,
            "iat": now,
            "amr": ["linesso"],
            "name": phone.display_name,
        }
        if nonce:
            claims["nonce"] = nonce
        head = _b64(orjson.dumps({"typ": "JWT", "alg": "HS256"}))
        body = _b64(orjson.dumps(claims))
        signature = _b64(hmac.new(self.key, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return f"{head}.{body}.{signature}"

    async def verify(self, request: web.Request) -> web.Response:
        """POST /oauth2/v2.1/verify with form fields id_token, client_id (and optional nonce, user_id)."""
        form = await request.post()
        token = str(form.get("id_token") or "")
        client_id = str(form.get("client_id") or "")
        if not token or not client_id:
            return _error("Required parameter is missing.")
        claims = self._claims(token)
        if claims is None:
            return _error("Invalid IdToken.")
        if claims.get("exp", 0) < time.time():
            return _error("IdToken expired.")
        if claims.get("aud") != client_id:
            return _error("Invalid IdToken Audience.")
        if form.get("nonce") is not None and claims.get("nonce") != form.get("nonce"):
            return _error("Invalid IdToken Nonce.")
        if form.get("user_id") is not None and claims.get("sub") != form.get("user_id"):
            return _error("Invalid IdToken Subject Identifier.")
        return json_response(claims)

    def _claims(self, token: str) -> dict[str, Any] | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = hmac.new(self.key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _unb64(parts[2])):
                return None
            claims = orjson.loads(_unb64(parts[1]))
        except (ValueError, orjson.JSONDecodeError):
            return None
        return claims if isinstance(claims, dict) else None
