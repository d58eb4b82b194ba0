"""Database engine, sessions and the base model; schema changes live in migrations/ (Alembic)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, TypeDecorator, create_engine, event, make_url, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored as UTC on both engines)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), dict: JSON, list: JSON}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the worker writes; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite tuned for one writer and many readers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


# SQLite has one writer at a time, and its busy handler sleeps in steps of up to 100 ms: a thread that writes
# again at once (a ledger written chunk after chunk) can starve the others. Threads of one process take turns
# on this lock instead, and a waiting thread is woken the moment the turn is free. Processes on the same file
# (`serve` and `boktor worker`) take turns on a lock file beside it: the webhook's writer slept 1-78 ms in the
# busy handler behind the worker's transactions, the slowest webhook answers.
_sqlite_writes = threading.Lock()
_turn_files: dict[tuple[int, str], int] = {}


def write_turn(url: str) -> AbstractContextManager[object]:
    """Hold the SQLite write turn for a transaction (no-op on PostgreSQL, which has row locks)."""
    if not url.startswith("sqlite"):
        return nullcontext()
    return _sqlite_write_turn(make_url(url).database or "")


@contextmanager
def _sqlite_write_turn(path: str) -> Iterator[None]:
    with _sqlite_writes:
        if not path or path == ":memory:":
            yield
            return
        key = (os.getpid(), path)  # a forked child must not share its parent's lock
        if key not in _turn_files:
            _turn_files[key] = os.open(f"{path}-turn", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(_turn_files[key], fcntl.LOCK_EX)  # released by the kernel if the process dies
        try:
            yield
        finally:
            fcntl.flock(_turn_files[key], fcntl.LOCK_UN)


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session for one unit of work at the edge (command, job): commit on success, roll back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def refresh_statistics(session: Session, *tables: str) -> None:
    """After a bulk load, let the query planner see the tables' new sizes now, not at autovacuum's next pass.

    Without it PostgreSQL plans for the empty table it last saw: a ledger chunk over freshly imported members
    took 57 ms instead of 4 ms.
    """
    for table in tables:
        session.execute(text(f'ANALYZE "{table}"'))


def load_all_models() -> None:
    """Import every feature's models so that Base.metadata knows all tables."""
    from boktor.accounts import models as _accounts  # noqa: F401
    from boktor.announcements import models as _announcements  # noqa: F401
    from boktor.audit import models as _audit  # noqa: F401
    from boktor.delivery import models as _delivery  # noqa: F401
    from boktor.interactions import models as _interactions  # noqa: F401
    from boktor.members import models as _members  # noqa: F401
    from boktor.org import models as _org  # noqa: F401
    from boktor.survey import models as _survey  # noqa: F401
