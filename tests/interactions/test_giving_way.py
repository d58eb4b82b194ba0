"""The processor in the webhook's own process takes one row at a time while LINE is posting (real simulator)."""

from __future__ import annotations

import time
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
