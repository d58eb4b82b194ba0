"""LINE webhooks: the signature over the raw body, and a thin parser that keeps unknown event types."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

# LINE sends at most a few hundred events per request, far below this; anything larger is not LINE.
MAX_BODY_BYTES = 1024 * 1024


class MalformedWebhook(ValueError):
    """A correctly signed body that is not a LINE webhook (bad JSON or shape)."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event as Boktor stores it: its unique ID, type, sender and the whole event as LINE sent it."""

    webhook_event_id: str
    event_type: str
    line_user_id: str | None
    is_redelivery: bool
    payload: dict[str, Any]


def signature_of(channel_secret: str, body: bytes) -> str:
    """Base64 of HMAC-SHA256 of the raw body under the channel secret, as LINE computes it."""
    return base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_is_valid(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is LINE's for `body`, compared in constant time."""
    if not signature or not channel_secret:
        return False
    expected = signature_of(channel_secret, body).encode()
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def parse_events(body: bytes) -> list[WebhookEvent]:
    """The events of a webhook body; unknown event types are kept, a wrong shape raises MalformedWebhook."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise MalformedWebhook(f"not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise MalformedWebhook("expected an object with an `events` list")
    return [_event(raw, index) for index, raw in enumerate(document["events"])]


def _event(raw: Any, index: int) -> WebhookEvent:
    if not isinstance(raw, dict):
        raise MalformedWebhook(f"events[{index}] is not an object")
    event_id, event_type = raw.get("webhookEventId"), raw.get("type")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 40:
        raise MalformedWebhook(f"events[{index}].webhookEventId is missing or too long")
    if not isinstance(event_type, str) or not 1 <= len(event_type) <= 40:
        raise MalformedWebhook(f"events[{index}].type is missing or too long")
    source = raw.get("source")
    user_id = source.get("userId") if isinstance(source, dict) else None
    context = raw.get("deliveryContext")
    redelivery = bool(context.get("isRedelivery")) if isinstance(context, dict) else False
    return WebhookEvent(
        webhook_event_id=event_id,
        event_type=event_type,
        line_user_id=user_id if isinstance(user_id, str) and len(user_id) <= 40 else None,
        is_redelivery=redelivery,
        payload=raw,
    )
