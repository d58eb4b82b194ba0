"""Capacity of the LINE simulator: multicast requests of 500 recipients per second, limits lifted.

    python benchmarks/sim_capacity.py [--seconds 10] [--concurrency 32] [--client raw|sdk]

Starts `python -m boktor.sim --no-limits` with 300,000 friends on a free port, sends one whole
announcement (600 multicasts of 500 = 300,000 recipients), then multicasts for --seconds from a client
running beside it on the same machine, each request with its own X-Line-Retry-Key, and prints
requests/s, the ratio to 600/s (the target) and to LINE's own limit of 200/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import orjson
from machine import machine  # benchmarks/machine.py (scripts import their siblings)

ROOT = Path(__file__).resolve().parents[1]
TARGET = 600.0
LINE_LIMIT = 200.0
BATCH = 500
TOKEN = "bench-token"


def start_simulator(friends: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start the simulator as its own process and return it with its URL."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    )
    command = [
        sys.executable,
        "-m",
        "boktor.sim",
        "--port",
        "0",
        "--no-limits",
        "--users",
        str(friends),
        "--users-state",
        "friend",
        "--access-token",
        TOKEN,
        "--seed",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("BOKTOR-SIM READY "):
        process.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return process, line.split()[-1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_raw(
    url: str, bodies: list[bytes], seconds: float | None, concurrency: int
) -> tuple[int, float]:
    """Send pre-encoded multicasts with aiohttp; for `seconds`, or each body once if seconds is None."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    sent = 0
    next_body = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        stop = started + seconds if seconds else None

        async def worker() -> None:
            nonlocal sent, next_body
            while True:
                if stop is not None and time.perf_counter() >= stop:
                    return
                if stop is None and next_body >= len(bodies):
                    return
                body = bodies[next_body % len(bodies)]
                next_body += 1
                request_headers = {**headers, "X-Line-Retry-Key": str(uuid.uuid4())}
                async with session.post(
                    f"{url}/v2/bot/message/multicast", data=body, headers=request_headers
                ) as r:
                    await r.read()
                    if r.status != 200:
                        raise SystemExit(f"unexpected answer {r.status}: {await r.text()}")
                sent += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return sent, time.perf_counter() - started


async def run_sdk(url: str, batches: list[list[str]], seconds: float, concurrency: int) -> tuple[int, float]:
    """Send multicasts through line-bot-sdk's AsyncMessagingApi."""
    from linebot.v3.messaging import (
        AsyncApiClient,
        AsyncMessagingApi,
        Configuration,
        MulticastRequest,
        TextMessage,
    )

    requests = [
        MulticastRequest(to=batch, messages=[TextMessage(text=f"ประกาศทดสอบความจุ ชุดที่ {i}")])
        for i, batch in enumerate(batches)
    ]
    configuration = Configuration(host=url, access_token=TOKEN)
    configuration.connection_pool_maxsize = concurrency
    sent = 0
    async with AsyncApiClient(configuration) as client:
        api = AsyncMessagingApi(client)
        started = time.perf_counter()
        stop = started + seconds

        async def worker(offset: int) -> None:
            nonlocal sent
            i = offset
            while time.perf_counter() < stop:
                await api.multicast_with_http_info(
                    requests[i % len(requests)], x_line_retry_key=str(uuid.uuid4())
                )
                sent += 1
                i += concurrency

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        return sent, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--friends", type=int, default=300_000)
    parser.add_argument("--client", choices=("raw", "sdk"), default="raw")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        uvloop = None
    process, url = start_simulator(args.friends)
    try:
        started = time.perf_counter()
        with _Http(url) as http:
            users = http.get("/_sim/users", limit=args.friends, state="friend")["users"]
        ids = [u["userId"] for u in users]
        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        bodies = [
            orjson.dumps({"to": b, "messages": [{"type": "text", "text": f"ประกาศทดสอบความจุ ชุดที่ {i}"}]})
            for i, b in enumerate(batches)
        ]
        print(
            f"simulator: {url} with {len(ids):,} friends (ready in {time.perf_counter() - started:.1f} s), "
            f"RSS {rss_mb(process.pid):.0f} MB"
        )
        runner = uvloop.run if uvloop else asyncio.run
        sent, elapsed = runner(run_raw(url, bodies, None, args.concurrency))
        print(f"one announcement: {sent} multicasts = {sent * BATCH:,} recipients in {elapsed:.2f} s")
        if args.client == "raw":
            sent, elapsed = runner(run_raw(url, bodies, args.seconds, args.concurrency))
        else:
            sent, elapsed = runner(run_sdk(url, batches, args.seconds, args.concurrency))
        rate = sent / elapsed
        with _Http(url) as http:
            stats = http.get("/_sim/stats")
        print(f"client: {args.client}, concurrency {args.concurrency}, {elapsed:.1f} s")
        print(f"multicast requests/s: {rate:,.0f}  ({rate * BATCH:,.0f} recipients/s)")
        print(
            f"ratio to the 600/s target: {rate / TARGET:.2f}x   ratio to LINE's 200/s: {rate / LINE_LIMIT:.2f}x"
        )
        print(
            f"simulator recorded {stats['deliveries']:,} deliveries to {stats['recipients']:,} phones, "
            f"RSS {rss_mb(process.pid):.0f} MB"
        )
        print(f"machine: {machine()}")
    finally:
        process.terminate()
        process.wait(10)


class _Http:
    """A tiny synchronous JSON getter for the control API."""

    def __init__(self, url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=url, timeout=60)

    def get(self, path: str, **params: object) -> dict:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def __enter__(self) -> _Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()


if __name__ == "__main__":
    main()
