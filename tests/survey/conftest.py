"""Fixtures for the survey: one LINE simulator per module (reset per test) and the app on a test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boktor.config import DEMO_ACCESS_TOKEN, DEMO_CHANNEL_SECRET, DEMO_LOGIN_CHANNEL_ID
from tests.apprunner import demo_settings, running_app
from tests.sim.simkit import RunningSim, start_sim

PHONES = 4


@pytest.fixture(scope="module")
def survey_sim() -> Iterator[RunningSim]:
    """A simulator whose phones are already friends of the account, with demo mode's credentials."""
    with start_sim(
        users=PHONES, users_state="friend", seed=4, channel_secret=DEMO_CHANNEL_SECRET,
        access_token=DEMO_ACCESS_TOKEN, login_channel_id=DEMO_LOGIN_CHANNEL_ID,
    ) as running:  # fmt: skip
        yield running


@pytest.fixture
def line(survey_sim: RunningSim) -> RunningSim:
    """The module's simulator with empty inboxes and counters."""
    survey_sim.client.reset()
    return survey_sim


@pytest.fixture
def app_url(line: RunningSim, database_url: str) -> Iterator[str]:
    """Boktor serving the test database in demo mode, speaking to the simulator."""
    with running_app(demo_settings(database_url, LINE_API_BASE_URL=line.url), background=False) as url:
        yield url
