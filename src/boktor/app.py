"""The web application: LINE webhook, LIFF survey pages, admin and JSON API."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.gzip import GZipMiddleware

from boktor import __version__
from boktor.config import Settings, get_settings
from boktor.db import engine_for

# Each feature's routes module exposes `router`, and may expose `async def background(app)`, a long-running
# task started with the application (e.g. the webhook inbox processor), and `middleware`, ASGI middleware
# classes for paths too hot for the whole stack (LINE's webhook).
FEATURE_ROUTES = (
    "boktor.interactions.routes",
    "boktor.survey.routes",
    "boktor.members.routes",
    "boktor.reports.routes",
    "boktor.announcements.routes",
    "boktor.delivery.routes",
)


def create_app(settings: Settings | None = None, *, background: bool = True) -> FastAPI:
    """The ASGI application for `settings` (the environment's when None)."""
    settings = settings or get_settings()
    modules = [importlib.import_module(name) for name in FEATURE_ROUTES]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if background:
            for module in modules:
                if hasattr(module, "background"):
                    tasks.append(asyncio.create_task(module.background(app), name=module.__name__))
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    app = FastAPI(title="Boktor", version=__version__, lifespan=lifespan, docs_url="/api/docs")
    app.state.settings = settings
    # Members open pages over slow mobile connections: compress what is worth compressing.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.mount("/static", StaticFiles(directory=str(files("boktor").joinpath("static"))), name="static")

    @app.get("/healthz", tags=["operations"])
    def health() -> dict:
        """Liveness and database reachability, for load balancers and operators."""
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"ok": True, "version": __version__, "mode": settings.mode.value}

    for module in modules:
        app.include_router(module.router)
        for middleware in getattr(module, "middleware", ()):
            app.add_middleware(middleware)  # added last, so it runs before compression and routing
    return app
