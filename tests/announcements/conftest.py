"""Fixtures for the announcement tests: the LINE simulator, settings pointing Boktor at it, and the office's users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from boktor.config import Settings
from tests.announcements.helpers import add_user
from tests.apprunner import demo_settings
from tests.sim.fixtures import sim, sim_factory  # noqa: F401
from tests.sim.simkit import RunningSim, start_sim


@pytest.fixture(scope="module")
def module_sim() -> Iterator[RunningSim]:
    """One simulator per test module (no rate limits), reset before each test that uses `line`."""
    with start_sim(no_limits=True, users=0) as running:
        yield running


@pytest.fixture
def line(module_sim: RunningSim) -> RunningSim:
    """The module's simulator, cleared, with no monthly limit unless a test sets one."""
    module_sim.client.reset(settings=True)
    module_sim.client.set_quota(None)
    return module_sim


@pytest.fixture
def settings(database_url: str, line: RunningSim) -> Settings:
    """Boktor's settings on the test database, speaking to the simulator as LINE."""
    return demo_settings(
        database_url,
        LINE_API_BASE_URL=line.url,
        LINE_CHANNEL_ACCESS_TOKEN=line.access_token,
        LINE_CHANNEL_SECRET=line.channel_secret,
    )


@pytest.fixture
def people(session: Session) -> dict:
    """Communicators, approvers, and an operator, as `boktor users create` makes them."""
    return {
        "writer": add_user(session, "writer", "communicator"),
        "colleague": add_user(session, "colleague", "communicator"),
        "approver": add_user(session, "approver", "approver"),
        "both": add_user(session, "both", "communicator", "approver"),
        "operator": add_user(session, "operator", "operator"),
    }
