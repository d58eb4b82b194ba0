"""Coverage report at the ministry's scale: 300,000 roster entries and 300,000 members, on SQLite and PostgreSQL.

    python benchmarks/coverage_report.py [--entries 300000] [--members 300000] [--engines sqlite,postgresql]

Seeds both tables with fast bulk inserts (spread over all 928 districts; 80 % of entries matched, most of
those following, many surveyed; 20 % of members on no roster), and what members did with announcements:
eight announcements (six sent in the last 30 days, two before), each to a random 60 % of the members, who
tap รับทราบ as their habit is (a quarter never, the rest 30 % or 80 % of the time), and the ledger of the
latest one. Then times the coverage queries (with "acknowledging") of a province, a district, an
organisation and the whole country, the missing list of a province as Excel, the JSON API once over HTTP,
and the report of who has not acknowledged the latest announcement. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from machine import machine  # benchmarks/machine.py (scripts import their siblings)
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from boktor.accounts.service import create_user, issue_token
from boktor.announcements.models import Acknowledgement, Announcement
from boktor.app import create_app
from boktor.config import Settings
from boktor.db import engine_for, session_factory, transaction, utcnow
from boktor.delivery.models import Delivery
from boktor.members.models import Member, Roster, RosterEntry
from boktor.migrations import upgrade
from boktor.org import areas
from boktor.org.catalogue import load_catalogue
from boktor.org.models import Organisation
from boktor.reports.acknowledgements import acknowledgements
from boktor.reports.coverage import coverage, missing_people
from boktor.reports.excel import acknowledgements_workbook, coverage_workbook
from boktor.reports.scope import resolve_scope

POSTGRES_URL = os.environ.get(
    "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CHUNK = 20_000
FIRST = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิไล", "บุญมี", "อำไพ", "สุรชัย", "มาลี", "ทองคำ", "จันทร์เพ็ญ"]
LAST = ["ใจดี", "ศรีสุข", "คำแสน", "อินทร์แก้ว", "ปัญญาดี", "ทองมา", "วงศ์ใหญ่", "แสงจันทร์"]
# When each announcement was sent (days ago): six inside the default 30-day window, two before it.
SENT_DAYS_AGO = (2, 5, 9, 14, 21, 27, 40, 75)
AUDIENCE_SHARE = 0.6
# How often a member taps รับทราบ: a quarter never do, the others 30 % or 80 % of the time.
HABITS = (0.0, 0.3, 0.8)
HABIT_WEIGHTS = (0.25, 0.35, 0.40)


def seed(url: str, entries: int, members: int) -> float:
    """Fill the database; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(300_000)
    places = [(s.province_code, s.district_code, s.code) for p in areas.provinces()
              for d in areas.districts(p.code) for s in areas.subdistricts(d.code)]  # fmt: skip
    with transaction(url) as session:
        load_catalogue(session)
        organisation_ids = list(session.scalars(select(Organisation.id)))
        roster_id = session.scalar(
            insert(Roster).values(name="ทั่วประเทศ", row_count=entries).returning(Roster.id)
        )
    now = utcnow()
    engine = engine_for(url)
    matched = int(entries * 0.8)
    member_rows: list[dict] = []
    entry_rows: list[dict] = []
    for number in range(max(entries, members)):
        province, district, subdistrict = rng.choice(places)
        organisation = rng.choice(organisation_ids)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}"
        if number < members:
            status = "blocked" if rng.random() < 0.05 else "follower"
            member_rows.append({
                "id": number + 1, "line_user_id": f"U{number:032x}", "status": status, "full_name": name,
                "province_code": province, "district_code": district, "subdistrict_code": subdistrict,
                "organisation_id": organisation, "joined_via": "search", "followed_at": now,
                "surveyed_at": now if rng.random() < 0.7 else None, "created_at": now, "updated_at": now,
            })  # fmt: skip
        if number < entries:
            member_id = number + 1 if number < matched and number < members else None
            entry_rows.append({
                "roster_id": roster_id, "line_no": number + 2, "full_name": f"นาย{name}",
                "name_key": name.replace(" ", ""), "province_code": province, "district_code": district,
                "subdistrict_code": subdistrict, "organisation_id": organisation,
                "phone": f"08{number:08d}", "member_id": member_id,
                "match_method": "phone" if member_id else None, "matched_at": now if member_id else None,
            })  # fmt: skip
        if len(entry_rows) >= CHUNK or len(member_rows) >= CHUNK:
            _flush(engine, member_rows, entry_rows)
    _flush(engine, member_rows, entry_rows)
    _seed_acknowledgements(engine, members, now)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('members_id_seq', (SELECT max(id) FROM members))"))
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _seed_acknowledgements(engine, members: int, now) -> None:
    """Announcements sent to members, their taps on รับทราบ, and the ledger of the latest announcement."""
    rng = random.Random(30)
    habits = rng.choices(HABITS, HABIT_WEIGHTS, k=members)
    with engine.begin() as connection:
        announcement_ids = [
            connection.execute(
                insert(Announcement).values(
                    title=f"ข้อสั่งการ {days} วันก่อน", body="ขอให้ทุกอำเภอดำเนินการ", category="directive",
                    audience={}, status="completed", started_at=now - timedelta(days=days),
                    completed_at=now - timedelta(days=days), ack_deadline=now - timedelta(days=days - 1),
                    created_at=now, updated_at=now,
                ).returning(Announcement.id)
            ).scalar_one()
            for days in SENT_DAYS_AGO
        ]  # fmt: skip
    latest = announcement_ids[0]
    acks: list[dict] = []
    ledger: list[dict] = []
    for announcement_id in announcement_ids:
        for number in range(members):
            if rng.random() >= AUDIENCE_SHARE:
                continue
            if announcement_id == latest:
                ledger.append({"announcement_id": latest, "purpose": "announcement", "member_id": number + 1,
                               "status": "sent"})  # fmt: skip
            if rng.random() < habits[number]:
                acks.append(
                    {"announcement_id": announcement_id, "member_id": number + 1, "kind": "ack", "at": now}
                )
            if len(acks) >= CHUNK or len(ledger) >= CHUNK:
                _insert(engine, Acknowledgement, acks)
                _insert(engine, Delivery, ledger)
    _insert(engine, Acknowledgement, acks)
    _insert(engine, Delivery, ledger)


