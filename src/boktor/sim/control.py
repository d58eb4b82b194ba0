"""The /_sim control API: virtual phones act, tests look at inboxes, counters, webhooks, and set faults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from boktor.sim.faults import Faults
from boktor.sim.http import json_response, read_object
from boktor.sim.liff import IdTokens
from boktor.sim.settings import SimSettings
from boktor.sim.state import BLOCKED, FRIEND, PHONE_STATES, Phone, SimState, iso
from boktor.sim.validation import LineError
from boktor.sim.view import message_view
from boktor.sim.webhooks import Webhooks

LIFF_BASE = "https://liff.line.me/"


class ControlError(Exception):
    """A control API request that cannot be done; answered as {"error": ...}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def inbox_items(state: SimState, user_id: str) -> list[dict[str, Any]]:
    """Return a phone's inbox, oldest first, one item per message object with the member's view of it."""
    items = []
    for record in state.inboxes.get(user_id, ()):
        for i, message in enumerate(record.messages):
            items.append(
                {
                    "id": f"{record.seq}-{i}",
                    "via": record.via,
                    "at": iso(record.at),
                    "request_id": record.request_id,
                    "message": message,
                    "view": message_view(message),
                    "_unit": record.unit,
                }
            )
    return items


class PhoneActions:
    """What a virtual phone can do; shared by the JSON control API and the Thai page."""

    def __init__(self, state: SimState, webhooks: Webhooks, id_tokens: IdTokens) -> None:
        self.state = state
        self.webhooks = webhooks
        self.id_tokens = id_tokens

    def phone(self, user_id: str) -> Phone:
        """Find a phone or fail with 404."""
        phone = self.state.phones.get(user_id)
        if phone is None:
            raise ControlError(404, f"unknown user {user_id}")
        return phone

    async def _send(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"event": event, "webhook_status": await self.webhooks.send(event)}

    async def follow(self, phone: Phone) -> dict[str, Any]:
        """Add the account as a friend (first time, or unblocking)."""
        if phone.state == FRIEND:
            raise ControlError(409, "already a friend")
        unblocked = phone.state == BLOCKED
        self.state.set_phone_state(phone, FRIEND)
        return await self._send(self.webhooks.follow(phone, unblocked))

    async def unfollow(self, phone: Phone) -> dict[str, Any]:
        """Block the account."""
        if phone.state != FRIEND:
            raise ControlError(409, "not a friend")
        self.state.set_phone_state(phone, BLOCKED)
        return await self._send(self.webhooks.event("unfollow", phone))

    async def message(self, phone: Phone, text: Any) -> dict[str, Any]:
        """Send a text message to the account."""
        if not isinstance(text, str) or not text:
            raise ControlError(400, "text is required")
        if phone.state == BLOCKED:
            raise ControlError(409, "a phone that blocked the account cannot write to it")
        return await self._send(self.webhooks.text(phone, text))

    async def postback(self, phone: Phone, data: Any, params: Any = None) -> dict[str, Any]:
        """Send a postback as if a button carrying `data` was tapped."""
        if not isinstance(data, str):
            raise ControlError(400, "data is required")
        if phone.state == BLOCKED:
            raise ControlError(409, "a phone that blocked the account cannot tap its buttons")
        return await self._send(
            self.webhooks.postback(phone, data, params if isinstance(params, dict) else None)
        )

    def liff_open_url(self, phone: Phone, uri: str | None) -> str | None:
        """Where LINE would open a LIFF link for this phone: the endpoint with an ID token; else None."""
        endpoint = self.state.settings.liff_endpoint
        if not uri or not endpoint:
            return None
        uri = uri.split("#", 1)[0]
        if uri.startswith(LIFF_BASE):
            # https://liff.line.me/{liffId}/more/path?query opens {endpoint}/more/path?query
            parts = urlsplit(uri)
            extra = parts.path.split("/", 2)[2] if parts.path.count("/") >= 2 else ""
            target = (
                endpoint.rstrip("/")
                + (f"/{extra}" if extra else "")
                + (f"?{parts.query}" if parts.query else "")
            )
        elif uri.startswith(endpoint):
            target = uri
        else:
            return None
        return f"{target}#id_token={self.id_tokens.issue(phone)}"

    async def tap(
        self, phone: Phone, label: Any, message_id: Any = None, params: Any = None
    ) -> dict[str, Any]:
        """Tap the button or quick reply labelled `label` on an inbox item (default: the newest that has one)."""
        if not isinstance(label, str) or not label:
            raise ControlError(400, "label is required")
        items = inbox_items(self.state, phone.user_id)
        found = _find_action(items, label, message_id)
        if found is None:
            raise ControlError(404, f"no button labelled {label!r} in the inbox")
        item, action = found
        original = _original_action(item["message"], action)
        kind = action["type"]
        if kind == "uri":
            if item["_unit"]:
                self.state.clicks.setdefault(item["_unit"], set()).add(phone.user_id)
            uri = action.get("uri")
            return {
                "action": action,
                "uri": uri,
                "open": self.liff_open_url(phone, uri),
                "event": None,
                "webhook_status": None,
            }
        if kind == "message":
            result = await self.message(phone, action.get("text") or label)
        elif kind in ("postback", "datetimepicker"):
            if kind == "datetimepicker" and not params:
                mode = original.get("mode", "datetime")
                params = {
                    mode: original.get("initial")
                    or {"date": "2026-01-01", "time": "09:00"}.get(mode, "2026-01-01T09:00")
                }
            result = await self.postback(phone, action.get("data", ""), params)
        else:
            raise ControlError(400, f"tapping a {kind!r} action is not simulated")
        return {**result, "action": action, "message_id": item["id"]}


