"""`boktor serve` and `boktor demo`: running the web application."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import typer
import uvicorn

from boktor.cli.common import console, fail
from boktor.config import DEMO_SIM_PORT, MissingSetting, get_settings
from boktor.survey.links import SURVEY_PATH


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
) -> None:
    """Serve the web application: LINE webhook, survey pages, console and JSON API."""
    from boktor.app import create_app

    settings = get_settings()
    try:
        settings.require_line_channel()
    except MissingSetting as error:
        fail(str(error))
    app = create_app(settings)
    calm_pauses()
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def calm_pauses() -> None:
    """Fewer, shorter pauses for a long-running server: of the garbage collector, and of threads for the GIL.

    Everything imported at start-up lives for the whole process, so it is moved out of the collector's way
    (gc.freeze), and the youngest generation is collected less often. Pauses were the slowest 1 % of webhook
    answers: p99 273 -> 150 ms at 2,300 events/s (BENCHMARKS.md).
    The webhook's inbox writer thread and the event loop hand the GIL back and forth several times per batch
    (the database releases it); at Python's default of 5 ms per hand-over a batch took 14 ms of wall time for
    3 ms of CPU. At 0.5 ms, 2,000 events/s offered on the shared machine: p50 98-177 -> 27-33 ms, p90
    236-316 -> 70-127 ms, for ~14 % more server CPU.
    """
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    sys.setswitchinterval(0.0005)


def demo(
    host: str = typer.Option("127.0.0.1", help="Address for Boktor and the simulator."),
    port: int = typer.Option(8080, help="Boktor's port."),
    sim_port: int = typer.Option(DEMO_SIM_PORT, help="The LINE simulator's port."),
    database: Path = typer.Option(Path("boktor-demo.db"), help="The demo's SQLite file."),
    fresh: bool = typer.Option(False, help="Start from an empty demo database."),
) -> None:
    """Start Boktor with embedded defaults: SQLite, the built-in LINE simulator and demo data."""
    from boktor import demo as demo_data
    from boktor.app import create_app
    from boktor.db import transaction
    from boktor.line.richmenu import RichMenuError
    from boktor.line.richmenu import install as install_rich_menu
    from boktor.line.richmenu_image import NoThaiFont
    from boktor.migrations import upgrade

    database = database.resolve()
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        BOKTOR_MODE="demo",
        BOKTOR_DATABASE_URL=f"sqlite:///{database}",
        LINE_API_BASE_URL=f"http://{host}:{sim_port}",
        BOKTOR_PUBLIC_URL=f"http://{host}:{port}",
    )
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    phones_file = database.with_suffix(".phones.json")
    with transaction(settings.database_url) as session:
        summary = demo_data.seed(session, settings, phones_file)

    simulator = _start_simulator(host, sim_port, settings, f"http://{host}:{port}/line/webhook", phones_file)
    try:
        asyncio.run(install_rich_menu(settings))
    except (NoThaiFont, RichMenuError) as error:  # the demo is still worth seeing without the menu
        console.print(f"[yellow]The rich menu was not installed:[/] {error}")
    lines = [
        f"Boktor (health, API):        http://{host}:{port}/healthz  ·  http://{host}:{port}/api/docs",
        f"LINE simulator, the phones:  http://{host}:{sim_port}/",
        f"Demo database (SQLite):      {database}",
        "",
        *summary,
        "",
        *demo_data.walkthrough(f"http://{host}:{port}", f"http://{host}:{sim_port}"),
        "  Environment for those commands:",
        f"    export BOKTOR_MODE=demo BOKTOR_DATABASE_URL={settings.database_url}"
        f" LINE_API_BASE_URL={settings.line_api_base_url} BOKTOR_PUBLIC_URL={settings.public_url}",
    ]
    console.rule("บอกต่อ · Boktor demo is running (Ctrl+C to stop)")
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    console.rule()
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
    finally:
        if simulator is not None:
            simulator.terminate()
            simulator.wait(timeout=10)


def _start_simulator(host: str, port: int, settings, webhook_url: str, phones_file: Path):
    """Start `boktor sim` beside the demo and wait until it answers."""
    command = [
        sys.executable, "-m", "boktor.sim", "--host", host, "--port", str(port),
        "--channel-secret", settings.line_channel_secret, "--access-token", settings.line_channel_access_token,
        "--login-channel-id", settings.line_login_channel_id, "--webhook-url", webhook_url,
        "--users-file", str(phones_file), "--liff-endpoint", f"{settings.public_url}{SURVEY_PATH}",
    ]  # fmt: skip
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{host}:{port}/_sim/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.terminate()
    fail(f"The LINE simulator did not start on {host}:{port} (is the port in use?).")
