"""Run Boktor's real web application on a free loopback port, for tests that speak HTTP to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from boktor.app import create_app
from boktor.config import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(settings: Settings, *, background: bool = True, port: int | None = None) -> Iterator[str]:
    """Serve create_app(settings) with uvicorn in a thread; yields the base URL, stops on exit.

    Pass `port` (from free_port()) when another party, such as the simulator, must know the address first.
    """
    port = port or free_port()
    config = uvicorn.Config(
        create_app(settings, background=background), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        server.should_exit = True
        raise RuntimeError("Boktor did not start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def demo_settings(database_url: str, **overrides) -> Settings:
    """Demo-mode settings on a test database (simulator values for the LINE channel)."""
    return Settings(_env_file=None, BOKTOR_MODE="demo", BOKTOR_DATABASE_URL=database_url, **overrides)