def _find_action(
    items: list[dict[str, Any]], label: str, message_id: Any
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    # LINE shows quick replies only under the newest message; buttons on cards stay tappable.
    newest = items[-1]["id"] if items else None
    for item in reversed(items):
        if message_id is not None and item["id"] != message_id:
            continue
        actions = list(item["view"]["buttons"])
        if item["id"] == newest:
            actions += item["view"]["quick_replies"]
        for action in actions:
            if action.get("label") == label:
                return item, action
    return None


def _original_action(message: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """Find the raw action object behind a view button (datetime pickers need its mode and initial)."""
    stack = [message]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("label") == wanted.get("label") and node.get("type") == wanted.get("type"):
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return wanted


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(handler: Handler) -> Handler:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as error:
            return json_response({"error": str(error)}, error.status)
        except LineError as error:
            return json_response({"error": error.body.get("message")}, error.status)
        except (ValueError, TypeError) as error:
            return json_response({"error": str(error)}, 400)

    return run


class ControlApi:
    """Handlers for /_sim/*; never subject to faults, tokens or rate limits."""

    def __init__(
        self, state: SimState, faults: Faults, webhooks: Webhooks, id_tokens: IdTokens, startup: SimSettings
    ) -> None:
        self.state = state
        self.faults = faults
        self.webhooks = webhooks
        self.id_tokens = id_tokens
        self.startup = startup
        self.actions = PhoneActions(state, webhooks, id_tokens)

    def routes(self) -> list[web.RouteDef]:
        """Return the control API routes."""
        return [
            web.route(method, path, _json(handler))
            for method, path, handler in (
                ("GET", "/_sim/health", self.health),
                ("GET", "/_sim/users", self.users),
                ("POST", "/_sim/users", self.create_users),
                ("GET", "/_sim/users/{userId}", self.user),
                ("POST", "/_sim/users/{userId}/follow", self.follow),
                ("POST", "/_sim/users/{userId}/unfollow", self.unfollow),
                ("POST", "/_sim/users/{userId}/message", self.message),
                ("POST", "/_sim/users/{userId}/postback", self.postback),
                ("POST", "/_sim/users/{userId}/tap", self.tap),
                ("GET", "/_sim/users/{userId}/inbox", self.inbox),
                ("POST", "/_sim/users/{userId}/id-token", self.id_token),
                ("GET", "/_sim/stats", self.stats),
                ("GET", "/_sim/deliveries", self.deliveries),
                ("GET", "/_sim/webhooks", self.webhook_log),
                ("GET", "/_sim/faults", self.get_faults),
                ("POST", "/_sim/faults", self.set_faults),
                ("GET", "/_sim/quota", self.get_quota),
                ("POST", "/_sim/quota", self.set_quota),
                ("GET", "/_sim/limits", self.get_limits),
                ("POST", "/_sim/limits", self.set_limits),
                ("POST", "/_sim/events/{eventId}/redeliver", self.redeliver),
                ("POST", "/_sim/reply-tokens", self.reply_tokens),
                ("POST", "/_sim/reset", self.reset),
            )
        ]

    async def health(self, request: web.Request) -> web.Response:
        """GET /_sim/health."""
        return json_response({"ok": True})

    async def users(self, request: web.Request) -> web.Response:
        """GET /_sim/users?limit=&offset=&state=."""
        limit = int(request.query.get("limit", "1000"))
        offset = int(request.query.get("offset", "0"))
        wanted = request.query.get("state")
        phones = [p for p in self.state.phones.values() if wanted is None or p.state == wanted]
        return json_response(
            {"users": [p.describe() for p in phones[offset : offset + limit]], "total": len(phones)}
        )

    async def create_users(self, request: web.Request) -> web.Response:
        """POST /_sim/users {"count": N, "state"?} or {"users": [{"userId"?, "displayName", "state"?}]}."""
        body = await read_object(request)
        state = body.get("state", "never-followed")
        if state not in PHONE_STATES:
            raise ControlError(400, f"state must be one of {PHONE_STATES}")
        if "users" in body:
            created = [
                self.state.add_phone(u.get("displayName"), u.get("userId"), u.get("state", state))
                for u in body["users"]
            ]
        else:
            created = [self.state.add_phone(state=state) for _ in range(int(body.get("count", 1)))]
        return json_response({"users": [p.describe() for p in created]})

    async def reply_tokens(self, request: web.Request) -> web.Response:
        """POST /_sim/reply-tokens {"userIds": [...]}: tokens as LINE issues with events, one per user, in order.

        For load generators that post their own signed events to the bot (faster than the simulator sends
        them): the bot's replies with these tokens are then accepted, once each, within the token's lifetime.
        """
        body = await read_object(request)
        user_ids = body.get("userIds")
        if not isinstance(user_ids, list) or not all(isinstance(u, str) for u in user_ids):
            raise ControlError(400, "userIds must be a list of LINE user IDs")
        unknown = [u for u in user_ids if u not in self.state.phones]
        if unknown:
            raise ControlError(404, f"no phone with user ID {unknown[0]}")
        return json_response({"replyTokens": [self.state.issue_reply_token(u) for u in user_ids]})

    async def user(self, request: web.Request) -> web.Response:
        """GET /_sim/users/{userId}."""
        return json_response(self.actions.phone(request.match_info["userId"]).describe())

    async def follow(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/follow."""
        return json_response(await self.actions.follow(self.actions.phone(request.match_info["userId"])))

    async def unfollow(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/unfollow."""
        return json_response(await self.actions.unfollow(self.actions.phone(request.match_info["userId"])))

    async def message(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/message {"text"}."""
        body = await read_object(request)
        phone = self.actions.phone(request.match_info["userId"])
        return json_response(await self.actions.message(phone, body.get("text")))

    async def postback(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/postback {"data", "params"?}."""
        body = await read_object(request)
        phone = self.actions.phone(request.match_info["userId"])
        return json_response(await self.actions.postback(phone, body.get("data"), body.get("params")))

    async def tap(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/tap {"label", "message_id"?, "params"?}."""
        body = await read_object(request)
        phone = self.actions.phone(request.match_info["userId"])
        return json_response(
            await self.actions.tap(phone, body.get("label"), body.get("message_id"), body.get("params"))
        )

    async def inbox(self, request: web.Request) -> web.Response:
        """GET /_sim/users/{userId}/inbox."""
        phone = self.actions.phone(request.match_info["userId"])
        items = inbox_items(self.state, phone.user_id)
        for item in items:
            del item["_unit"]
        return json_response({"items": items})

    async def id_token(self, request: web.Request) -> web.Response:
        """POST /_sim/users/{userId}/id-token {"client_id"?, "expires_in"?, "nonce"?}."""
        body = await read_object(request)
        phone = self.actions.phone(request.match_info["userId"])
        token = self.id_tokens.issue(
            phone, body.get("client_id"), int(body.get("expires_in", 3600)), body.get("nonce")
        )
        return json_response({"id_token": token})

    async def stats(self, request: web.Request) -> web.Response:
        """GET /_sim/stats."""
        return json_response(self.state.stats())

    async def deliveries(self, request: web.Request) -> web.Response:
        """GET /_sim/deliveries?userId=&limit= : the newest raw delivery records, oldest first."""
        limit = int(request.query.get("limit", "100"))
        user_id = request.query.get("userId")
        records = self.state.inboxes.get(user_id, []) if user_id else self.state.deliveries
        chosen = records[-limit:] if limit > 0 else []
        return json_response({"deliveries": [r.describe() for r in chosen], "total": len(records)})

    async def webhook_log(self, request: web.Request) -> web.Response:
        """GET /_sim/webhooks?limit= : every webhook attempt, oldest first."""
        limit = int(request.query.get("limit", "1000"))
        log = self.state.webhook_log
        return json_response({"webhooks": log[-limit:] if limit > 0 else [], "total": len(log)})

    async def get_faults(self, request: web.Request) -> web.Response:
        """GET /_sim/faults."""
        return json_response(self.faults.describe())

    async def set_faults(self, request: web.Request) -> web.Response:
        """POST /_sim/faults with any of latency_ms, jitter_ms, error_rate, drop_rate, lost_rate."""
        self.faults.update(await read_object(request))
        return json_response(self.faults.describe())

    async def get_quota(self, request: web.Request) -> web.Response:
        """GET /_sim/quota."""
        return json_response(self.state.quota.describe())

    async def set_quota(self, request: web.Request) -> web.Response:
        """POST /_sim/quota {"limit": N or null, "used"?: N}."""
        body = await read_object(request)
        if "limit" in body:
            self.state.quota.limit = None if body["limit"] is None else int(body["limit"])
        if "used" in body:
            self.state.quota.used = int(body["used"])
        return json_response(self.state.quota.describe())

    async def get_limits(self, request: web.Request) -> web.Response:
        """GET /_sim/limits: requests per second for each rate-limited endpoint (null: unlimited)."""
        return json_response(self.state.limits.describe())

    async def set_limits(self, request: web.Request) -> web.Response:
        """POST /_sim/limits {"multicast": rate or null, ...}."""
        for endpoint, rate in (await read_object(request)).items():
            self.state.limits.set(endpoint, None if rate is None else float(rate))
        return json_response(self.state.limits.describe())

    async def redeliver(self, request: web.Request) -> web.Response:
        """POST /_sim/events/{eventId}/redeliver."""
        result = await self.webhooks.redeliver(request.match_info["eventId"])
        if result is None:
            raise ControlError(404, "unknown webhookEventId")
        return json_response({"event": result[0], "webhook_status": result[1]})

    async def reset(self, request: web.Request) -> web.Response:
        """POST /_sim/reset {"settings"?: true}: clear records; with settings, restore start-up faults and limits."""
        body = await read_object(request)
        if body.get("settings"):
            s = self.startup
            self.faults.update(
                {
                    "latency_ms": s.latency_ms,
                    "jitter_ms": s.jitter_ms,
                    "error_rate": s.error_rate,
                    "drop_rate": s.drop_rate,
                    "lost_rate": s.lost_rate,
                }
            )
            for endpoint, rate in s.rates.items():
                self.state.limits.set(endpoint, None if s.no_limits else rate)
            self.state.quota.limit = s.monthly_quota
            self.state.rich_menus.clear()
            self.state.rich_menu_images.clear()
            self.state.default_rich_menu = None
        self.state.clear()
        return json_response({"ok": True})
