"""LINE's Messaging API as the simulator serves it: sending, quota, profile, bot info and statistics."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from boktor.sim.faults import Faults
from boktor.sim.http import error_response, json_response, read_json
from boktor.sim.ids import RETRY_KEY, USER_ID, request_id
from boktor.sim.state import FRIEND, SimState, iso
from boktor.sim.validation import (
    RECIPIENTS_MAX,
    Detail,
    LineError,
    MessageValidator,
    aggregation_units,
    invalid,
)
from boktor.sim.webhooks import bot_user_id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RATE_LIMITED = {"message": "The API rate limit has been exceeded. Try again later."}
OUT_OF_QUOTA = {"message": "You have reached your monthly limit."}
NO_TOKEN = {
    "message": "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
}
BAD_TOKEN = {
    "message": "Authentication failed. Confirm that the access token in the authorization header is valid."
}
SERVER_ERROR = {"message": "An error occurred in the server. Try again later."}
RECEIVER_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
JST = 9 * 3600
STATISTICS_NULL_BELOW = 20


class MessagingApi:
    """Handlers for LINE's /v2/bot endpoints; every handler goes through `guard` (faults, token, rate)."""

    def __init__(self, state: SimState, faults: Faults, validator: MessageValidator) -> None:
        self.state = state
        self.faults = faults
        self.validator = validator
        self.bearer = f"Bearer {state.settings.access_token}"

    def routes(self) -> list[web.RouteDef]:
        """Return the routes, each wrapped with its endpoint name and rate bucket."""
        g = self.guard
        return [
            web.post("/v2/bot/message/reply", g("reply", "reply", self.reply)),
            web.post("/v2/bot/message/push", g("push", "push", self.push)),
            web.post("/v2/bot/message/multicast", g("multicast", "multicast", self.multicast)),
            web.post("/v2/bot/message/narrowcast", g("narrowcast", "narrowcast", self.narrowcast)),
            web.post("/v2/bot/message/broadcast", g("broadcast", "broadcast", self.broadcast)),
            web.get("/v2/bot/message/progress/narrowcast", g("progress", None, self.narrowcast_progress)),
            web.get("/v2/bot/message/quota", g("quota", None, self.quota)),
            web.get("/v2/bot/message/quota/consumption", g("quota/consumption", None, self.consumption)),
            web.get("/v2/bot/profile/{userId}", g("profile", None, self.profile)),
            web.get("/v2/bot/info", g("info", None, self.info)),
            web.get(
                "/v2/bot/insight/message/event/aggregation",
                g("insight/aggregation", "statistics", self.aggregation),
            ),
            web.get("/v2/bot/message/aggregation/info", g("aggregation/info", None, self.aggregation_info)),
            web.get("/v2/bot/message/aggregation/list", g("aggregation/list", None, self.aggregation_list)),
        ]

    def guard(self, name: str, bucket: str | None, handler: Handler) -> Handler:
        """Wrap a handler with what every Messaging API request meets: counting, faults, token check, rate."""
        state = self.state
        faults = self.faults

        async def run(request: web.Request) -> web.StreamResponse:
            # Looked up per request: a reset replaces the counters object.
            counters = state.counters
            counters.requests[name] = counters.requests.get(name, 0) + 1
            fate = None
            if faults.active:
                delay = faults.delay()
                if delay:
                    await asyncio.sleep(delay)
                fate = faults.roll()
                if fate == "error":
                    counters.faults["error"] += 1
                    return json_response(SERVER_ERROR, 500)
                if fate == "drop":
                    counters.faults["drop"] += 1
                    return _hang_up(request)
            try:
                auth = request.headers.get("Authorization")
                if auth != self.bearer:
                    raise LineError(401, NO_TOKEN if not auth else BAD_TOKEN)
                if bucket is not None and not state.limits.take(bucket):
                    counters.rate_limited += 1
                    raise LineError(429, RATE_LIMITED)
                response = await handler(request)
            except LineError as error:
                response = error_response(error, {"x-line-request-id": request_id()})
            if response.status < 300:
                counters.accepted[name] = counters.accepted.get(name, 0) + 1
            if fate == "lost":
                # Everything happened, but the client never hears so: only a reused retry key saves it.
                counters.faults["lost"] += 1
                return _hang_up(request)
            return response

        return run

    # --- sending ------------------------------------------------------------------------------------------

    def _retry_key(self, request: web.Request, allowed: bool) -> str | None:
        key = request.headers.get("X-Line-Retry-Key")
        if key is None:
            return None
        if not allowed:
            raise LineError(400, {"message": "X-Line-Retry-Key is not supported for this endpoint"})
        if not RETRY_KEY.match(key):
            raise LineError(400, {"message": "The value of X-Line-Retry-Key must be a UUID"})
        accepted = self.state.accepted_request_for(key)
        if accepted is not None:
            self.state.counters.retry_key_conflicts += 1
            raise LineError(
                409,
                {"message": "The retry key is already accepted"},
                {"x-line-accepted-request-id": accepted},
            )
        return key

    async def _body(self, request: web.Request) -> dict[str, Any]:
        data = await read_json(request)
        if not isinstance(data, dict):
            raise invalid([("Must be an object", "")])
        return data

    def _messages(self, data: dict[str, Any], details: list[Detail]) -> tuple[Any, bytes]:
        messages = data.get("messages")
        key = orjson.dumps(messages)
        details.extend(self.validator.problems(messages, key))
        return messages, key

    def _user_ids(self, to: Any, details: list[Detail]) -> None:
        if not isinstance(to, list) or not 1 <= len(to) <= RECIPIENTS_MAX:
            details.append((f"Size must be between 1 and {RECIPIENTS_MAX}", "to"))
            return
        try:
            # Known phones are valid by construction; set arithmetic keeps 500 IDs cheap.
            if not set(to).difference(self.state.phones):
                return
        except TypeError:
            pass
        for i, user_id in enumerate(to):
            if not isinstance(user_id, str) or not USER_ID.match(user_id):
                details.append(("Invalid user ID", f"to[{i}]"))

    def _send(
        self,
        via: str,
        key: str | None,
        messages: list[dict[str, Any]],
        payload_key: bytes,
        recipients: list[str],
        unit: str | None = None,
        counted: bool = True,
    ) -> str:
        """Charge the quota, remember the retry key and deliver; return the new request ID."""
        quota = self.state.quota
        if counted:
            if not quota.fits(len(recipients)):
                self.state.counters.quota_refused += 1
                raise LineError(429, OUT_OF_QUOTA)
            quota.used += len(recipients)
        rid = request_id()
        if key is not None:
            self.state.remember_retry_key(key, rid)
        self.state.deliver(via, rid, messages, payload_key, recipients, key, unit)
        return rid

    def _sent_messages(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        ids = self.state.ids
        return {"sentMessages": [{"id": ids.message_id(), "quoteToken": ids.quote_token()} for _ in messages]}

    async def reply(self, request: web.Request) -> web.Response:
        """POST /v2/bot/message/reply: free, needs an unspent reply token younger than a minute."""
        self._retry_key(request, allowed=False)
        data = await self._body(request)
        details: list[Detail] = []
        if not isinstance(data.get("replyToken"), str) or not data["replyToken"]:
            details.append(("May not be empty", "replyToken"))
        messages, payload_key = self._messages(data, details)
        if details:
            raise invalid(details)
        user_id = self.state.use_reply_token(data["replyToken"])
        if user_id is None:
            raise LineError(400, {"message": "Invalid reply token"})
        recipients = [user_id] if user_id in self.state.friends else []
        rid = self._send("reply", None, messages, payload_key, recipients, counted=False)
        return json_response(self._sent_messages(messages), headers={"x-line-request-id": rid})

    async def push(self, request: web.Request) -> web.Response:
        """POST /v2/bot/message/push: one receiver; a blocked or unknown user gets nothing and costs nothing."""
        key = self._retry_key(request, allowed=True)
        data = await self._body(request)
        details: list[Detail] = []
        to = data.get("to")
        if not isinstance(to, str) or not RECEIVER_ID.match(to):
            details.append(("Invalid receiver ID", "to"))
        details.extend(aggregation_units(data.get("customAggregationUnits")))
        messages, payload_key = self._messages(data, details)
        if details:
            raise invalid(details)
        recipients = [self.state.friends[to]] if to in self.state.friends else []
        rid = self._send("push", key, messages, payload_key, recipients, _unit(data))
        return json_response(self._sent_messages(messages), headers={"x-line-request-id": rid})

    async def multicast(self, request: web.Request) -> web.Response:
        """POST /v2/bot/message/multicast: up to 500 user IDs; only friends receive and are counted."""
        key = self._retry_key(request, allowed=True)
        data = await self._body(request)
        details: list[Detail] = []
        to = data.get("to")
        self._user_ids(to, details)
        unit = data.get("customAggregationUnits")
        if unit is not None:
            details.extend(aggregation_units(unit))
        messages, payload_key = self._messages(data, details)
        if details:
            raise invalid(details)
        # map() in C, and it yields the phones' own ID strings rather than the ones parsed from this body.
        recipients = [
            user_id for user_id in map(self.state.friends.get, dict.fromkeys(to)) if user_id is not None
        ]
        rid = self._send("multicast", key, messages, payload_key, recipients, _unit(data))
        return json_response({}, headers={"x-line-request-id": rid})

    async def broadcast(self, request: web.Request) -> web.Response:
        """POST /v2/bot/message/broadcast: every friend."""
        key = self._retry_key(request, allowed=True)
        data = await self._body(request)
        details: list[Detail] = []
        messages, payload_key = self._messages(data, details)
        if details:
            raise invalid(details)
        rid = self._send("broadcast", key, messages, payload_key, sorted(self.state.friends))
        return json_response({}, headers={"x-line-request-id": rid})

    async def narrowcast(self, request: web.Request) -> web.Response:
        """POST /v2/bot/message/narrowcast: 202; audiences and demographic filters are not simulated."""
        key = self._retry_key(request, allowed=True)
        data = await self._body(request)
        details: list[Detail] = []
        messages, payload_key = self._messages(data, details)
        if details:
            raise invalid(details)
        recipients = sorted(self.state.friends)
        limit = data.get("limit")
        if isinstance(limit, dict) and isinstance(limit.get("max"), int):
            recipients = recipients[: limit["max"]]
        accepted = time.time()
        rid = self._send("narrowcast", key, messages, payload_key, recipients)
        self.state.narrowcasts[rid] = {
            "phase": "succeeded",
            "successCount": len(recipients),
            "failureCount": 0,
            "targetCount": len(recipients),
            "acceptedTime": iso(accepted),
            "completedTime": iso(time.time()),
        }
        return json_response({}, 202, headers={"x-line-request-id": rid})

    async def narrowcast_progress(self, request: web.Request) -> web.Response:
        """GET /v2/bot/message/progress/narrowcast?requestId=."""
        progress = self.state.narrowcasts.get(request.query.get("requestId", ""))
        if progress is None:
            raise LineError(404, {"message": "Not found"})
        return json_response(progress, headers={"x-line-request-id": request_id()})

    # --- account ------------------------------------------------------------------------------------------

    async def quota(self, request: web.Request) -> web.Response:
        """GET /v2/bot/message/quota."""
        limit = self.state.quota.limit
        body: dict[str, Any] = {"type": "none"} if limit is None else {"type": "limited", "value": limit}
        return json_response(body, headers={"x-line-request-id": request_id()})

    async def consumption(self, request: web.Request) -> web.Response:
        """GET /v2/bot/message/quota/consumption."""
        return json_response(
            {"totalUsage": self.state.quota.used}, headers={"x-line-request-id": request_id()}
        )

    async def profile(self, request: web.Request) -> web.Response:
        """GET /v2/bot/profile/{userId}: only friends have a profile the account may read."""
        phone = self.state.phones.get(request.match_info["userId"])
        if phone is None or phone.state != FRIEND:
            raise LineError(404, {"message": "Not found"})
        body = {"userId": phone.user_id, "displayName": phone.display_name, "language": "th"}
        return json_response(body, headers={"x-line-request-id": request_id()})

    async def info(self, request: web.Request) -> web.Response:
        """GET /v2/bot/info."""
        settings = self.state.settings
        body = {
            "userId": bot_user_id(settings.channel_secret),
            "basicId": "@boktorsim",
            "displayName": settings.bot_name,
            "chatMode": "bot",
            "markAsReadMode": "auto",
        }
        return json_response(body, headers={"x-line-request-id": request_id()})

    # --- statistics ---------------------------------------------------------------------------------------

    async def aggregation(self, request: web.Request) -> web.Response:
        """GET /v2/bot/insight/message/event/aggregation: totals only, null under 20, as LINE gives them."""
        unit = request.query.get("customAggregationUnit", "")
        start, end = request.query.get("from", ""), request.query.get("to", "")
        details: list[Detail] = []
        if not unit:
            details.append(("May not be empty", "customAggregationUnit"))
        for name, value in (("from", start), ("to", end)):
            if not (len(value) == 8 and value.isdigit()):
                details.append(("Must be in yyyyMMdd format", name))
        if details:
            raise invalid(details)
        reached: set[str] = set()
        for record in self.state.deliveries:
            if record.unit == unit and start <= time.strftime("%Y%m%d", time.gmtime(record.at + JST)) <= end:
                reached.update(record.recipients)
        # The simulator cannot see phones open a message; it counts a delivery as an impression.
        impressions = _null_under(len(reached))
        clicks = _null_under(len(self.state.clicks.get(unit, ())))
        body = {
            "overview": {
                "uniqueImpression": impressions,
                "uniqueClick": clicks,
                "uniqueMediaPlayed": None,
                "uniqueMediaPlayed100Percent": None,
            },
            "messages": [
                {
                    "seq": 1,
                    "impression": impressions,
                    "uniqueImpression": impressions,
                    "mediaPlayed": None,
                    "uniqueMediaPlayed": None,
                }
            ]
            if reached
            else [],
            "clicks": [],
        }
        return json_response(body, headers={"x-line-request-id": request_id()})

    async def aggregation_info(self, request: web.Request) -> web.Response:
        """GET /v2/bot/message/aggregation/info: how many units were used this month."""
        units = {record.unit for record in self.state.deliveries if record.unit}
        return json_response({"numOfCustomAggregationUnits": len(units)})

    async def aggregation_list(self, request: web.Request) -> web.Response:
        """GET /v2/bot/message/aggregation/list."""
        units = sorted({record.unit for record in self.state.deliveries if record.unit})
        return json_response({"customAggregationUnits": units})


def _unit(data: dict[str, Any]) -> str | None:
    units = data.get("customAggregationUnits")
    return units[0] if units else None


def _null_under(count: int) -> int | None:
    return count if count >= STATISTICS_NULL_BELOW else None


def _hang_up(request: web.Request) -> web.Response:
    """Close the connection without an answer; the returned response is never written."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)
