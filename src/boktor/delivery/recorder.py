"""Writing down what LINE answered: attempts, settled batches and quota pauses, committed every 50 ms.

The worker goes on sending while results wait here; a batch is marked sent only once its result is committed,
so a crash before that leaves it pending, and the retry with its stored key gets LINE's 409, not a second
delivery.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.delivery import claims
from boktor.delivery.claims import AttemptRecord, BatchResult, ClaimedBatch, QuotaPause
from boktor.delivery.models import BatchStatus
from boktor.line.multicast import MulticastResult

log = logging.getLogger(__name__)

RECORD_EVERY_S = 0.05

# Runs `work(session)` in one committed transaction off the event loop (the worker's, on its own thread).
Write = Callable[[Callable[[Session], None]], Awaitable[None]]


class Recorder:
    """Results waiting to be committed, and the loop that commits them."""

    def __init__(self, write: Write, written: Callable[[], None]) -> None:
        self.write = write
        self.written = written  # told after each commit (the worker looks for more work then)
        self.attempts: list[AttemptRecord] = []
        self.results: list[tuple[BatchResult, asyncio.Future[None]]] = []
        self.pauses: list[QuotaPause] = []
        self.flushing = 0  # results taken by a commit in progress

    @property
    def backlog(self) -> int:
        """Results not yet committed."""
        return len(self.results) + self.flushing

    def attempt(self, batch: ClaimedBatch, number: int, started: Any, answer: MulticastResult) -> None:
        self.attempts.append(
            AttemptRecord(
                batch.id,
                number,
                started,
                utcnow(),
                answer.outcome.value,
                answer.http_status,
                answer.request_id,
                answer.message,
            )
        )

    def pause(self, pause: QuotaPause) -> None:
        self.pauses.append(pause)

    def settle_later(self, result: BatchResult) -> asyncio.Future[None]:
        """Queue a batch's result; the future is done once it is committed, while sending goes on."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.results.append((result, done))
        return done

    async def settle(self, result: BatchResult) -> None:
        """Queue the batch's result and wait until it is committed."""
        await self.settle_later(result)

    async def run(self) -> None:
        """Commit what is queued every RECORD_EVERY_S until cancelled."""
        while True:
            await asyncio.sleep(RECORD_EVERY_S)
            try:
                await self.flush()
            except OperationalError as error:  # the database is busy or briefly away: keep and try again
                log.warning("could not record delivery results yet: %s", error.orig)
                await asyncio.sleep(1.0)

    async def flush(self) -> None:
        """Commit everything queued now (attempts, results, pauses) in one transaction."""
        if not (self.attempts or self.results or self.pauses):
            return
        attempts, self.attempts = self.attempts, []
        results, self.results = self.results, []
        pauses, self.pauses = self.pauses, []

        def write(session: Session) -> None:
            claims.record(session, attempts, [r for r, _ in results], pauses)
            if any(r.status != BatchStatus.pending for r, _ in results):
                claims.complete_finished(session)

        self.flushing = len(results)
        try:
            await self.write(write)
        except BaseException:
            self.attempts[:0], self.results[:0], self.pauses[:0] = attempts, results, pauses
            raise
        finally:
            self.flushing = 0
        for _, done in results:
            if not done.done():
                done.set_result(None)
        self.written()
