"""Group commit for the webhook: concurrent requests' events go to the inbox in one statement and one commit."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from boktor.db import engine_for, write_turn
from boktor.interactions import inbox
from boktor.line.webhook import WebhookEvent

# Enough to absorb a burst of hundreds of concurrent webhooks in one commit, small enough to stay quick.
MAX_BATCH_EVENTS = 1000


class InboxWriter:
    """Stores webhook events for many concurrent requests; each request returns once its batch is committed.

    A commit costs about a millisecond on SQLite and a few on PostgreSQL; one per request would cap
    ingest at a few hundred per second. While one batch is being written, the next one gathers.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.waiting: deque[tuple[list[WebhookEvent], asyncio.Future[int]]] = deque()
        self.flusher: asyncio.Task[None] | None = None
        self.arrivals: deque[tuple[float, int]] = deque()  # (time.monotonic(), events) of recent requests
        # One thread: the database sees a single writer from the webhook, whatever the concurrency.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-writer")

    async def store(self, events: list[WebhookEvent]) -> int:
        """Store the events (ignoring ones already stored) and return how many were new, once committed."""
        self.arrivals.append((time.monotonic(), len(events)))
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append((events, future))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self.waiting:
            batch: list[tuple[list[WebhookEvent], asyncio.Future[int]]] = []
            size = 0
            while self.waiting and (not batch or size + len(self.waiting[0][0]) <= MAX_BATCH_EVENTS):
                events, future = self.waiting.popleft()
                batch.append((events, future))
                size += len(events)
            everything = [event for events, _ in batch for event in events]
            try:
                new = await loop.run_in_executor(self.thread, self._write, everything)
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for events, future in batch:
                if not future.done():
                    future.set_result(sum(1 for event in events if event.webhook_event_id in new))

    def events_per_second(self, over: float = 0.5) -> float:
        """How fast LINE's events came in over the last `over` seconds."""
        since = time.monotonic() - over
        while self.arrivals and self.arrivals[0][0] < since:
            self.arrivals.popleft()
        return sum(count for _, count in self.arrivals) / over

    def _write(self, events: list[WebhookEvent]) -> set[str]:
        with write_turn(self.database_url), engine_for(self.database_url).begin() as connection:
            return inbox.store_new_events(connection, events)

    def close(self) -> None:
        self.thread.shutdown(wait=False)
