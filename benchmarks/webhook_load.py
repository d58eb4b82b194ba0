"""A lean HTTP/1.1 load generator for the webhook benchmark: prepared requests on raw asyncio connections.

The load generator shares the two cores with the server it measures, so every microsecond it spends per request
is taken from the server. aiohttp's client costs a few hundred µs of CPU per request; this one writes each
prepared request (real headers, real signed body) as bytes on a kept-alive connection and reads back only the
status line, Content-Length and body of the answer. aiohttp's client stays for comparison (`offer(client="aiohttp")`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import aiohttp
import uvloop

SignedBody = tuple[bytes, str]  # a webhook body and its x-line-signature


def http_post(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 POST request as bytes on the wire."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Results:
    """Latency of every answered request (s), failures (non-200 or lost), and the load's wall time (s)."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    wall: float = 0.0


class Connection(asyncio.Protocol):
    """One kept-alive connection carrying one request at a time."""

    def __init__(self, load: _Load) -> None:
        self.load = load
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.since: float | None = None  # when the request in flight was due (open loop) or sent (closed)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCP transport is not a subclass

    def send(self, request: bytes, since: float) -> None:
        if self.transport is None:  # the server closed this connection: the request counts as failed
            self.load.lost()
            return
        self.since = since
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        status_line, *header_lines = self.buffer[:head_end].split(b"\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        end = head_end + 4 + length
        if len(self.buffer) < end:
            return
        status = int(status_line[9:12])
        self.buffer = self.buffer[end:]
        since, self.since = self.since, None
        if since is not None:
            self.load.answered(self, time.perf_counter() - since, status == 200)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.since is not None:
            self.since = None
            self.load.lost()


class _Load:
    """What the connections report to: latencies, failures, and who takes the next request."""

    def __init__(self, total: int) -> None:
        self.results = Results()
        self.total = total
        self.finished = 0
        self.done = asyncio.get_running_loop().create_future()
        self.free: deque[Connection] = deque()
        self.backlog: deque[tuple[bytes, float]] = deque()  # open loop: due requests waiting for a connection
        self.closed_loop_requests: Iterator[bytes] | None = None

    def answered(self, connection: Connection, latency: float, ok: bool) -> None:
        self.results.latencies.append(latency)
        self.results.failures += not ok
        self._finish_one()
        self.next_for(connection)

    def lost(self) -> None:
        self.results.failures += 1
        self._finish_one()

    def _finish_one(self) -> None:
        self.finished += 1
        if self.finished == self.total and not self.done.done():
            self.done.set_result(None)

    def next_for(self, connection: Connection) -> None:
        if connection.transport is None:
            return
        if self.closed_loop_requests is not None:
            request = next(self.closed_loop_requests, None)
            if request is not None:
                connection.send(request, time.perf_counter())
        elif self.backlog:
            request, due = self.backlog.popleft()
            connection.send(request, due)
        else:
            self.free.append(connection)


async def _connect(load: _Load, host: str, port: int, connections: int) -> list[Connection]:
    loop = asyncio.get_running_loop()
    opened = await asyncio.gather(
        *(loop.create_connection(lambda: Connection(load), host, port) for _ in range(connections))
    )
    return [protocol for _, protocol in opened]


def _close(connections: list[Connection]) -> None:
    for connection in connections:
        if connection.transport is not None:
            connection.transport.close()


async def closed_loop(host: str, port: int, requests: list[bytes], connections: int) -> Results:
    """Keep `connections` requests in flight until all are answered; latency from each request's sending."""
    load = _Load(len(requests))
    opened = await _connect(load, host, port, min(connections, len(requests)))
    load.closed_loop_requests = iter(requests)
    started = time.perf_counter()
    for connection in opened:
        load.next_for(connection)
    await load.done
    load.results.wall = time.perf_counter() - started
    _close(opened)
    return load.results


async def open_loop(host: str, port: int, requests: list[bytes], rate: float, connections: int) -> Results:
    """Offer the requests at `rate` per second, as LINE sends, on up to `connections` at once.

    Latency counts from each request's due time, not from when a connection was free, so a slow server cannot
    hide its queue (coordinated omission); a request due while every connection is busy waits in a backlog.
    """
    load = _Load(len(requests))
    opened = await _connect(load, host, port, connections)
    load.free.extend(opened)
    started = time.perf_counter()
    for number, request in enumerate(requests):
        due = started + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if load.free:
            load.free.popleft().send(request, due)
        else:
            load.backlog.append((request, due))
    await load.done
    load.results.wall = time.perf_counter() - started
    _close(opened)
    return load.results


def offer(
    client: str,
    host: str,
    port: int,
    path: str,
    bodies: list[SignedBody],
    *,
    rate: float | None,
    connections: int,
) -> Results:
    """POST the signed bodies to `path`: at `rate` per second (open loop), else keeping `connections` busy.

    `client` is "raw" (this module's prepared requests, on uvloop) or "aiohttp" (its client, on asyncio).
    """
    if client == "raw":
        headers = {"Content-Type": "application/json"}
        requests = [
            http_post(host, port, path, body, {**headers, "X-Line-Signature": signature})
            for body, signature in bodies
        ]
        return uvloop.run(
            open_loop(host, port, requests, rate, connections)
            if rate
            else closed_loop(host, port, requests, connections)
        )
    url = f"http://{host}:{port}{path}"
    return asyncio.run(
        _aiohttp_open_loop(url, bodies, rate, connections)
        if rate
        else _aiohttp_closed_loop(url, bodies, connections)
    )


async def _aiohttp_post(session: aiohttp.ClientSession, url: str, body: bytes, signature: str) -> bool:
    """Post one signed webhook body; whether it was answered 200."""
    headers = {"content-type": "application/json", "x-line-signature": signature}
    try:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            return response.status == 200
    except aiohttp.ClientError:
        return False


def _aiohttp_session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    )


async def _aiohttp_closed_loop(url: str, bodies: list[SignedBody], connections: int) -> Results:
    """closed_loop with aiohttp's client: `connections` clients each posting the next body when answered."""
    results = Results()
    position = 0
    async with _aiohttp_session(connections) as session:

        async def client() -> None:
            nonlocal position
            while position < len(bodies):
                body, signature = bodies[position]
                position += 1
                started = time.perf_counter()
                ok = await _aiohttp_post(session, url, body, signature)
                results.latencies.append(time.perf_counter() - started)
                results.failures += not ok

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(connections)))
        results.wall = time.perf_counter() - started
    return results


async def _aiohttp_open_loop(url: str, bodies: list[SignedBody], rate: float, connections: int) -> Results:
    """open_loop with aiohttp's client: a body due every 1/rate s, latency from its due time."""
    results = Results()
    async with _aiohttp_session(connections) as session:

        async def post_when_due(body: bytes, signature: str, due: float) -> None:
            ok = await _aiohttp_post(session, url, body, signature)
            results.latencies.append(time.perf_counter() - due)
            results.failures += not ok

        started = time.perf_counter()
        tasks = []
        for number, (body, signature) in enumerate(bodies):
            due = started + number / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post_when_due(body, signature, due)))
        await asyncio.gather(*tasks)
        results.wall = time.perf_counter() - started
    return results