def _insert(engine, model, rows: list[dict]) -> None:
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(model), rows)
    rows.clear()


def _flush(engine, member_rows: list[dict], entry_rows: list[dict]) -> None:
    with engine.begin() as connection:
        if member_rows:
            connection.execute(insert(Member), member_rows)
        if entry_rows:
            connection.execute(insert(RosterEntry), entry_rows)
    member_rows.clear()
    entry_rows.clear()


def timed(action: Callable[[], object], repeat: int = 5) -> tuple[float, float, float]:
    """(first run, median of the following runs, median CPU time of this process) in milliseconds.

    The CPU time shows what a query costs when the machine is shared: on SQLite the query runs in this
    process, so it is the query's own cost; on PostgreSQL the server's share is not in it.
    """
    times, cpu = [], []
    for _ in range(repeat + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times[0], statistics.median(times[1:]), statistics.median(cpu[1:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api_once(url: str) -> tuple[float, float, float]:
    """Time GET /api/coverage?province=57 over HTTP against the real application (first, median of 5)."""
    settings = Settings(_env_file=None, BOKTOR_MODE="demo", BOKTOR_DATABASE_URL=url)
    with transaction(url) as session:
        token = issue_token(create_user(session, f"bench{uuid.uuid4().hex[:6]}", ["office"]))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, background=False), port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:

            def call() -> None:
                response = client.get("/api/coverage", params={"province": "57"})
                response.raise_for_status()

            return timed(call)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run(engine_name: str, url: str, entries: int, members: int) -> None:
    upgrade(url)
    seconds = seed(url, entries, members)
    print(f"[{engine_name}] seeded {entries:,} roster entries and {members:,} members in {seconds:.1f} s")
    settings = Settings(_env_file=None, BOKTOR_MODE="demo", BOKTOR_DATABASE_URL=url)
    with session_factory(url)() as session:
        scopes = {
            "country (by province)": (resolve_scope(session), None),
            "country (by organisation)": (resolve_scope(session), "organisation"),
            "province 57 (by district)": (resolve_scope(session, "57"), None),
            "district 5709 (by subdistrict)": (resolve_scope(session, district="5709"), None),
            "organisation cdd (by province)": (resolve_scope(session, organisation="cdd"), None),
        }
        for label, (scope, by) in scopes.items():
            report = coverage(session, scope, by)
            first, median, cpu = timed(lambda scope=scope, by=by: coverage(session, scope, by))
            print(
                f"[{engine_name}] coverage {label}: first {first:.0f} ms, median {median:.0f} ms, "
                f"CPU {cpu:.0f} ms "
                f"(expected {report.total.expected:,}, joined {report.total.joined:,}, acknowledging "
                f"{report.total.acknowledging:,} = {report.total.acknowledging_pct}%)"
            )
        scope = resolve_scope(session, "57")
        started = time.perf_counter()
        missing = missing_people(session, scope)
        session.commit()
        invites_ms = (time.perf_counter() - started) * 1000
        first, median, cpu = timed(
            lambda: coverage_workbook(settings, coverage(session, scope), missing_people(session, scope)), 2
        )
        print(
            f"[{engine_name}] missing list of province 57: {len(missing):,} people, first run with new "
            f"personal invites {invites_ms:.0f} ms; coverage + list + Excel {median:.0f} ms"
        )
        latest = session.scalar(select(Announcement.id).order_by(Announcement.started_at.desc()).limit(1))
        for label, scope in {
            "country (by province)": resolve_scope(session),
            "province 57 (by district)": resolve_scope(session, "57"),
            "district 5709 (by subdistrict)": resolve_scope(session, district="5709"),
        }.items():
            report = acknowledgements(session, latest, scope)
            first, median, cpu = timed(lambda scope=scope: acknowledgements(session, latest, scope), 3)
            print(
                f"[{engine_name}] acknowledgements of the latest announcement, {label}: first {first:.0f} ms, "
                f"median {median:.0f} ms, CPU {cpu:.0f} ms (received {report.total.received:,}, "
                f"acknowledged {report.total.acknowledged:,}, {len(report.unacknowledged):,} listed)"
            )
        scope = resolve_scope(session, "57")
        first, median, cpu = timed(
            lambda: acknowledgements_workbook(acknowledgements(session, latest, scope)), 2
        )
        print(
            f"[{engine_name}] who has not acknowledged, province 57, report + Excel: median {median:.0f} ms"
        )
    first, median, _ = api_once(url)
    print(
        f"[{engine_name}] GET /api/coverage?province=57 over HTTP: first {first:.0f} ms, median {median:.0f} ms"
    )
    engine_for(url).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for engine_name in args.engines.split(","):
        if engine_name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run("sqlite", f"sqlite:///{Path(folder) / 'coverage.db'}", args.entries, args.members)
        elif engine_name == "postgresql":
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            name = f"boktor_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
                run("postgresql", url, args.entries, args.members)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            raise SystemExit(f"Unknown engine {engine_name!r}; use sqlite and/or postgresql.")


if __name__ == "__main__":
    main()
