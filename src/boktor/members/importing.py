"""Importing members from CSV or Excel: validate every row, keep the good ones, upsert in bulk."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, String, bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.members.models import JoinedVia, Member, MemberStatus, MemberTopic
from boktor.members.profile_fields import (
    NAME_COLUMNS,
    PROFILE_COLUMNS,
    ProfileResolver,
    RowProblems,
    person_name,
)
from boktor.members.tabular import Row, Table
from boktor.org.catalogue import Catalogue

LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
CHUNK_SIZE = 5000

# Column titles the import understands (Thai or English); see the README's import section.
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "line_user_id": ("LINE user ID", "userId", "user_id", "line_id", "LINE ID", "ไลน์ไอดี", "รหัสผู้ใช้ LINE"),
    "display_name": ("ชื่อที่แสดง", "ชื่อในไลน์", "ชื่อ LINE", "display name", "displayName"),
    **NAME_COLUMNS,
    **PROFILE_COLUMNS,
    "topics": ("ข้อมูลที่ต้องการ", "ประเด็นที่สนใจ", "หัวข้อที่สนใจ", "information needs", "topic"),
    "status": ("สถานะ", "status"),
    "joined_at": ("วันที่เข้าร่วม", "joined", "followed_at", "joined at"),
}

_STATUS = {
    "follower": MemberStatus.follower,
    "ติดตาม": MemberStatus.follower,
    "เป็นเพื่อน": MemberStatus.follower,
    "blocked": MemberStatus.blocked,
    "บล็อก": MemberStatus.blocked,
    "บล็อค": MemberStatus.blocked,
    "เลิกติดตาม": MemberStatus.blocked,
    "imported": MemberStatus.imported,  # as exported, for a round trip
}
_TOPIC_SEPARATORS = re.compile(r"\s*[,;،、]\s*")
_THAI_DATE = re.compile(
    r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?(?:\s*น\.?)?$"
)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_TEXT_LIMIT = 200
BANGKOK = ZoneInfo("Asia/Bangkok")


@dataclass(frozen=True)
class BadRow:
    """One problem in one row: the line it is on, the column, and what is wrong, in plain words."""

    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did: members added and updated, rows refused (with reasons), rows skipped."""

    imported: int = 0
    updated: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def bad_row_count(self) -> int:
        return len({bad.line for bad in self.bad_rows})

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "bad_rows": [{"line": b.line, "column": b.column, "message": b.message} for b in self.bad_rows],
        }


@lru_cache(maxsize=8192)
def parse_joined_at(text: str) -> datetime:
    """A date or time as written in Thailand or ISO 8601 ("15/01/2568", "2025-01-15 10:30"); Bangkok if no zone."""
    text = text.strip().translate(_THAI_DIGITS)
    match = _THAI_DATE.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            if year > 2400:
                year -= 543  # Buddhist Era, as Thai offices write dates
            moment = datetime(year, month, day, hour, minute, second)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"{text!r} is not a date (write 15/01/2568, 15/01/2025 or 2025-01-15, optionally with a time)"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BANGKOK)
    return moment


class MemberRows:
    """Turns rows of a member file into member values, noting each problem by line and column."""

    def __init__(self, session: Session) -> None:
        self.catalogue = Catalogue(session)
        self.profile = ProfileResolver(self.catalogue)
        self.seen: dict[str, int] = {}
        self._topics: dict[str, tuple[list[str], list[str]]] = {}

    def topics(self, text: str, problems: RowProblems) -> list[str]:
        """Topic codes from "นโยบายสำคัญ; urgent" (codes or Thai names, separated by , or ;)."""
        if text not in self._topics:
            codes: list[str] = []
            unknown: list[str] = []
            for part in _TOPIC_SEPARATORS.split(text):
                topic = self.catalogue.find(self.catalogue.topics, part) if part else None
                if part and topic is None:
                    unknown.append(part)
                elif topic is not None and topic.code not in codes:
                    codes.append(topic.code)
            self._topics[text] = (codes, unknown)
        codes, unknown = self._topics[text]
        for part in unknown:
            problems.add("topics", f"unknown information topic {part!r}")
        return codes

    def values(self, row: Row, problems: RowProblems) -> dict[str, Any] | None:
        """The member's columns from `row` (only those the row gives), or None if the row is bad."""
        get = row.values.get
        user_id = get("line_user_id", "")
        if not user_id:
            problems.add("line_user_id", "no LINE user ID")
        elif not LINE_USER_ID.match(user_id):
            problems.add(
                "line_user_id",
                f"wrong LINE user ID format {user_id[:40]!r}: it is U followed by 32 characters 0-9 a-f",
            )
        elif user_id in self.seen:
            problems.add("line_user_id", f"duplicate: the same LINE user ID is on line {self.seen[user_id]}")
        values: dict[str, Any] = {"line_user_id": user_id}
        for name in ("display_name",):
            if text := get(name, ""):
                values[name] = _limited(text, name, problems)
        full_name = person_name(row)
        if full_name:
            values["full_name"] = _limited(full_name, "full_name", problems)
        values.update(self.profile.resolve(row, problems))
        if text := get("topics", ""):
            values["topics"] = self.topics(text, problems)
        if text := get("status", ""):
            status = _STATUS.get(text.casefold())
            if status is None:
                problems.add("status", f"unknown status {text!r}: write follower or blocked")
            values["status"] = status
        if text := get("joined_at", ""):
            try:
                values["followed_at"] = parse_joined_at(text)
            except ValueError as error:
                problems.add("joined_at", str(error))
        if problems:
            return None
        self.seen[user_id] = row.line
        return values


