"""Everything the simulator remembers: phones, deliveries, inboxes, retry keys, reply tokens, events, counters."""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boktor.sim.ids import USER_ID, IdMaker
from boktor.sim.limits import Quota, RateLimits
from boktor.sim.names import thai_display_name
from boktor.sim.settings import SimSettings

NEVER_FOLLOWED = "never-followed"
FRIEND = "friend"
BLOCKED = "blocked"
PHONE_STATES = (NEVER_FOLLOWED, FRIEND, BLOCKED)
RETRY_KEY_TTL = 24 * 3600.0


@dataclass(slots=True)
class Phone:
    """A virtual member's phone: the LINE user it belongs to and whether it is a friend of the account."""

    user_id: str
    display_name: str
    state: str = NEVER_FOLLOWED

    def describe(self) -> dict[str, str]:
        """Return the phone as the control API shows it."""
        return {"userId": self.user_id, "displayName": self.display_name, "state": self.state}


class Delivery:
    """One accepted send: the same messages delivered to a list of phones (shared, not copied, per phone)."""

    __slots__ = (
        "at",
        "messages",
        "payload_key",
        "recipients",
        "request_id",
        "retry_key",
        "seq",
        "unit",
        "via",
    )

    def __init__(
        self,
        seq: int,
        via: str,
        request_id: str,
        messages: list[dict[str, Any]],
        payload_key: bytes,
        recipients: list[str],
        retry_key: str | None,
        unit: str | None,
    ) -> None:
        self.seq = seq
        self.via = via
        self.request_id = request_id
        self.at = time.time()
        self.messages = messages
        self.payload_key = payload_key
        self.recipients = recipients
        self.retry_key = retry_key
        self.unit = unit

    def describe(self, with_recipients: bool = True) -> dict[str, Any]:
        """Return the raw record as the control API shows it."""
        out: dict[str, Any] = {
            "id": self.seq,
            "via": self.via,
            "request_id": self.request_id,
            "at": iso(self.at),
            "retry_key": self.retry_key,
            "aggregation_unit": self.unit,
            "messages": self.messages,
            "recipient_count": len(self.recipients),
        }
        if with_recipients:
            out["recipients"] = self.recipients
        return out


@dataclass
class Counters:
    """Totals shown by /_sim/stats."""

    requests: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    deliveries: int = 0
    duplicates: int = 0
    rate_limited: int = 0
    quota_refused: int = 0
    retry_key_conflicts: int = 0
    faults: dict[str, int] = field(default_factory=lambda: {"error": 0, "drop": 0, "lost": 0})
    webhooks: dict[str, int] = field(default_factory=lambda: {"sent": 0, "ok": 0, "failed": 0})


