"""The one place that sends multicasts, and what each of LINE's answers means for a batch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp
from linebot.v3.messaging import AsyncMessagingApi, Message, MulticastRequest
from linebot.v3.messaging.exceptions import ApiException

from boktor.config import Settings
from boktor.line.api import messaging_api

# LINE answers a multicast in well under a second; a request still open after this is treated as lost.
REQUEST_TIMEOUT_S = 20.0
MONTHLY_LIMIT_TEXT = "monthly limit"


class Outcome(StrEnum):
    accepted = "accepted"  # 2xx: LINE took the batch
    already_accepted = "already_accepted"  # 409: an earlier attempt with this retry key went through
    retry = "retry"  # 5xx, timeout, dropped connection: send again with the same key
    rate_limited = "rate_limited"  # 429 over the rate limit: slow down, then send again
    quota_exhausted = "quota_exhausted"  # 429 monthly limit: pause until quota returns
    rejected = "rejected"  # other 4xx: LINE will never take this request

    @property
    def delivered(self) -> bool:
        return self in (Outcome.accepted, Outcome.already_accepted)


@dataclass(frozen=True, slots=True)
class MulticastResult:
    """What came of one multicast request."""

    outcome: Outcome
    http_status: int | None = None
    request_id: str | None = None
    message: str | None = None


@asynccontextmanager
async def multicast_client(
    settings: Settings, concurrency: int | None = None
) -> AsyncIterator[AsyncMessagingApi]:
    """A Messaging API client whose connection pool fits `concurrency` requests in flight at once."""
    async with messaging_api(settings, concurrency or settings.multicast_concurrency) as api:
        yield api


class PreparedMulticast(MulticastRequest):
    """A multicast request of data Boktor built itself, serialised as it stands.

    The SDK would otherwise validate and walk all 500 user IDs through pydantic twice per request (about 4 ms,
    most of a core at LINE's 200 requests/s); the request still goes through the SDK's client and method.
    """

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"to": self.to, "messages": self.messages}
        if self.custom_aggregation_units:
            body["customAggregationUnits"] = self.custom_aggregation_units
        return body


def check_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """LINE message dicts, checked once against the SDK's models (a ValueError names what is wrong)."""
    for message in messages:
        if Message.from_dict(message) is None:
            raise ValueError(f"not a LINE message: {message!r}")
    return list(messages)


async def send_multicast(
    api: AsyncMessagingApi,
    user_ids: list[str],
    messages: list[dict[str, Any]],
    retry_key: str,
    aggregation_unit: str | None = None,
    timeout: float = REQUEST_TIMEOUT_S,
) -> MulticastResult:
    """Send one multicast with its retry key and classify LINE's answer; never raises for LINE's answers."""
    request = PreparedMulticast.construct(
        to=user_ids,
        messages=messages,
        custom_aggregation_units=[aggregation_unit] if aggregation_unit else None,
    )
    try:
        response = await api.multicast_with_http_info(
            request, x_line_retry_key=retry_key, _request_timeout=timeout
        )
    except ApiException as error:
        return classify_error(error.status or 0, error.body, error.headers or {})
    except TimeoutError:
        return MulticastResult(Outcome.retry, message="No answer from LINE in time.")
    except (aiohttp.ClientError, ConnectionError, OSError) as error:
        return MulticastResult(Outcome.retry, message=f"Connection to LINE failed: {type(error).__name__}.")
    headers = response.headers or {}
    return MulticastResult(Outcome.accepted, response.status_code, _header(headers, "x-line-request-id"))


def classify_error(status: int, body: Any, headers: Any) -> MulticastResult:
    """What an error answer from LINE means for the batch."""
    message = line_message(body)
    if status == 409:
        accepted = _header(headers, "x-line-accepted-request-id") or _header(headers, "x-line-request-id")
        return MulticastResult(Outcome.already_accepted, status, accepted, message)
    if status == 429:
        if message and MONTHLY_LIMIT_TEXT in message.lower():
            return MulticastResult(Outcome.quota_exhausted, status, None, message)
        return MulticastResult(Outcome.rate_limited, status, None, message)
    if status >= 500 or status in (0, 408):
        return MulticastResult(Outcome.retry, status or None, None, message)
    return MulticastResult(Outcome.rejected, status, _header(headers, "x-line-request-id"), message)


def line_message(body: Any) -> str | None:
    """LINE's human message from an error body, with the details it lists, if any."""
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        data = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return str(body)[:500] or None
    if not isinstance(data, dict):
        return str(body)[:500]
    text = str(data.get("message") or "")
    details = data.get("details") or []
    parts = [
        f"{d.get('property')}: {d.get('message')}" if d.get("property") else str(d.get("message"))
        for d in details
        if isinstance(d, dict)
    ]
    if parts:
        text = f"{text} ({'; '.join(parts)})" if text else "; ".join(parts)
    return text or None


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and hasattr(headers, "items"):
        for key, candidate in headers.items():
            if key.lower() == name:
                return candidate
    return value
