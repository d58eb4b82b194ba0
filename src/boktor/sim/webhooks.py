"""Webhook events from virtual phones: building them, signing them, posting them and retrying failures."""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import hmac
import logging
import time
from typing import Any

import aiohttp
import orjson

from boktor.sim.state import FRIEND, Phone, SimState, iso

log = logging.getLogger("boktor.sim.webhooks")


def sign(channel_secret: str, body: bytes) -> str:
    """Return LINE's x-line-signature: Base64 of HMAC-SHA256 of the raw body under the channel secret."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def bot_user_id(channel_secret: str) -> str:
    """Return the account's own user ID (the webhook `destination`), stable for a channel secret."""
    return "U" + hashlib.sha256(b"boktor-sim-bot:" + channel_secret.encode()).hexdigest()[:32]


class Webhooks:
    """Sends events to Boktor's webhook URL and keeps a record of every attempt."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.settings = state.settings
        self.destination = bot_user_id(self.settings.channel_secret)
        self.session: aiohttp.ClientSession | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Open the HTTP client used for webhooks."""
        timeout = aiohttp.ClientTimeout(total=self.settings.webhook_timeout)
        self.session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        """Stop pending retries and close the HTTP client."""
        for task in list(self.tasks):
            task.cancel()
        if self.session is not None:
            await self.session.close()

    def event(self, kind: str, phone: Phone, **body: Any) -> dict[str, Any]:
        """Build and store an event of `kind` from this phone, with a reply token where LINE gives one."""
        now_ms = int(time.time() * 1000)
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": now_ms,
            "source": {"type": "user", "userId": phone.user_id},
            "webhookEventId": self.state.ids.ulid(now_ms),
            "deliveryContext": {"isRedelivery": False},
        }
        if kind in ("follow", "message", "postback"):
            event["replyToken"] = self.state.issue_reply_token(phone.user_id)
        event.update(body)
        self.state.events[event["webhookEventId"]] = event
        return event

    def follow(self, phone: Phone, unblocked: bool) -> dict[str, Any]:
        """Build a follow event."""
        return self.event("follow", phone, follow={"isUnblocked": unblocked})

    def text(self, phone: Phone, text: str) -> dict[str, Any]:
        """Build a text message event."""
        message = {
            "id": self.state.ids.message_id(),
            "type": "text",
            "text": text,
            "quoteToken": self.state.ids.quote_token(),
        }
        return self.event("message", phone, message=message)

    def postback(self, phone: Phone, data: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Build a postback event."""
        postback: dict[str, Any] = {"data": data}
        if params:
            postback["params"] = params
        return self.event("postback", phone, postback=postback)

    async def send(self, event: dict[str, Any], redelivery: bool = False) -> int | None:
        """Post the event now; if it gets no 2xx, retry in the background. Return the first attempt's status."""
        status = await self._attempt(event, redelivery, attempt=1)
        if not _ok(status) and self.settings.webhook_url and self.settings.webhook_retry_delays:
            task = asyncio.get_running_loop().create_task(self._retry(event))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return status

    async def _retry(self, event: dict[str, Any]) -> None:
        for attempt, delay in enumerate(self.settings.webhook_retry_delays, start=2):
            await asyncio.sleep(delay)
            if _ok(await self._attempt(event, True, attempt)):
                return

    async def _attempt(self, event: dict[str, Any], redelivery: bool, attempt: int) -> int | None:
        url = self.settings.webhook_url
        record: dict[str, Any] = {
            "webhookEventId": event["webhookEventId"],
            "type": event["type"],
            "userId": event["source"]["userId"],
            "attempt": attempt,
            "isRedelivery": redelivery,
            "at": iso(time.time()),
            "url": url,
            "status": None,
            "error": None,
        }
        self.state.webhook_log.append(record)
        if not url or self.session is None:
            record["error"] = "no webhook URL configured"
            return None
        sent = copy.deepcopy(event)
        sent["deliveryContext"] = {"isRedelivery": redelivery}
        body = orjson.dumps({"destination": self.destination, "events": [sent]})
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "x-line-signature": sign(self.settings.channel_secret, body),
            "User-Agent": "LineBotWebhook/2.0",
        }
        counters = self.state.counters.webhooks
        counters["sent"] += 1
        try:
            async with self.session.post(url, data=body, headers=headers) as response:
                await response.read()
                record["status"] = response.status
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            record["error"] = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        counters["ok" if _ok(record["status"]) else "failed"] += 1
        return record["status"]

    async def redeliver(self, event_id: str) -> tuple[dict[str, Any], int | None] | None:
        """Send a past event again, marked as a redelivery; None if the event is unknown."""
        event = self.state.events.get(event_id)
        if event is None:
            return None
        status = await self.send(event, redelivery=True)
        shown = copy.deepcopy(event)
        shown["deliveryContext"] = {"isRedelivery": True}
        return shown, status


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def can_message(phone: Phone) -> bool:
    """Whether this phone can write to the account (a blocked account cannot be written to)."""
    return phone.state in (FRIEND, "never-followed")
