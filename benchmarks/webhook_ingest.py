"""Webhook ingest: signed follow events per second and latency against `boktor serve`, then the inbox drain.

    python benchmarks/webhook_ingest.py                      # SQLite, 20,000 events, 200 connections
    python benchmarks/webhook_ingest.py --database postgresql
    python benchmarks/webhook_ingest.py --events 50000 --connections 400

Starts the LINE simulator (the processor's profile and reply calls go there) and `boktor serve` as real
processes on loopback, posts realistic LINE bodies of one follow event each (unique webhookEventIds,
correct x-line-signature) from a lean load generator (benchmarks/webhook_load.py; `--client aiohttp` for
aiohttp's), and prints the figures, with how much CPU each process took during the load: everything runs on
the same cores. The goal is >= 2,000 events/s with p99 <= 100 ms on one process; the handling after the 200
may lag, and the script reports how long the processor takes to drain the inbox.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson
import webhook_load  # benchmarks/webhook_load.py (scripts import their siblings)
from machine import cpu_seconds, machine, machine_busy_seconds  # benchmarks/machine.py
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from boktor.interactions.models import InboxEvent
from boktor.line.webhook import signature_of
from boktor.migrations import upgrade

POSTGRES_ADMIN = os.environ.get(
    "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start")


def follow_body(user_id: str, now_ms: int, reply_token: str) -> bytes:
    """A body exactly as LINE sends one follow event."""
    event = {
        "type": "follow",
        "mode": "active",
        "timestamp": now_ms,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": "01J" + secrets.token_hex(12).upper()[:23],
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token,
        "follow": {"isUnblocked": False},
    }
    return orjson.dumps({"destination": "U" + "f" * 32, "events": [event]})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="offer this many events per second (open loop, up to --connections at once) instead of "
        "keeping --connections busy (closed loop)",
    )
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument(
        "--client",
        choices=["raw", "aiohttp"],
        default="raw",
        help="raw: prepared requests on asyncio connections (benchmarks/webhook_load.py, little CPU per "
        "request); aiohttp: aiohttp's client, which takes several times more of the cores the server needs",
    )
    parser.add_argument("--no-drain", action="store_true", help="Stop after the ingest figures.")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="the simulator adds this to every answer, as LINE's servers are some way off (the drain's profile "
        "and reply calls wait for it)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="run `boktor worker` at this lower CPU priority (`nice -n N boktor worker`; a deployment choice, "
        "e.g. systemd's Nice=): its answering is deferred work, the webhook's 200 is not",
    )
    parser.add_argument(
        "--topology",
        choices=["worker", "embedded", "none"],
        default="worker",
        help="worker: `boktor serve` takes events in and a `boktor worker` process answers them (production "
        "on PostgreSQL); embedded: serve does both (BOKTOR_EMBEDDED_WORKER, the SQLite default); none: "
        "nothing answers them (ingest alone, to see what the answering costs the webhook)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="boktor-bench-"))
    pg_name = None
    if args.database == "sqlite":
        database_url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        pg_name = f"boktor_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{pg_name}"'))
        database_url = make_url(POSTGRES_ADMIN).set(database=pg_name).render_as_string(hide_password=False)
    upgrade(database_url)

    total = args.events + args.warmup
    users = ["U" + secrets.token_hex(16) for _ in range(total)]
    users_file = workdir / "phones.json"
    users_file.write_text(json.dumps([{"userId": u, "displayName": f"ผู้ใช้ {n}"} for n, u in enumerate(users)]))

    sim_port, app_port = free_port(), free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    sim = subprocess.Popen(
        [sys.executable, "-m", "boktor.sim", "--port", str(sim_port), "--channel-secret", SECRET,
         "--access-token", TOKEN, "--users-file", str(users_file), "--users-state", "friend", "--no-limits",
         "--latency-ms", str(args.latency_ms)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    app_env = dict(
        env,
        BOKTOR_MODE="production",
        BOKTOR_DATABASE_URL=database_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE_URL=f"http://127.0.0.1:{sim_port}",
        BOKTOR_EMBEDDED_WORKER="1" if args.topology == "embedded" else "0",
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "boktor.cli", "serve", "--host", "127.0.0.1", "--port", str(app_port)],
        env=app_env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = None
    if args.topology == "worker":
        worker = subprocess.Popen(
            ["nice", "-n", str(args.worker_nice), sys.executable, "-m", "boktor.cli", "worker", "--quiet"],
            env=app_env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{sim_port}/_sim/health", sim, "the simulator")
        wait_http(f"http://127.0.0.1:{app_port}/healthz", app, "boktor serve")
        now_ms = int(time.time() * 1000)
        # Tokens the simulator issued, as LINE sends them with each event: the greetings are really replied.
        tokens = httpx.post(
            f"http://127.0.0.1:{sim_port}/_sim/reply-tokens", json={"userIds": users}, timeout=60
        ).json()["replyTokens"]
        bodies = [
            (b, signature_of(SECRET, b))
            for b in (follow_body(u, now_ms, token) for u, token in zip(users, tokens, strict=True))
        ]
        webhook = ("127.0.0.1", app_port, "/line/webhook")

        webhook_load.offer(
            "aiohttp", *webhook, bodies[: args.warmup], rate=None, connections=min(args.connections, 50)
        )
        processes = {"server": app.pid, "worker": worker and worker.pid, "simulator": sim.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items() if pid}
        generator_before, machine_before = time.process_time(), machine_busy_seconds()
        load_started = time.monotonic()
        results = webhook_load.offer(
            args.client, *webhook, bodies[args.warmup :], rate=args.rate, connections=args.connections
        )
        latencies, failures, wall = results.latencies, results.failures, results.wall
        load_ended = time.monotonic()
        cpu = {name: cpu_seconds(processes[name]) - before for name, before in cpu_before.items()}
        cpu["load generator"] = time.process_time() - generator_before
        machine_busy = machine_busy_seconds() - machine_before
        server_cpu = cpu["server"]

        engine = create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(InboxEvent))
        print(f"machine: {machine()}")
        print(
            f"database: {args.database}; {args.events} signed follow events, "
            f"{f'offered at {args.rate:,.0f}/s, ' if args.rate else ''}{args.connections} connections; "
            f"topology: {args.topology}{f' (worker at nice {args.worker_nice})' if worker else ''}"
        )
        print(f"ingest: {args.events / wall:,.0f} events/s over {wall:.2f} s; failures (non-200): {failures}")
        print(
            "latency: p50 {:.1f} ms, p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms".format(
                *(1000 * percentile(latencies, f) for f in (0.5, 0.9, 0.99)), 1000 * max(latencies)
            )
        )
        print(
            f"server CPU: {server_cpu:.1f} s during the load = {1e6 * server_cpu / args.events:.0f} µs per event "
            f"({'ingest and the processor together' if args.topology == 'embedded' else 'ingest only'}; "
            f"one core could take ~{args.events / server_cpu:,.0f} events/s)"
        )
        print(
            "CPU during the load, in cores: "
            + ", ".join(f"{name} {seconds / wall:.2f}" for name, seconds in cpu.items())
            + f", everything else on the machine {max(0.0, machine_busy - sum(cpu.values())) / wall:.2f} "
            f"(of {os.cpu_count()})"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work shares these cores)")
        print(f"inbox rows stored: {stored} (expected {total})")
        if not args.no_drain and args.topology != "none":
            while True:
                with engine.connect() as connection:
                    left = connection.scalar(
                        select(func.count())
                        .select_from(InboxEvent)
                        .where(InboxEvent.status.in_(["pending", "processing"]))
                    )
                if not left:
                    break
                time.sleep(0.2)
            drained = time.monotonic()
            with engine.connect() as connection:
                by_status = dict(
                    connection.execute(
                        select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
                    ).all()
                )
            print(
                f"processor: inbox drained {drained - load_started:.1f} s after the load began "
                f"({drained - load_ended:.1f} s after it ended; {args.events / (drained - load_started):,.0f} "
                f"events/s handled incl. profile + reply calls); rows by status: {by_status}"
            )
            with engine.connect() as connection:
                # What did not go as a plain reply: a reply token too old (pushed instead), LINE refusing, ...
                problems = dict(
                    connection.execute(
                        select(func.substr(InboxEvent.error, 1, 40), func.count())
                        .where(InboxEvent.error.is_not(None))
                        .group_by(func.substr(InboxEvent.error, 1, 40))
                    ).all()
                )
            print(f"processor: rows with a note: {problems or 'none'}")
        engine.dispose()
    finally:
        for process in (app, worker, sim):
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if pg_name:
            with create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
