"""The processor in the webhook's own process takes one row at a time while LINE is posting (real simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from boktor.db import engine_for, transaction, write_turn
from boktor.interactions import inbox
from boktor.interactions.models import InboxEvent
from boktor.interactions.processor import BURST_EVENTS_PER_SECOND, InboxProcessor
from boktor.line.webhook import parse_events
from tests.interactions.harness import Line


class CountingProcessor(InboxProcessor):
    """The real processor, noting how many rows it had in hand at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_hand = 0
        self.most_in_hand = 0

    async def handle_row(self, row_id: int, event: dict[str, Any]) -> None:
        self.in_hand += 1
        self.most_in_hand = max(self.most_in_hand, self.in_hand)
        try:
            await super().handle_row(row_id, event)
        finally:
            self.in_hand -= 1


def store_follows(database_url: str, users: list[str]) -> None:
    now_ms = int(time.time() * 1000)
    body = orjson.dumps(
        {
            "destination": "Ubot",
            "events": [
                {
                    "type": "follow",
                    "mode": "active",
                    "timestamp": now_ms,
                    "source": {"type": "user", "userId": user},
                    "webhookEventId": f"01GIVEWAY{number:04d}{user[-8:]}",
                    "deliveryContext": {"isRedelivery": False},
                    "replyToken": f"token-{number}",
                    "follow": {"isUnblocked": False},
                }
                for number, user in enumerate(users)
            ],
        }
    )
    with write_turn(database_url), engine_for(database_url).begin() as connection:
        assert inbox.store_events(connection, parse_events(body)) == len(users)


@pytest.mark.parametrize("events_per_second", [500.0, 50.0], ids=["burst", "steady-chat"])
async def test_rows_go_one_at_a_time_only_in_a_burst_of_webhooks(
    line: Line, events_per_second: float
) -> None:
    users = [line.phone(f"สมาชิก {number}", state="friend") for number in range(6)]
    store_follows(line.settings.database_url, users)

    processor = CountingProcessor(line.settings, webhook_rate=lambda: events_per_second)
    await processor.run(until_idle=True)

    assert processor.handled == 6
    if events_per_second >= BURST_EVENTS_PER_SECOND:
        assert processor.most_in_hand == 1
    else:
        assert processor.most_in_hand == 6  # six members, each on their own, at full speed
    with transaction(line.settings.database_url) as session:
        done = session.scalar(
            select(func.count()).select_from(InboxEvent).where(InboxEvent.status == inbox.DONE)
        )
    assert done == 6


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_worker_process_sees_a_burst_as_the_inbox_growing_fast(line: Line) -> None:
    processor = InboxProcessor(line.settings, sweep_seconds=0.2, watch_inbox=True)
    running = asyncio.create_task(processor.run())
    try:
        await asyncio.sleep(0.3)
        store_follows(line.settings.database_url, ["U" + secrets.token_hex(16)])  # one member joins
        await asyncio.sleep(0.3)
        assert not processor.webhook_busy()
        # As web processes store a burst: 60 events within one look of the watcher (0.1 s).
        store_follows(line.settings.database_url, ["U" + secrets.token_hex(16) for _ in range(60)])
        await eventually(processor.webhook_busy)
        await eventually(lambda: not processor.webhook_busy())  # nothing more came in
        await eventually(lambda: processor.handled == 61, timeout=30)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
