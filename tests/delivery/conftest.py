"""A simulator of phones that follow the account, shared by a module and cleared before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sim.simkit import RunningSim, start_sim

PHONES = 1200


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[RunningSim]:
    with start_sim(users=PHONES, users_state="friend", seed=11, no_limits=True) as running:
        yield running


@pytest.fixture
def sim(shared_sim: RunningSim) -> RunningSim:
    """The shared simulator with no deliveries, keys or faults yet, and every phone a friend again."""
    shared_sim.client.reset(settings=True)
    return shared_sim


@pytest.fixture(scope="module")
def phones(shared_sim: RunningSim) -> list[str]:
    """The LINE user IDs of the simulator's phones."""
    return shared_sim.client.user_ids()
