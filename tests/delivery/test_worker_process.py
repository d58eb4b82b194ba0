"""`boktor worker` as an operator runs it: exits when idle, stops cleanly, survives SIGKILL, shares PostgreSQL."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boktor.announcements.models import AnnouncementStatus
from boktor.db import transaction
from boktor.delivery.models import Batch, DeliveryWorker
from tests.delivery.helpers import add_members, announcement, ledger_statuses, send_to_followers
from tests.sim.simkit import RunningSim, start_sim


def start_worker(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "boktor.cli", "worker", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_deliveries(sim: RunningSim, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sim.client.stats()["deliveries"] < at_least:
        assert time.monotonic() < deadline, "the worker sent nothing in time"
        time.sleep(0.05)


@pytest.fixture
def slow_sim():
    """5,000 phones behind a slow LINE, so that a send takes long enough to interrupt."""
    with start_sim(users=5000, users_state="friend", seed=5, latency_ms=250, no_limits=True) as running:
        yield running


@pytest.fixture
def slow_members(database_url, slow_sim):
    phones = slow_sim.client.user_ids()
    with transaction(database_url) as session:
        add_members(session, phones)
    return phones


def test_until_idle_sends_everything_and_exits_zero(database_url, sim, phones, tmp_path):
    with transaction(database_url) as session:
        add_members(session, phones[:40])
    announcement_id = send_to_followers(database_url)

    done = subprocess.run(
        [sys.executable, "-m", "boktor.cli", "worker", "--until-idle"],
        cwd=tmp_path,
        env=sim.boktor_environment(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "Nothing left to send" in done.stderr
    assert sim.client.stats()["recipients"] == 40
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed


def test_sigterm_finishes_the_requests_in_flight_and_hands_the_rest_back(
    database_url, slow_sim, slow_members, tmp_path
):
    announcement_id = send_to_followers(database_url)
    env = slow_sim.boktor_environment(
        database_url, BOKTOR_MULTICAST_RATE="4", BOKTOR_MULTICAST_CONCURRENCY="2"
    )
    process = start_worker(tmp_path, env)
    wait_for_deliveries(slow_sim, 500)

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 0, stderr
    assert "Stopping" in stderr
    reached = slow_sim.client.stats()["recipients"]
    statuses = ledger_statuses(database_url, announcement_id)
    # What LINE took is recorded as sent; nobody is left claimed by the worker that stopped.
    assert statuses["sent"] == reached and statuses.get("pending", 0) == 5000 - reached > 0
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).where(Batch.claimed_by.is_not(None))) == 0
        assert session.scalar(select(func.count()).select_from(DeliveryWorker)) == 0
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.sending


def test_a_worker_killed_mid_send_and_restarted_skips_nobody_and_sends_nobody_twice(
    database_url, slow_sim, slow_members, tmp_path
):
    announcement_id = send_to_followers(database_url)
    env = slow_sim.boktor_environment(
        database_url, BOKTOR_MULTICAST_RATE="8", BOKTOR_MULTICAST_CONCURRENCY="3"
    )
    for kill in (1, 2):
        process = start_worker(tmp_path, env)
        wait_for_deliveries(slow_sim, 500 * (2 * kill - 1))
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    done = subprocess.run(
        [sys.executable, "-m", "boktor.cli", "worker", "--until-idle"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    stats = slow_sim.client.stats()
    assert stats["recipients"] == 5000
    assert stats["duplicates"] == 0
    assert ledger_statuses(database_url, announcement_id) == {"sent": 5000}
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed


@pytest.mark.engines("postgresql")  # several workers are a PostgreSQL set-up; SQLite has one by design
def test_two_workers_on_postgresql_share_the_batches(database_url, slow_sim, slow_members, tmp_path):
    env = slow_sim.boktor_environment(database_url, BOKTOR_MULTICAST_CONCURRENCY="1")
    workers = [start_worker(tmp_path, env) for _ in range(2)]
    deadline = time.monotonic() + 60
    while live_workers(database_url) < 2:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    announcement_id = send_to_followers(database_url)
    while announcement(database_url, announcement_id).status != AnnouncementStatus.completed:
        assert time.monotonic() < deadline + 60, "the workers did not finish"
        time.sleep(0.1)
    for process in workers:
        process.send_signal(signal.SIGTERM)
    outputs = [w.communicate(timeout=30) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    sent = [int(re.findall(r"batches sent: (\d+)", err)[-1]) for _, err in outputs]
    assert sum(sent) == 10 and min(sent) > 0
    stats = slow_sim.client.stats()
    assert stats["recipients"] == 5000 and stats["duplicates"] == 0
    assert ledger_statuses(database_url, announcement_id) == {"sent": 5000}


def live_workers(database_url: str) -> int:
    with transaction(database_url) as session:
        return session.scalar(select(func.count()).select_from(DeliveryWorker))
