"""The delivery worker: claims batches, sends each as one multicast under the rate limit, records the outcome.

How several workers share one channel: every worker beats once a second in `delivery_workers`; each takes
rate / (workers holding batches, itself included) as its own pace. A worker silent for STALE (or whose process on this host is gone) is
dead: its batches are handed back at once. A batch is marked sent only after LINE accepted it (2xx or 409),
so a crash at any moment leaves it pending and a restart sends it again with the same retry key.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import signal
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from linebot.v3.messaging import AsyncMessagingApi
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement
from boktor.config import Settings
from boktor.db import transaction, utcnow, write_turn
from boktor.delivery import claims, ledger, messages
from boktor.delivery.claims import BatchResult, ClaimedBatch, QuotaPause
from boktor.delivery.ledger import Recipients
from boktor.delivery.limiter import TokenBucket
from boktor.delivery.models import BatchStatus
from boktor.delivery.recorder import Recorder
from boktor.line.multicast import Outcome, check_messages, multicast_client, send_multicast

log = logging.getLogger(__name__)
T = TypeVar("T")

# A claim lasts this long without renewal: dead workers are found by their heartbeat (STALE), the lease is
# only the backstop for a batch whose worker vanished without a trace.
LEASE = timedelta(minutes=10)
STALE = timedelta(seconds=10)
HEARTBEAT_S = 1.0
IDLE_POLL_S = 0.1
# The ledger is written this many batches ahead of the sending (a second of LINE's time at 200/s), no more:
# the writing is spread over the sending instead of competing with its start, and stops while a send is paused.
LEDGER_LEAD = 200
# After a ledger chunk failed (the database away, an announcement whose audience cannot be read).
LEDGER_RETRY_S = 2.0
# Batches claimed per trip to the database: enough to keep LINE busy, few enough to keep memory small.
CLAIM_CHUNK = 24
# Retries of one batch within one claim before it is handed back with a later next_attempt_at.
RETRIES_PER_CLAIM = 8
BACKOFF_BASE_S = 0.25
BACKOFF_MAX_S = 30.0
# LINE forgets an accepted retry key after 24 hours; past that a retry could deliver twice, so it stops.
RETRY_KEY_WINDOW = timedelta(hours=23)

MessagesFor = Callable[[Announcement, str], list[dict[str, Any]]]


@dataclass
class Progress:
    """What this worker has done so far."""

    batches_sent: int = 0
    batches_failed: int = 0
    recipients: int = 0
    requests: int = 0


def default_worker_id() -> str:
    """host-pid-random: unique per process, and says where the worker runs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def backoff(failures: int) -> float:
    """Exponential backoff with full jitter after `failures` consecutive failures."""
    ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, failures - 1))
    return random.uniform(ceiling / 2, ceiling)


def _default_messages_for(announcement: Announcement, purpose: str) -> list[dict[str, Any]]:
    from boktor.announcements.cards import messages_for

    return messages_for(announcement, purpose)


def _default_recipients_for(announcement: Announcement, purpose: str):
    from boktor.announcements.recipients import recipients_for

    return recipients_for(announcement, purpose)


def _start_due(session: Session, settings: Settings) -> list[int]:
    """Move due scheduled announcements to sending (the announcements feature decides how)."""
    try:
        from boktor.announcements.sending import start_due
    except ImportError:  # the announcements service is optional for the engine
        return []
    return start_due(session, utcnow(), settings=settings)


