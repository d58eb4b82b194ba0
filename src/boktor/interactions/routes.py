"""`POST /line/webhook`: check LINE's signature, store the events in the inbox, answer 200, handle after."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from boktor.config import Settings
from boktor.interactions.ingest import InboxWriter
from boktor.interactions.processor import InboxProcessor
from boktor.line.webhook import MAX_BODY_BYTES, MalformedWebhook, parse_events, signature_is_valid

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/line/webhook"
JSON = "application/json"

router = APIRouter()


def _answer(status: int, message: str) -> Response:
    return Response(f'{{"message":"{message}"}}', status_code=status, media_type=JSON)


class BodyTooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # a lying or absent Content-Length (chunked upload)
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _writer(app: FastAPI) -> InboxWriter:
    writer: InboxWriter | None = getattr(app.state, "inbox_writer", None)
    if writer is None:
        writer = app.state.inbox_writer = InboxWriter(app.state.settings.database_url)
    return writer


async def line_webhook(request: Request) -> Response:
    """Receive LINE's webhook: 401 unsigned, 400 malformed, 413 oversized, else store then 200."""
    settings: Settings = request.app.state.settings
    try:
        body = await _read_body(request)
    except BodyTooLarge:
        return _answer(413, "Request body too large")
    if not signature_is_valid(settings.line_channel_secret, body, request.headers.get("x-line-signature")):
        return _answer(401, "Invalid signature")
    try:
        events = parse_events(body)
    except MalformedWebhook as error:
        return _answer(400, f"Malformed webhook: {error}".replace('"', "'"))
    if events:
        # LINE gets its 200 only once the events are committed (grouped with concurrent requests').
        stored = await _writer(request.app).store(events)
        processor: InboxProcessor | None = getattr(request.app.state, "inbox_processor", None)
        if stored and processor is not None:
            processor.notify()
    return Response(b"{}", media_type=JSON)


# A plain Starlette route: the webhook is the hottest path and needs no FastAPI validation layer.
router.add_route(WEBHOOK_PATH, line_webhook, methods=["POST"], include_in_schema=False)


class WebhookFastPath:
    """ASGI middleware that answers LINE's webhook before the rest of the stack (compression, routing).

    LINE posts every event of every member here; skipping the layers it does not need took ingest from about
    1,750 to 2,900 events per second on one core (BENCHMARKS.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == WEBHOOK_PATH:
            response = await line_webhook(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


middleware = [WebhookFastPath]


async def background(app: FastAPI) -> None:
    """Run the inbox processor for as long as the application runs, when this process is also the worker."""
    if not app.state.settings.embedded_worker:
        return  # `boktor worker` processes handle the inbox, so web processes only take LINE's events in
    # Same process, same event loop: while LINE is posting, the processor takes one row at a time.
    processor = InboxProcessor(app.state.settings, webhook_rate=lambda: _writer(app).events_per_second())
    app.state.inbox_processor = processor
    try:
        await processor.run()
    finally:
        writer: InboxWriter | None = getattr(app.state, "inbox_writer", None)
        if writer is not None:
            writer.close()
