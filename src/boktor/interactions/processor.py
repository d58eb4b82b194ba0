"""The inbox processor: handles stored webhook events after LINE has had its 200, and survives restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from linebot.v3.messaging import AsyncMessagingApi, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy.orm import Session

from boktor.config import Settings
from boktor.db import transaction, write_turn
from boktor.interactions import inbox
from boktor.interactions.handlers import Outcome, handle_event
from boktor.line.api import messaging_api

log = logging.getLogger(__name__)
T = TypeVar("T")

# LINE's reply tokens last one minute; past this age the reply is skipped, the state change is not.
REPLY_TOKEN_MAX_AGE_MS = 50_000
# A row left "processing" this long belongs to a process that died (another process may still be on it).
PROCESSING_LEASE = timedelta(minutes=2)
REPLY_ATTEMPTS = 3
# Faster than the processor answers follows at full speed (~150/s): a burst, in which it gives way to the webhook.
BURST_EVENTS_PER_SECOND = 200


class InboxProcessor:
    """Handles pending inbox rows: woken by the webhook, and sweeping every few seconds for leftovers."""

    def __init__(
        self,
        settings: Settings,
        *,
        # Members answered at once. Each waits on LINE twice (profile, reply): with LINE some 40 ms away, 8 at
        # once answered 62-64 follows/s and 32 answered 114-127/s (webhook_ingest.py --latency-ms 40).
        concurrency: int = 32,
        sweep_seconds: float = 3.0,
        batch: int = 500,
        webhook_rate: Callable[[], float] | None = None,
        watch_inbox: bool = False,
    ) -> None:
        self.settings = settings
        self.concurrency = concurrency
        # How fast LINE's events are coming in, to give way to the webhook in a burst: told by the webhook in
        # this process, or (watch_inbox, a worker process) seen as the inbox's newest row id rising.
        self.watch_inbox = watch_inbox and webhook_rate is None
        self.inbox_growth = 0.0  # rows per second over the watcher's last look
        self.webhook_rate = webhook_rate or ((lambda: self.inbox_growth) if self.watch_inbox else None)
        self.one_at_a_time = asyncio.Lock()
        self.sweep_seconds = sweep_seconds
        self.batch = batch
        self.wake = asyncio.Event()
        self.api: AsyncMessagingApi | None = None
        self.threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inbox-processor")
        self.handled = 0

    def notify(self) -> None:
        """New rows were stored: look at the inbox now rather than at the next sweep."""
        self.wake.set()

    async def run(self, *, until_idle: bool = False) -> None:
        """Handle rows until cancelled (or, with until_idle, until none is pending); leftovers are picked up at start."""
        try:
            await self._run(until_idle)
        finally:
            self.threads.shutdown(wait=False)

    async def _run(self, until_idle: bool) -> None:
        # Each row waits on LINE twice (profile, reply): two connections for each member answered at once.
        async with messaging_api(self.settings, 2 * self.concurrency) as api:
            self.api = api
            # On SQLite one process does everything, so rows it left "processing" are simply orphans.
            lease = timedelta(0) if self.settings.is_sqlite else PROCESSING_LEASE
            await self._db(self._reclaim, lease)
            last_reclaim = time.monotonic()
            watcher = asyncio.create_task(self._watch()) if self.watch_inbox else None
            try:
                await self._loop(until_idle, last_reclaim)
            finally:
                if watcher is not None:
                    watcher.cancel()

    async def _loop(self, until_idle: bool, last_reclaim: float) -> None:
        while True:
            self.wake.clear()
            try:
                found = await self.drain()
            except Exception:  # the database may be briefly unreachable: keep the loop alive
                log.exception("inbox sweep failed; retrying")
                found = 0
            if found:
                continue
            if until_idle:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.sweep_seconds)
            if time.monotonic() - last_reclaim > PROCESSING_LEASE.total_seconds() / 2:
                await self._db(self._reclaim, PROCESSING_LEASE)
                last_reclaim = time.monotonic()

    async def drain(self) -> int:
        """Claim and handle one batch of pending rows; how many were found."""
        rows = await self._db(self._pending)
        if not rows:
            return 0
        events = await self._db(self._claim, [row.id for row in rows])
        # One member's events are handled in order (follow before the message that follows it).
        by_member: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if row.id in events:
                by_member[row.line_user_id or f"row-{row.id}"].append(row.id)
        gate = asyncio.Semaphore(self.concurrency)

        async def member_rows(ids: list[int]) -> None:
            async with gate:
                for row_id in ids:
                    async with self._giving_way():
                        await self.handle_row(row_id, events[row_id])

        await asyncio.gather(*(member_rows(ids) for ids in by_member.values()))
        return len(rows)

    @contextlib.asynccontextmanager
    async def _giving_way(self) -> AsyncIterator[None]:
        """While the webhook is busy, one row at a time and a rest as long as the row took after each.

        Answering is deferred work; LINE's 200 is not. The webhook shares the event loop with an embedded
        processor and the cores with a worker process, and its slowest answers were those waiting on them.
        """
        if not self.webhook_busy():
            yield
            return
        async with self.one_at_a_time:
            started = time.monotonic()
            yield
            await asyncio.sleep(min(time.monotonic() - started, 1.0))

    def webhook_busy(self) -> bool:
        """Whether LINE's events come in faster than rows are answered at full speed (a burst).

        Below that the processor keeps up at full speed; in a burst it falls behind whatever it does, and the
        webhook's answers come first.
        """
        return self.webhook_rate is not None and self.webhook_rate() >= BURST_EVENTS_PER_SECOND

    async def _watch(self) -> None:
        """Follow how fast the inbox's newest row id rises: web processes storing LINE's events."""
        newest, looked = None, time.monotonic()
        while True:
            try:
                latest = await self._db(self._newest) or 0
            except Exception:  # the database may be briefly unreachable; the main loop reports it
                latest = newest
            now = time.monotonic()
            if newest is not None and latest is not None:
                self.inbox_growth = (latest - newest) / max(now - looked, 1e-3)
            newest, looked = latest, now
            await asyncio.sleep(0.1)

    async def handle_row(self, row_id: int, event: dict[str, Any]) -> None:
        """Apply and answer one claimed row; a failure is recorded on the row and retried later."""
        profile_name = await self._profile_name(event) if event.get("type") == "follow" else None
        try:
            outcome = await self._db(self._apply, row_id, event, profile_name)
        except Exception as error:
            status = await self._db(self._release, row_id, f"{type(error).__name__}: {error}")
            log.warning("inbox row %s failed (%s), now %s", row_id, type(error).__name__, status)
            return
        self.handled += 1
        if outcome.replies:
            problem = await self._reply(event, outcome)
            if problem:
                await self._db(self._note, row_id, problem)

    async def _profile_name(self, event: dict[str, Any]) -> str | None:
        user_id = (event.get("source") or {}).get("userId")
        if not user_id or self.api is None:
            return None
        try:
            return (await self.api.get_profile(user_id)).display_name
        except Exception as error:  # the name is a nicety; the member is created without it
            log.info("profile not available (%s)", type(error).__name__)
            return None

    async def _reply(self, event: dict[str, Any], outcome: Outcome) -> str | None:
        token = event.get("replyToken")
        if not isinstance(token, str) or self.api is None:
            return None
        age_ms = time.time() * 1000 - float(event.get("timestamp") or 0)
        if age_ms > REPLY_TOKEN_MAX_AGE_MS:
            if event.get("type") == "follow":
                # The greeting carries the survey button a new member needs: push it, at one message of quota.
                return await self._push_instead(event, outcome, age_ms)
            return f"reply skipped: the reply token was {age_ms / 1000:.0f} s old"
        request = ReplyMessageRequest.from_dict({"replyToken": token, "messages": outcome.replies})
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            try:
                await self.api.reply_message(request)
                return None
            except ApiException as error:
                # Rate limits and server errors may pass; a refused token or message will not.
                if error.status in (429, 500, 502, 503, 504) and attempt < REPLY_ATTEMPTS:
                    await asyncio.sleep(0.2 * attempt)
                    continue
                return f"reply refused by LINE: HTTP {error.status} {error.body}"
            except Exception as error:
                return f"reply failed: {type(error).__name__}: {error}"
        return None

    async def _push_instead(self, event: dict[str, Any], outcome: Outcome, age_ms: float) -> str | None:
        """Push what could not be replied; the retry key comes from the event, so a retry never sends twice."""
        user_id = (event.get("source") or {}).get("userId")
        if not user_id or self.api is None:
            return None
        request = PushMessageRequest.from_dict({"to": user_id, "messages": outcome.replies})
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"boktor:push-instead:{event.get('webhookEventId')}"))
        try:
            await self.api.push_message(request, x_line_retry_key=retry_key)
        except ApiException as error:
            if error.status != 409:  # 409: this very push was already accepted
                return f"greeting push refused by LINE: HTTP {error.status} {error.body}"
        except Exception as error:
            return f"greeting push failed: {type(error).__name__}: {error}"
        return f"pushed instead of replied: the reply token was {age_ms / 1000:.0f} s old"

    # Database work runs in the processor's own threads so that the event loop keeps answering webhooks.

    async def _db(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.threads, work, *args)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Session]:
        with write_turn(self.settings.database_url), transaction(self.settings.database_url) as session:
            yield session

    def _newest(self) -> int | None:
        with transaction(self.settings.database_url) as session:
            return inbox.newest_row(session)

    def _pending(self) -> list[inbox.PendingRow]:
        with transaction(self.settings.database_url) as session:
            return inbox.pending_rows(session, self.batch)

    def _claim(self, row_ids: list[int]) -> dict[int, dict[str, Any]]:
        with self._transaction() as session:
            return inbox.claim_many(session, row_ids)

    def _apply(self, row_id: int, event: dict[str, Any], profile_name: str | None) -> Outcome:
        with self._transaction() as session:
            outcome = handle_event(session, self.settings, event, profile_name)
            inbox.finish(session, row_id, outcome.status)
            return outcome

    def _release(self, row_id: int, error: str) -> str:
        with self._transaction() as session:
            return inbox.release(session, row_id, error)

    def _note(self, row_id: int, problem: str) -> None:
        with self._transaction() as session:
            inbox.note_error(session, row_id, problem)

    def _reclaim(self, lease: timedelta) -> None:
        with self._transaction() as session:
            count = inbox.reclaim_stale(session, lease)
        if count:
            log.info("%s inbox rows taken back from a stopped process", count)