class Worker:
    """One delivery worker process (or the embedded one inside `boktor serve`)."""

    def __init__(
        self,
        settings: Settings,
        *,
        until_idle: bool = False,
        worker_id: str | None = None,
        messages_for: MessagesFor | None = None,
        recipients_for: Recipients | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.until_idle = until_idle
        self.id = worker_id or default_worker_id()
        self.hostname = socket.gethostname()
        self.messages_for = messages_for or _default_messages_for
        self.recipients_for = recipients_for or _default_recipients_for
        self.progress = progress
        self.concurrency = max(1, settings.multicast_concurrency)
        self.capacity = self.concurrency * 2
        self.limiter = TokenBucket(settings.multicast_rate)
        self.done = Progress()
        self._stopping: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boktor-db")
        self._beat_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boktor-beat")
        # Results are written beside claiming (recorder.py), so that a slow write never starves LINE of requests.
        self._record_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boktor-record")
        # The rest of a ledger is written beside the sending of its first batches.
        self._ledger_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boktor-ledger")
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._content: dict[
            tuple[int, str], asyncio.Future[tuple[list[dict[str, Any]], str | None] | str]
        ] = {}
        self._paused: set[int] = set()
        self.recorder = Recorder(self._write_results, self._wake_up)

    # --- plumbing --------------------------------------------------------------------------------------

    async def _db(
        self,
        work: Callable[..., T],
        *args: Any,
        executor: ThreadPoolExecutor | None = None,
        write: bool = True,
    ) -> T:
        """Run `work(session, *args)` in one committed transaction, off the event loop.

        A unit that writes waits for this process's SQLite write turn; a read (`write=False`) does not.
        """

        def unit() -> T:
            url = self.settings.database_url
            with write_turn(url) if write else contextlib.nullcontext(), transaction(url) as session:
                return work(session, *args)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor or self._executor, unit)

    def stop(self) -> None:
        """Ask the worker to stop: no new requests; those in flight finish and are recorded."""
        if self._stopping is not None and not self._stopping.is_set():
            self._say(messages.STOPPING.format(in_flight=len(self._in_flight)))
            self._stopping.set()
            self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    def _say(self, text: str) -> None:
        if self.progress:
            self.progress(text)

    # --- the main loop ---------------------------------------------------------------------------------

    async def run(self) -> Progress:
        """Send until stopped (or, with until_idle, until nothing is left to send)."""
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        await self._db(claims.release_dead_workers, self.hostname, STALE)
        await self._db(claims.register_worker, self.id, self.hostname, os.getpid())
        await self._beat()
        beat = asyncio.create_task(self._heartbeats(), name="delivery-heartbeat")
        recorder = asyncio.create_task(self.recorder.run(), name="delivery-recorder")
        writer = asyncio.create_task(self._ledgers(), name="delivery-ledger")
        try:
            async with multicast_client(self.settings, self.concurrency) as api:
                self._semaphore = asyncio.Semaphore(self.concurrency)
                await self._loop(api)
                if self._in_flight:
                    await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
            await self.recorder.flush()
            await self._db(claims.complete_finished)
            self._report()
        finally:
            beat.cancel()
            recorder.cancel()
            writer.cancel()
            for task in list(self._in_flight.values()):
                task.cancel()
            try:
                # Cancelled (the web process stopping): keep what LINE already accepted, hand back the rest.
                with contextlib.suppress(Exception):
                    await self.recorder.flush()
                await self._db(claims.unregister_worker, self.id)
            finally:
                self._executor.shutdown(wait=False)
                self._beat_executor.shutdown(wait=False)
                self._record_executor.shutdown(wait=False)
                self._ledger_executor.shutdown(wait=False)
        return self.done

    async def _loop(self, api: AsyncMessagingApi) -> None:
        last_due = 0.0
        last_report = time.monotonic()
        while not self.stopping:
            self._wake.clear()
            now = time.monotonic()
            if now - last_due >= 1.0:
                last_due = now
                try:
                    await self._db(_start_due, self.settings)
                except Exception:  # a scheduled announcement that cannot start must not stop all sending
                    log.exception("could not start the scheduled announcements that are due")
                await self._db(claims.complete_finished)
            room = self.capacity - len(self._in_flight)
            if self.recorder.backlog > self.capacity * 2:
                room = 0  # the database is behind: let the recorder catch up before taking more
            claimed: list[ClaimedBatch] = []
            if room >= min(CLAIM_CHUNK, self.capacity) // 2:
                claimed = await self._db(claims.take_batches, self.id, min(room, CLAIM_CHUNK), LEASE)
                claimed = await self._db(claims.load_recipients, claimed, write=False)
            for batch in claimed:
                # Claimable again means someone resumed it since LINE's quota refusal.
                self._paused.discard(batch.announcement_id)
                task = asyncio.create_task(self._deliver(api, batch))
                self._in_flight[batch.id] = task
                task.add_done_callback(functools.partial(self._finished, batch.id))
            if now - last_report >= 1.0:
                last_report = now
                self._report()
            if claimed:
                continue
            if self.until_idle and not self._in_flight:
                await self.recorder.flush()
                await self._db(claims.complete_finished)
                if not await self._db(claims.has_work, self.id):
                    self._say(messages.IDLE)
                    return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_S)

    def _finished(self, batch_id: int, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(batch_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery of batch %s failed: %r", batch_id, task.exception())
        self._wake.set()

    def _report(self) -> None:
        self._say(
            messages.PROGRESS.format(
                sent=self.done.batches_sent,
                failed=self.done.batches_failed,
                recipients=self.done.recipients,
                in_flight=len(self._in_flight),
                rate=self.limiter.rate,
            )
        )

    # --- one batch -------------------------------------------------------------------------------------

    async def _messages(self, batch: ClaimedBatch) -> tuple[list[dict[str, Any]], str | None] | str:
        """The parsed messages of a batch (cached per announcement and purpose), or why they cannot be built."""
        key = (batch.announcement_id, batch.purpose)
        if key not in self._content:

            def build(session: Session) -> tuple[list[dict[str, Any]], str | None] | str:
                announcement = session.get(Announcement, batch.announcement_id)
                try:
                    content = self.messages_for(announcement, batch.purpose)
                    return check_messages(content), announcement.aggregation_unit
                except Exception as error:  # a broken announcement fails its batches, not the worker
                    return messages.CONTENT_FAILED.format(error=error)

            # One build per announcement, however many of its batches ask at once.
            self._content[key] = asyncio.ensure_future(self._db(build, write=False))
        return await self._content[key]

    async def _deliver(self, api: AsyncMessagingApi, batch: ClaimedBatch) -> None:
        attempts = batch.attempts
        result = BatchResult(
            batch.id,
            batch.announcement_id,
            batch.purpose,
            BatchStatus.pending,
            attempts,
            skipped=batch.skipped,
        )
        content = await self._messages(batch)
        if isinstance(content, str):
            result.status, result.error = BatchStatus.failed, content
            await self.recorder.settle(result)
            return
        if not batch.user_ids:  # everyone in it has blocked the account since the ledger was written
            result.status = BatchStatus.sent
            await self.recorder.settle(result)
            return
        parsed, unit = content
        failures = 0
        while True:
            if self.stopping or batch.announcement_id in self._paused:
                result.attempts = attempts
                await self.recorder.settle(result)
                return
            if batch.first_attempt_at and utcnow() - batch.first_attempt_at > RETRY_KEY_WINDOW:
                result.status, result.error = BatchStatus.failed, messages.RETRY_KEY_EXPIRED
                self.done.batches_failed += 1
                await self.recorder.settle(result)
                return
            await self.limiter.acquire()
            async with self._semaphore:
                started = utcnow()
                batch.first_attempt_at = batch.first_attempt_at or started
                answer = await send_multicast(api, batch.user_ids, parsed, batch.retry_key, unit)
            attempts += 1
            self.done.requests += 1
            self.recorder.attempt(batch, attempts, started, answer)
            result.attempts = attempts
            outcome = answer.outcome
            if outcome.delivered:
                result.status, result.line_request_id = BatchStatus.sent, answer.request_id
                self.done.batches_sent += 1
                self.done.recipients += len(batch.user_ids)
                batch.user_ids = []
                self.recorder.settle_later(result)
                return
            if outcome is Outcome.rejected:
                result.status, result.error = (
                    BatchStatus.failed,
                    answer.message or f"HTTP {answer.http_status}",
                )
                self.done.batches_failed += 1
                batch.user_ids = []
                self.recorder.settle_later(result)
                return
            if outcome is Outcome.quota_exhausted:
                if batch.announcement_id not in self._paused:
                    self._paused.add(batch.announcement_id)
                    self.recorder.pause(
                        QuotaPause(batch.announcement_id, messages.quota_pause(answer.message))
                    )
                result.error = answer.message
                await self.recorder.settle(result)
                return
            failures += 1
            if outcome is Outcome.rate_limited:
                self.limiter.slow_down()
            delay = backoff(failures)
            if failures >= RETRIES_PER_CLAIM:
                # LINE has been failing for a while: hand the batch back and let it wait without a lease.
                result.error = answer.message
                result.next_attempt_at = utcnow() + timedelta(seconds=delay)
                await self.recorder.settle(result)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _write_results(self, work: Callable[[Session], None]) -> None:
        await self._db(work, executor=self._record_executor)

    def _wake_up(self) -> None:
        self._wake.set()

    # --- writing the rest of ledgers ---------------------------------------------------------------------

    async def _ledgers(self) -> None:
        """Write unfinished ledgers chunk by chunk, waking the sending loop after each one."""
        while True:
            try:
                written = await self._db(
                    ledger.continue_ledger,
                    self.recipients_for,
                    ledger.CHUNK,
                    LEDGER_LEAD,
                    executor=self._ledger_executor,
                )
            except OperationalError as error:
                log.warning("could not write the ledger yet: %s", error.orig)
                await asyncio.sleep(LEDGER_RETRY_S)
                continue
            except Exception:  # one announcement whose audience cannot be read must not stop the others
                log.exception("could not write the next part of a ledger")
                await asyncio.sleep(LEDGER_RETRY_S)
                continue
            if written is None:
                await asyncio.sleep(IDLE_POLL_S)
                continue
            self._wake.set()

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                await self._beat()
            except OperationalError as error:
                log.warning("heartbeat failed: %s", error.orig)

    async def _beat(self) -> None:
        """Beat, and take this worker's share of the channel's rate among the workers holding batches."""
        sharing = await self._db(
            claims.heartbeat, self.id, self.hostname, STALE, executor=self._beat_executor
        )
        self.limiter.set_rate(self.settings.multicast_rate / max(1, sharing))


async def run_worker(
    settings: Settings,
    *,
    until_idle: bool,
    worker_id: str | None = None,
    messages_for: MessagesFor | None = None,
    recipients_for: Recipients | None = None,
    progress: Callable[[str], None] | None = None,
    handle_signals: bool = False,
) -> Progress:
    """Run a delivery worker (async); with until_idle it returns when nothing is left to send."""
    worker = Worker(
        settings,
        until_idle=until_idle,
        worker_id=worker_id,
        messages_for=messages_for,
        recipients_for=recipients_for,
        progress=progress,
    )
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
    return await worker.run()
