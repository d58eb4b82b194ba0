"""The five delivery benchmarks (issue 5, item 6), through `boktor sim` at LINE's limits with 40 ms latency.

    python benchmarks/delivery_bench.py --engine sqlite --which a,b,c,d,e [--members 300000]

a  one announcement to every member: wall time from "send" (the ledger written and committed) to every batch
   accepted by LINE, as a ratio to the bound of batches / 200 per second (also without the ledger's time:
   sending_ratio); the worker's peak RSS (VmHWM), the worker already running as in production
b  5% of requests failing each way (500, dropped connection, accepted-then-lost): duplicates, missing
c  the worker killed with SIGKILL at random moments 10 times during a send, restarted each time
d  three workers on one PostgreSQL (skipped on SQLite, where one worker is the design)
e  the monthly quota running out halfway: paused with the reason, resumed when raised

Duplicates and missing come from the simulator's own record (GET /_sim/stats), never from Boktor's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import tempfile
import time
from pathlib import Path

from delivery_common import (
    WorkerProcess,
    announcement_state,
    live_workers,
    pending_batches,
    resume,
    seed_members,
    send,
    simulator,
    wait_until,
)
from delivery_common import database as make_database
from machine import command_cpu_seconds, cpu_seconds, machine

LINE_RATE = 200.0
BATCH = 500
ROWS: list[dict] = []


def report(scenario: str, engine: str, **figures) -> None:
    ROWS.append({"scenario": scenario, "engine": engine, **figures})
    shown = ", ".join(f"{k}={v}" for k, v in figures.items())
    print(f"  {scenario} [{engine}] {shown}", flush=True)


def sim_outcome(sim, members: int) -> dict:
    stats = sim.client.stats()
    return {
        "duplicates": stats["duplicates"],
        "missing": members - stats["recipients"],
        "requests": stats["requests"].get("multicast", 0),
        "faults": sum(stats["faults"].values()),
        "rate_limited": stats["rate_limited"],
        "conflicts_409": stats["retry_key_conflicts"],
    }


def accepted(sim) -> int:
    return sim.client.stats()["accepted"].get("multicast", 0)


def bench_a(engine: str, url: str, sim, members: int, workdir: Path) -> None:
    batches = -(-members // BATCH)
    bound = batches / LINE_RATE
    worker = WorkerProcess(url, sim, workdir)
    wait_until(lambda: live_workers(url) >= 1, 120, 0.05, "the worker to start")
    sim.client.reset()

    # Where the two cores go during the send: the worker, the simulator, the database server (PostgreSQL).
    def cpu() -> tuple[float, float, float]:
        return (
            cpu_seconds(worker.process.pid),
            cpu_seconds(sim.process.pid),
            command_cpu_seconds("postgres"),
        )

    cpu_before = cpu()
    started = time.monotonic()
    announcement_id = send(url, "a: one announcement")
    ledger = time.monotonic() - started
    first = wait_until(lambda: accepted(sim) >= 1, 600, 0.01, "the first batch accepted")
    done = wait_until(lambda: accepted(sim) >= batches, 600, 0.02, "every batch accepted")
    cpu_used = [round(after - before, 2) for before, after in zip(cpu_before, cpu(), strict=True)]
    recorded = wait_until(lambda: pending_batches(url, announcement_id) == 0, 120, 0.05, "the ledger")
    peak = worker.peak_rss_mb()
    worker.terminate()
    wall = done - started
    report(
        "a",
        engine,
        wall_s=round(wall, 2),
        ledger_s=round(ledger, 2),
        bound_s=round(bound, 2),
        ratio=round(wall / bound, 3),
        sending_ratio=round((wall - ledger) / bound, 3),
        first_accept_s=round(first - started - ledger, 2),
        recorded_s=round(recorded - started, 2),
        peak_rss_mb=round(peak, 1),
        cpu_worker_s=cpu_used[0],
        cpu_sim_s=cpu_used[1],
        cpu_db_s=cpu_used[2],
        **sim_outcome(sim, members),
    )


def bench_b(engine: str, url: str, sim, members: int, workdir: Path) -> None:
    sim.client.reset()
    sim.client.set_faults(error_rate=0.05, drop_rate=0.05, lost_rate=0.05)
    started = time.monotonic()
    send(url, "b: 5% failing each way")
    worker = WorkerProcess(url, sim, workdir, "--until-idle")
    code = worker.wait(900)
    report("b", engine, exit=code, wall_s=round(time.monotonic() - started, 2), **sim_outcome(sim, members))
    sim.client.set_faults(error_rate=0, drop_rate=0, lost_rate=0)


def bench_c(engine: str, url: str, sim, members: int, workdir: Path, kills: int = 10, seed: int = 7) -> None:
    dice = random.Random(seed)
    sim.client.reset()
    started = time.monotonic()
    announcement_id = send(url, "c: killed and restarted")
    done_kills = 0
    for _ in range(kills):
        before = accepted(sim)
        worker = WorkerProcess(url, sim, workdir)
        # Kill at a random moment once this worker is sending (a few to a few dozen requests in).
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda before=before: accepted(sim) > before or pending_batches(url, announcement_id) == 0,
                120,
                0.005,
            )
        time.sleep(dice.uniform(0.0, 0.2))
        worker.kill()
        if pending_batches(url, announcement_id) == 0:
            break
        done_kills += 1
    final = WorkerProcess(url, sim, workdir, "--until-idle")
    code = final.wait(900)
    state, _ = announcement_state(url, announcement_id)
    report(
        "c",
        engine,
        kills=done_kills,
        exit=code,
        status=state,
        wall_s=round(time.monotonic() - started, 2),
        **sim_outcome(sim, members),
    )


def bench_d(engine: str, url: str, sim, members: int, workdir: Path) -> None:
    if engine != "postgresql":
        report("d", engine, skipped="several workers are for PostgreSQL")
        return
    batches = -(-members // BATCH)
    sim.client.reset()
    workers = [WorkerProcess(url, sim, workdir) for _ in range(3)]
    wait_until(lambda: live_workers(url) >= 3, 120, 0.05, "three workers")
    time.sleep(1.5)  # let every worker see the others and take its third of the rate
    started = time.monotonic()
    announcement_id = send(url, "d: three workers")
    done = wait_until(lambda: accepted(sim) >= batches, 600, 0.02, "every batch accepted")
    wait_until(lambda: pending_batches(url, announcement_id) == 0, 120, 0.05, "the ledger")
    for worker in workers:
        worker.terminate()
    shares = [int((re.findall(r"batches sent: (\d+)", w.stderr()) or ["0"])[-1]) for w in workers]
    report(
        "d",
        engine,
        wall_s=round(done - started, 2),
        ratio=round((done - started) / (batches / LINE_RATE), 3),
        batches_per_worker="/".join(map(str, shares)),
        **sim_outcome(sim, members),
    )


def bench_e(engine: str, url: str, sim, members: int, workdir: Path) -> None:
    sim.client.reset()
    sim.client.set_quota(members // 2, used=0)
    started = time.monotonic()
    announcement_id = send(url, "e: quota runs out")
    first = WorkerProcess(url, sim, workdir, "--until-idle")
    first_exit = first.wait(900)
    state, reason = announcement_state(url, announcement_id)
    paused_at = sim.client.stats()["recipients"]
    sim.client.set_quota(members * 10)
    resume(url, announcement_id)
    second = WorkerProcess(url, sim, workdir, "--until-idle")
    second_exit = second.wait(900)
    final, _ = announcement_state(url, announcement_id)
    report(
        "e",
        engine,
        exits=f"{first_exit}/{second_exit}",
        paused=state,
        reached_before_pause=paused_at,
        reason=repr(reason),
        final=final,
        wall_s=round(time.monotonic() - started, 2),
        **sim_outcome(sim, members),
    )
    sim.client.set_quota(None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--which", default="a,b,c,d,e")
    parser.add_argument("--members", type=int, default=300_000)
    args = parser.parse_args()
    which = [w.strip() for w in args.which.split(",") if w.strip()]
    print(
        f"machine: {machine()}; engine {args.engine}; {args.members:,} members; workers: boktor worker",
        flush=True,
    )
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="boktor-bench-") as tmp:
        workdir = Path(tmp)
        with make_database(args.engine, workdir) as url:
            print(f"  seeded {args.members:,} members in {seed_members(url, args.members):.1f} s", flush=True)
            started = time.monotonic()
            with simulator(args.members, workdir) as sim:
                print(f"  simulator with {args.members:,} phones ready in {time.monotonic() - started:.1f} s")
                for name in which:
                    globals()[f"bench_{name}"](args.engine, url, sim, args.members, workdir)
    print(f"load average after: {os.getloadavg()}")
    print()
    keys: list[str] = []
    for row in ROWS:
        keys += [k for k in row if k not in keys]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in ROWS:
        print("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")


if __name__ == "__main__":
    main()
