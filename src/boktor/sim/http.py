"""Small helpers for answering HTTP requests with JSON the way LINE does."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from boktor.sim.validation import BODY_BYTES_MAX, LineError


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Answer with a JSON body."""
    return web.Response(
        body=orjson.dumps(body), status=status, headers=headers, content_type="application/json"
    )


def error_response(error: LineError, extra_headers: dict[str, str] | None = None) -> web.Response:
    """Answer a LineError with its status, body and headers."""
    headers = dict(error.headers)
    if extra_headers:
        headers.update(extra_headers)
    return json_response(error.body, error.status, headers)


async def read_json(request: web.Request, limit: int = BODY_BYTES_MAX) -> Any:
    """Read a JSON body, answering 413 above LINE's 2 MB and 400 if it is not JSON."""
    if request.content_length is not None and request.content_length > limit:
        raise LineError(413, {"message": "Request Entity Too Large"})
    raw = await request.read()
    if len(raw) > limit:
        raise LineError(413, {"message": "Request Entity Too Large"})
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise LineError(
            400,
            {
                "message": "The request body has 1 error(s)",
                "details": [{"message": "Invalid JSON", "property": ""}],
            },
        ) from None


async def read_object(request: web.Request) -> dict[str, Any]:
    """Read a JSON object body (an empty body counts as {})."""
    if not request.can_read_body:
        return {}
    data = await read_json(request)
    if not isinstance(data, dict):
        raise LineError(400, {"message": "The request body must be a JSON object"})
    return data
