"""A LINE simulator whose webhook points at Boktor, and Boktor served on that port: fixtures for chat tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from boktor.config import Settings
from tests.apprunner import demo_settings, free_port, running_app
from tests.sim.fixtures import sim, sim_factory  # noqa: F401  (fixtures for tests that need a bare simulator)
from tests.sim.simkit import RunningSim, SimClient, start_sim


@dataclass
class Line:
    """The simulator (LINE and its phones) wired to a Boktor app port, and the settings Boktor runs with."""

    sim: RunningSim
    port: int
    settings: Settings

    @property
    def client(self) -> SimClient:
        return self.sim.client

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/line/webhook"

    def phone(self, name: str = "สมชาย ใจดี", state: str = "never-followed") -> str:
        """A new virtual phone (by default one that has never added the account); its user ID."""
        return self.client.create_users(users=[{"displayName": name, "state": state}])[0]["userId"]


@pytest.fixture(scope="module")
def webhook_sim() -> Iterator[tuple[RunningSim, int]]:
    """One simulator per module, posting webhooks to a port reserved for the Boktor app of each test."""
    port = free_port()
    with start_sim(
        users=0, no_limits=True, webhook_url=f"http://127.0.0.1:{port}/line/webhook", webhook_retry_delays=""
    ) as running:
        yield running, port


@pytest.fixture
def line(webhook_sim: tuple[RunningSim, int], database_url: str) -> Line:
    """The module's simulator, cleared, with Boktor's settings for this test's database."""
    running, port = webhook_sim
    running.client.reset()
    settings = demo_settings(
        database_url,
        LINE_API_BASE_URL=running.url,
        LINE_CHANNEL_SECRET=running.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=running.access_token,
        LINE_LOGIN_CHANNEL_ID=running.login_channel_id,
        BOKTOR_PUBLIC_URL="https://boktor.example.go.th",
        # One process does it all, as on SQLite by default: serve also handles the inbox (on both engines).
        BOKTOR_EMBEDDED_WORKER=True,
    )
    return Line(running, port, settings)


@pytest.fixture
def boktor(line: Line) -> Iterator[str]:
    """Boktor running (with its inbox processor) on the port the simulator posts webhooks to."""
    with running_app(line.settings, port=line.port) as url:
        yield url


def wait_until(check: Callable[[], object], timeout: float = 10.0) -> object:
    """Poll `check` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.05)
