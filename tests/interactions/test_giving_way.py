"""The processor in the webhook's own process takes one row at a time while LINE is posting (real simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from boktor.db import engine_for, transaction, write_turn
from boktor.interactions import inbox
from boktor.interactions.models import InboxEvent
from boktor.interactions.processor import InboxProcessor
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


@pytest.mark.parametrize("webhook_busy", [True, False], ids=["webhook-busy", "webhook-quiet"])
async def test_rows_go_one_at_a_time_only_while_the_webhook_is_busy(line: Line, webhook_busy: bool) -> None:
    users = [line.phone(f"สมาชิก {number}", state="friend") for number in range(6)]
    store_follows(line.settings.database_url, users)

    processor = CountingProcessor(line.settings, webhook_busy=lambda: webhook_busy)
    await processor.run(until_idle=True)

    assert processor.handled == 6
    if webhook_busy:
        assert processor.most_in_hand == 1
    else:
        assert processor.most_in_hand == 6  # six members, each on their own
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


async def test_a_worker_process_sees_the_webhook_busy_while_the_inbox_grows(line: Line) -> None:
    processor = InboxProcessor(line.settings, sweep_seconds=0.2, watch_inbox=True)
    running = asyncio.create_task(processor.run())
    try:
        await asyncio.sleep(0.3)
        assert processor.webhook_busy is not None and not processor.webhook_busy()
        store_follows(line.settings.database_url, [line.phone(state="friend")])  # as a web process would
        await eventually(processor.webhook_busy)
        await eventually(lambda: not processor.webhook_busy())  # nothing more came in
        await eventually(lambda: processor.handled == 1)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
