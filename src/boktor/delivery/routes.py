"""HTTP side of delivery: the embedded worker that runs inside `boktor serve`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI

from boktor.delivery.worker import Worker

log = logging.getLogger(__name__)
router = APIRouter()


async def background(app: FastAPI) -> None:
    """Run the delivery worker inside the web process when settings.embedded_worker is on (SQLite default)."""
    settings = app.state.settings
    if not settings.embedded_worker:
        return
    worker = Worker(settings, progress=None)
    app.state.delivery_worker = worker
    try:
        await worker.run()
    except Exception:
        log.exception("the embedded delivery worker stopped")
        raise
