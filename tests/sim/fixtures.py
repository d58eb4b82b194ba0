"""Pytest fixtures for tests that need the LINE simulator: `sim` (fresh per test) and `sim_factory`.

Register with `pytest_plugins = ["tests.sim.fixtures"]`. Options for `sim` come from indirect
parametrisation, e.g. `@pytest.mark.parametrize("sim", [{"users": 3, "no_limits": True}], indirect=True)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.sim.simkit import RunningSim, start_sim


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., RunningSim]]:
    """Start simulators with any `boktor sim` options; all are stopped after the test."""
    started: list[RunningSim] = []

    def make(**options: Any) -> RunningSim:
        running = start_sim(**options)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture
def sim(request: pytest.FixtureRequest, sim_factory: Callable[..., RunningSim]) -> RunningSim:
    """A fresh simulator subprocess for this test (options from indirect parametrisation, if any)."""
    options = getattr(request, "param", None) or {}
    return sim_factory(**options)
