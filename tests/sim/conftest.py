"""Fixtures for the simulator's own tests: one simulator shared by every test that can use it after a reset."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.sim.fixtures import sim, sim_factory  # noqa: F401  (also registered globally by the root conftest)
from tests.sim.simkit import RunningSim, start_sim

PHONES = 30


@pytest.fixture(scope="session")
def shared_sim() -> Iterator[RunningSim]:
    """A simulator with 30 friends, shared by the whole run; `running` resets it before each test."""
    with start_sim(
        users=PHONES, users_state="friend", seed=7, reply_token_ttl=2, webhook_retry_delays=""
    ) as running:
        yield running


@pytest.fixture
def running(shared_sim: RunningSim) -> RunningSim:
    """The shared simulator, cleared of deliveries, counters and keys, with start-up faults and limits."""
    shared_sim.client.reset(settings=True)
    return shared_sim


@pytest.fixture
def api(running: RunningSim) -> Iterator[httpx.Client]:
    """An HTTP client for the Messaging API with the channel access token."""
    with httpx.Client(base_url=running.url, headers=running.auth, timeout=10) as client:
        yield client


@pytest.fixture
def friends(running: RunningSim) -> list[str]:
    """User IDs of the shared simulator's phones that are friends right now."""
    return running.client.user_ids(state="friend")
