"""What the delivery benchmarks share: a database of members, a simulator of their phones, worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.sim.simkit import RunningSim, start_sim  # noqa: E402

from boktor.announcements.models import Announcement, AnnouncementStatus  # noqa: E402
from boktor.announcements.recipients import recipients_for  # noqa: E402
from boktor.db import engine_for, refresh_statistics, transaction, utcnow  # noqa: E402
from boktor.delivery.ledger import start_delivery  # noqa: E402
from boktor.delivery.models import Batch, BatchStatus, DeliveryWorker  # noqa: E402
from boktor.members.models import Member, MemberStatus  # noqa: E402
from boktor.migrations import upgrade  # noqa: E402

POSTGRES_URL = os.environ.get(
    "BOKTOR_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def user_id(number: int) -> str:
    """The LINE user ID of phone number `number` (valid for LINE's pattern U + 32 hex digits)."""
    return f"U{number:032x}"


@contextmanager
def database(engine: str, workdir: Path) -> Iterator[str]:
    """A fresh, migrated database on `engine` (dropped afterwards on PostgreSQL)."""
    if engine == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade(url)
        yield url
        engine_for(url).dispose()
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"boktor_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed_members(url: str, count: int) -> float:
    """`count` followers, one per phone, inserted in bulk; return the seconds it took."""
    started = time.perf_counter()
    now = utcnow()
    chunk = 20_000
    with transaction(url) as session:
        for first in range(0, count, chunk):
            session.execute(
                insert(Member),
                [
                    {
                        "line_user_id": user_id(n),
                        "status": MemberStatus.follower,
                        "joined_via": "search",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(first, min(count, first + chunk))
                ],
            )
        # As `boktor members import` does after a bulk load (and autovacuum would do soon after).
        refresh_statistics(session, "members")
    return time.perf_counter() - started


def phones_file(count: int, workdir: Path) -> Path:
    """A CSV of `count` phones that follow the account, for `boktor sim --users-file`."""
    path = workdir / "phones.csv"
    with path.open("w") as out:
        out.write("userId,displayName,state\n")
        for n in range(count):
            out.write(f"{user_id(n)},สมาชิก {n},friend\n")
    return path


def simulator(count: int, workdir: Path, **options) -> RunningSim:
    """`boktor sim` with `count` friends at LINE's limits (multicast 200/s) and 40 ms added latency."""
    return start_sim(
        timeout=120, users_file=str(phones_file(count, workdir)), latency_ms=40, seed=1, **options
    )


def send(url: str, title: str) -> int:
    """What `boktor announce send` does: the ledger for every follower, and the announcement sending."""
    with transaction(url) as session:
        announcement = Announcement(
            title=title,
            body="ขอให้ทุกท่านรับทราบและบอกต่อประชาชนในพื้นที่",
            category="news",
            status=AnnouncementStatus.sending,
            started_at=utcnow(),
        )
        session.add(announcement)
        session.flush()
        # Everyone who follows (the empty audience); the worker writes the rest of the ledger while it sends.
        start_delivery(session, announcement, "announcement", recipients_for)
        return announcement.id


def resume(url: str, announcement_id: int) -> None:
    """What `boktor announce resume` does."""
    with transaction(url) as session:
        session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id)
            .values(status=AnnouncementStatus.sending, pause_reason=None)
        )


def announcement_state(url: str, announcement_id: int) -> tuple[str, str | None]:
    with transaction(url) as session:
        found = session.get(Announcement, announcement_id)
        return found.status, found.pause_reason


def pending_batches(url: str, announcement_id: int) -> int:
    with transaction(url) as session:
        return session.scalar(
            select(func.count())
            .select_from(Batch)
            .where(Batch.announcement_id == announcement_id, Batch.status == BatchStatus.pending)
        )


def live_workers(url: str) -> int:
    with transaction(url) as session:
        return session.scalar(select(func.count()).select_from(DeliveryWorker))


WORKER_COMMAND = ["-m", "boktor.cli", "worker"]  # `boktor worker`, as an operator starts it


class WorkerProcess:
    """A `boktor worker` process, with its stderr kept in a file."""

    def __init__(self, url: str, sim: RunningSim, workdir: Path, *args: str) -> None:
        env = sim.boktor_environment(url)
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (kept open for the life of the process)
            "w+", prefix="worker-", suffix=".log", dir=workdir, delete=False
        )
        self.process = subprocess.Popen(
            [sys.executable, *WORKER_COMMAND, *args],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stderr(self) -> str:
        return Path(self.log.name).read_text()

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def terminate(self, timeout: float = 60) -> int:
        self.process.terminate()
        return self.process.wait(timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


def wait_until(predicate, timeout: float, poll: float = 0.01, what: str = "condition") -> float:
    """Poll until `predicate()` is true; return the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(poll)
    return time.monotonic()