def iso(at: float) -> str:
    """Format an epoch time as ISO 8601 in UTC with milliseconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"


class SimState:
    """The simulator's memory; one instance per running simulator, used from one event loop."""

    def __init__(self, settings: SimSettings, ids: IdMaker) -> None:
        self.settings = settings
        self.ids = ids
        self.phones: dict[str, Phone] = {}
        # Maps each friend's user ID to the phone's own string, so deliveries keep one copy of each ID.
        self.friends: dict[str, str] = {}
        self.limits = RateLimits(settings.rates, lifted=settings.no_limits)
        self.quota = Quota(settings.monthly_quota)
        self.rich_menus: dict[str, dict[str, Any]] = {}
        self.rich_menu_images: dict[str, tuple[str, bytes]] = {}
        self.default_rich_menu: str | None = None
        self.clear()

    def clear(self) -> None:
        """Forget deliveries, inboxes, counters, retry keys, reply tokens and events; keep phones and settings."""
        self.counters = Counters()
        self.deliveries: list[Delivery] = []
        self.inboxes: dict[str, list[Delivery]] = {}
        self.payload_recipients: dict[bytes, set[str]] = {}
        self.recipients: set[str] = set()
        self.retry_keys: dict[str, tuple[str, float]] = {}
        self.reply_tokens: dict[str, tuple[str, float]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.webhook_log: list[dict[str, Any]] = []
        self.narrowcasts: dict[str, dict[str, Any]] = {}
        self.clicks: dict[str, set[str]] = {}
        self.quota.used = 0
        self.limits.refill()

    # --- phones -------------------------------------------------------------------------------------------

    def add_phone(
        self, display_name: str | None = None, user_id: str | None = None, state: str = NEVER_FOLLOWED
    ) -> Phone:
        """Create a virtual phone (a fresh user ID and Thai name unless given)."""
        if state not in PHONE_STATES:
            raise ValueError(f"state must be one of {PHONE_STATES}")
        if user_id is None:
            user_id = self.ids.user_id()
        elif not USER_ID.match(user_id):
            raise ValueError(f"invalid user ID {user_id!r}")
        if user_id in self.phones:
            raise ValueError(f"user {user_id} already exists")
        phone = Phone(user_id, display_name or thai_display_name(self.ids.random), state)
        self.phones[user_id] = phone
        if state == FRIEND:
            self.friends[user_id] = user_id
        return phone

    def set_phone_state(self, phone: Phone, state: str) -> None:
        """Move a phone to never-followed, friend or blocked."""
        phone.state = state
        if state == FRIEND:
            self.friends[phone.user_id] = phone.user_id
        else:
            self.friends.pop(phone.user_id, None)

    def load_phones(self, path: str, state: str) -> int:
        """Load phones from a JSON list or a CSV with userId,displayName columns; return how many."""
        text = Path(path).read_text(encoding="utf-8-sig")
        if path.lower().endswith(".json"):
            data = json.loads(text)
            rows = data.get("users", []) if isinstance(data, dict) else data
        else:
            rows = list(csv.DictReader(text.splitlines()))
        for row in rows:
            self.add_phone(
                row.get("displayName") or None, row.get("userId") or None, row.get("state") or state
            )
        return len(rows)

    # --- deliveries ---------------------------------------------------------------------------------------

    def deliver(
        self,
        via: str,
        request_id: str,
        messages: list[dict[str, Any]],
        payload_key: bytes,
        recipients: list[str],
        retry_key: str | None = None,
        unit: str | None = None,
    ) -> Delivery:
        """Put the messages into each recipient's inbox and count deliveries, recipients and duplicates."""
        record = Delivery(
            len(self.deliveries) + 1, via, request_id, messages, payload_key, recipients, retry_key, unit
        )
        self.deliveries.append(record)
        inboxes = self.inboxes
        for user_id in recipients:
            box = inboxes.get(user_id)
            if box is None:
                inboxes[user_id] = [record]
            else:
                box.append(record)
        # Set arithmetic in C rather than a Python loop: who already had exactly these messages.
        seen = self.payload_recipients.get(payload_key)
        if seen is None:
            seen = self.payload_recipients[payload_key] = set()
        before = len(seen)
        seen.update(recipients)
        self.counters.duplicates += len(recipients) - (len(seen) - before)
        self.recipients.update(recipients)
        self.counters.deliveries += len(recipients)
        return record

    # --- retry keys and reply tokens ----------------------------------------------------------------------

    def accepted_request_for(self, retry_key: str) -> str | None:
        """Return the request ID that accepted this retry key within 24 hours, if any."""
        seen = self.retry_keys.get(retry_key)
        if seen is None:
            return None
        if time.time() - seen[1] > RETRY_KEY_TTL:
            del self.retry_keys[retry_key]
            return None
        return seen[0]

    def remember_retry_key(self, retry_key: str, request_id: str) -> None:
        """Remember an accepted retry key for 24 hours."""
        self.retry_keys[retry_key] = (request_id, time.time())

    def issue_reply_token(self, user_id: str) -> str:
        """Issue a reply token for an event from this user."""
        token = self.ids.reply_token()
        self.reply_tokens[token] = (user_id, time.monotonic())
        return token

    def use_reply_token(self, token: Any) -> str | None:
        """Spend a reply token; return its user, or None if it is unknown, spent or older than 60 s."""
        if not isinstance(token, str):
            return None
        issued = self.reply_tokens.pop(token, None)
        if issued is None or time.monotonic() - issued[1] > self.settings.reply_token_ttl:
            return None
        return issued[0]

    # --- observation --------------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Return the totals shown by /_sim/stats."""
        c = self.counters
        return {
            "requests": dict(c.requests),
            "accepted": dict(c.accepted),
            "deliveries": c.deliveries,
            "recipients": len(self.recipients),
            "duplicates": c.duplicates,
            "rate_limited": c.rate_limited,
            "quota_refused": c.quota_refused,
            "faults": dict(c.faults),
            "quota": self.quota.describe(),
            "retry_key_conflicts": c.retry_key_conflicts,
            "webhooks": dict(c.webhooks),
            "phones": len(self.phones),
            "friends": len(self.friends),
        }