def _limited(text: str, column: str, problems: RowProblems) -> str:
    if len(text) > _TEXT_LIMIT:
        problems.add(column, f"longer than {_TEXT_LIMIT} characters")
    return text


class MemberImport:
    """One run of the member import: rows in, members upserted by LINE user ID in chunks."""

    def __init__(self, session: Session, *, chunk_size: int = CHUNK_SIZE, write: bool = True) -> None:
        self.session = session
        self.rows = MemberRows(session)
        self.chunk_size = chunk_size
        self.write = write
        self.report = ImportReport()
        self._empty_at_start: bool | None = None
        if write and session.get_bind().dialect.name == "sqlite":
            # Inserting 300,000 rows touches a dozen indexes; a larger page cache keeps them in memory.
            session.connection().exec_driver_sql("PRAGMA cache_size=-65536")
            # Fewer, larger checkpoints: each one waits for the disk (fsync); durability is unchanged.
            session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint=10000")

    def run(
        self,
        table: Table,
        *,
        after_chunk: Callable[[], None] = lambda: None,
        progress: Callable[[int, int | None], None] = lambda done, total: None,
    ) -> ImportReport:
        """Read every row of `table`; after each chunk is written, call `after_chunk` (the caller commits)."""
        # One thread writes a chunk while this one reads and checks the next (the database driver
        # lets go of the GIL while it works); only the writer touches the session meanwhile.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-import") as writer:
            pending: Future[None] | None = None

            def flush(chunk: list[dict[str, Any]]) -> Future[None]:
                if pending is not None:
                    pending.result()  # one chunk in flight at most; re-raises the writer's errors
                    progress(*table.progress())
                return writer.submit(self._write_chunk, chunk, after_chunk)

            chunk: list[dict[str, Any]] = []
            for row in table:
                problems = RowProblems(row.line)
                values = self.rows.values(row, problems)
                if values is None:
                    self.report.bad_rows.extend(BadRow(row.line, c, m) for c, m in problems.items)
                    continue
                chunk.append(values)
                if len(chunk) >= self.chunk_size:
                    pending = flush(chunk)
                    chunk = []
            pending = flush(chunk)
            pending.result()
        progress(*table.progress())
        self.report.skipped = dict(table.skipped)
        return self.report

    def _write_chunk(self, chunk: list[dict[str, Any]], after_chunk: Callable[[], None]) -> None:
        self._write(chunk)
        after_chunk()

    def _member_ids(self, line_user_ids: list[str], *, fresh: bool = False) -> dict[str, int]:
        """Ids of the members among `line_user_ids` that exist, in one query with one parameter."""
        if self._empty_at_start and not fresh:
            return {}  # a first import: nobody exists yet but the rows this run wrote (never repeated)
        column = Member.__table__.c.line_user_id
        if self.session.get_bind().dialect.name == "sqlite":
            # An IN list of 5,000 parameters costs more to build than to run; json_each takes one.
            wanted = column.in_(select(text("value")).select_from(func.json_each(json.dumps(line_user_ids))))
        else:
            wanted = column == func.any(bindparam("ids", line_user_ids, type_=ARRAY(String)))
        return dict(self.session.execute(select(column, Member.__table__.c.id).where(wanted)).all())

    def _write(self, chunk: list[dict[str, Any]]) -> None:
        if not chunk or not self.write:
            return
        if self._empty_at_start is None:
            self._empty_at_start = self.session.scalar(select(Member.id).limit(1)) is None
        existing = self._member_ids([values["line_user_id"] for values in chunk])
        now = utcnow()
        new = [values for values in chunk if values["line_user_id"] not in existing]
        old = [values for values in chunk if values["line_user_id"] in existing]
        inserted = self._insert_new(new, now) if new else 0
        racing = len(new) - inserted
        updated = len(old) + racing
        if racing:
            # Some "new" members appeared meanwhile (they followed during the import): update them too.
            self._empty_at_start = False
            existing.update(self._member_ids([values["line_user_id"] for values in new]))
            old = [*old, *new]
        if old:
            self._update_old(old, existing, now)
        self._write_topics(chunk, existing, replace=bool(old))
        self.report.imported += inserted
        self.report.updated += updated

    def _write_topics(self, chunk: list[dict[str, Any]], ids: dict[str, int], *, replace: bool) -> None:
        """Replace the topics of the members whose rows give some (ids: of those that existed before)."""
        given = [values for values in chunk if "topics" in values]
        if not given:
            return
        if replace:
            old_ids = [ids[v["line_user_id"]] for v in given if v["line_user_id"] in ids]
            self.session.execute(delete(MemberTopic).where(MemberTopic.member_id.in_(old_ids)))
        pairs = [(code, values["line_user_id"]) for values in given for code in values["topics"]]
        if not pairs:
            return
        # The database finds each member's id by its unique LINE user ID: no round trip to fetch ids.
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "INSERT INTO member_topics (member_id, topic_code) SELECT id, ? FROM members WHERE line_user_id = ?",
                pairs,
            )
        else:
            # PostgreSQL: fetch the new members' ids in one query, then plain rows (measured fastest).
            missing = list({user_id for _code, user_id in pairs if user_id not in ids})
            ids = {**ids, **self._member_ids(missing, fresh=True)} if missing else ids
            connection.exec_driver_sql(
                "INSERT INTO member_topics (member_id, topic_code) VALUES (%s, %s)",
                [(ids[user_id], code) for code, user_id in pairs],
            )

    def _insert_new(self, new: list[dict[str, Any]], now: datetime) -> int:
        """Insert new members with the driver's executemany: SQLAlchemy's per-row work cost a third more."""
        connection = self.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        columns = (*_MEMBER_COLUMNS, "line_user_id", "status", "joined_via", "created_at", "updated_at")
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        # A member who follows the account while the file is being imported is already there: keep them.
        statement = (
            f"INSERT INTO members ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
            "ON CONFLICT (line_user_id) DO NOTHING"
        )
        stamp = _stored_time(now, sqlite)
        result = connection.exec_driver_sql(
            statement,
            [
                (
                    *(values.get(name) for name in _MEMBER_COLUMNS[:-1]),
                    _stored_time(values.get("followed_at"), sqlite),
                    values["line_user_id"],
                    values.get("status") or MemberStatus.follower.value,
                    JoinedVia.imported.value,
                    stamp,
                    stamp,
                )
                for values in new
            ],
        )
        # Drivers that cannot count an executemany say -1: then nothing conflicted that we know of.
        return result.rowcount if result.rowcount >= 0 else len(new)

    def _update_old(self, old: list[dict[str, Any]], ids: dict[str, int], now: datetime) -> None:
        """Update existing members with what their rows give; one executemany per set of given columns."""
        connection = self.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        stamp = _stored_time(now, sqlite)
        for columns, group in _by_columns(old).items():
            assignments = ", ".join(f"{name} = {mark}" for name in (*columns, "updated_at"))
            connection.exec_driver_sql(
                f"UPDATE members SET {assignments} WHERE id = {mark}",
                [
                    (
                        *(_stored_time(v[c], sqlite) if c == "followed_at" else v[c] for c in columns),
                        stamp,
                        ids[v["line_user_id"]],
                    )
                    for v in group
                ],
            )


# Member columns an import may set, in insert order (followed_at last: it is converted on the way).
_MEMBER_COLUMNS = (
    "display_name", "full_name", "organisation_id", "personnel_type_id", "position_id", "position_text",
    "province_code", "district_code", "subdistrict_code", "village_no", "phone", "followed_at",
)  # fmt: skip


def _stored_time(moment: datetime | None, sqlite: bool) -> datetime | str | None:
    """A timestamp as UTCDateTime stores it: UTC text on SQLite (SQLAlchemy's format), aware elsewhere."""
    if moment is None or not sqlite:
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _by_columns(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Rows grouped by which member columns they give, so that each group is one bulk UPDATE."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in rows:
        columns = tuple(name for name in (*_MEMBER_COLUMNS, "status") if name in values)
        groups.setdefault(columns, []).append(values)
    return groups
