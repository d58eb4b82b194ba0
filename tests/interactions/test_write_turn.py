"""`serve` and `boktor worker` on one SQLite file take turns to write instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from boktor.db import write_turn
from boktor.interactions import inbox
from boktor.line.webhook import parse_events
from boktor.migrations import upgrade

# Another process (the worker) writes inside its turn for half a second; prints when it holds SQLite's write
# lock, and the time just before it gives the turn back.
HOLDER = """
import sys, time
from boktor.db import engine_for, write_turn
from boktor.interactions import inbox
from boktor.line.webhook import parse_events
url, body = sys.argv[1], sys.argv[2].encode()
with write_turn(url), engine_for(url).begin() as connection:
    inbox.store_events(connection, parse_events(body))
    print("holding", flush=True)
    time.sleep(0.5)
    released = time.time()
print(released, flush=True)
"""


def follow(event_id: str) -> bytes:
    return (
        '{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":1,'
        f'"source":{{"type":"user","userId":"U{event_id}"}},"webhookEventId":"{event_id}",'
        '"deliveryContext":{"isRedelivery":false},"replyToken":"t"}]}'
    ).encode()


def test_a_writer_waits_for_another_processs_turn_and_never_meets_sqlites_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    upgrade(url)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, follow("01WORKER").decode()], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        # No busy handler at all: meeting SQLite's lock fails at once instead of sleeping.
        impatient = create_engine(url, connect_args={"timeout": 0})
        with pytest.raises(OperationalError, match="locked"), impatient.begin() as connection:
            inbox.store_events(connection, parse_events(follow("01TOOSOON")))
        with write_turn(url), impatient.begin() as connection:
            entered = time.time()
            assert inbox.store_events(connection, parse_events(follow("01WEBHOOK"))) == 1
        released = float(holder.stdout.readline())
        assert holder.wait(10) == 0
    finally:
        holder.kill()
    assert entered >= released
    with impatient.connect() as connection:
        stored = connection.exec_driver_sql("SELECT webhook_event_id FROM inbox_events ORDER BY id").scalars()
        assert list(stored) == ["01WORKER", "01WEBHOOK"]
    impatient.dispose()
