"""The simulator as one aiohttp application, and ways to run it: in the foreground or in a thread."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
import threading
from typing import Any

from aiohttp import web

from boktor.sim.api import MessagingApi
from boktor.sim.control import ControlApi
from boktor.sim.faults import Faults
from boktor.sim.ids import IdMaker
from boktor.sim.liff import IdTokens
from boktor.sim.page import Page
from boktor.sim.richmenu import RichMenus
from boktor.sim.settings import SimSettings
from boktor.sim.state import SimState
from boktor.sim.validation import BODY_BYTES_MAX, MessageValidator, preload_sdk
from boktor.sim.webhooks import Webhooks

log = logging.getLogger("boktor.sim")
STATE_KEY: web.AppKey[SimState] = web.AppKey("state", SimState)
READY_LINE = "BOKTOR-SIM READY"


def create_app(settings: SimSettings) -> web.Application:
    """Build the simulator application: Messaging API, LIFF verify, control API and the Thai page."""
    ids = IdMaker(settings.seed)
    state = SimState(settings, ids)
    if settings.users_file:
        state.load_phones(settings.users_file, settings.users_state)
    for _ in range(settings.users):
        state.add_phone(state=settings.users_state)
    faults = Faults(
        ids.random,
        settings.latency_ms,
        settings.jitter_ms,
        settings.error_rate,
        settings.drop_rate,
        settings.lost_rate,
    )
    webhooks = Webhooks(state)
    id_tokens = IdTokens(state)
    messaging = MessagingApi(state, faults, MessageValidator())
    control = ControlApi(state, faults, webhooks, id_tokens, settings)
    # LINE answers 413 itself above 2 MB, so let bodies a little larger than that reach the handlers.
    app = web.Application(client_max_size=BODY_BYTES_MAX + 1024 * 1024)
    app[STATE_KEY] = state
    app.add_routes(messaging.routes())
    app.add_routes(RichMenus(state).routes(messaging.guard))
    app.add_routes([web.post("/oauth2/v2.1/verify", id_tokens.verify)])
    app.add_routes(control.routes())
    app.add_routes(Page(state, control.actions).routes())

    async def lifecycle(app: web.Application) -> Any:
        await webhooks.start()
        preload_sdk()
        yield
        await webhooks.close()

    app.cleanup_ctx.append(lifecycle)
    return app


async def serve(
    settings: SimSettings,
    ready: threading.Event | None = None,
    stop: asyncio.Event | None = None,
    bound: list[int] | None = None,
) -> None:
    """Serve until `stop` is set (or forever); report the bound port through `bound` and `ready`."""
    runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    # Millions of inbox entries are long-lived: keep the cyclic collector from rescanning them on every burst.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    if bound is not None:
        bound.append(port)
    if ready is not None:
        ready.set()
    print(f"{READY_LINE} http://{settings.host}:{port}", flush=True)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()


def run(settings: SimSettings) -> None:
    """Run in the foreground until SIGINT or SIGTERM, on uvloop when it is installed."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop=stop)

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


class SimThread:
    """The simulator on a free port in a background thread of this process (for in-process tests)."""

    def __init__(self, settings: SimSettings | None = None) -> None:
        self.settings = settings or SimSettings(port=0)
        self._ready = threading.Event()
        self._bound: list[int] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="boktor-sim", daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:43210."""
        return f"http://{self.settings.host}:{self._bound[0]}"

    def start(self) -> SimThread:
        """Start and wait until the simulator listens."""
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("simulator did not start")
        return self

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._loop.run_until_complete(serve(self.settings, self._ready, self._stop, self._bound))

    def stop(self) -> None:
        """Stop the simulator and wait for its thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> SimThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
