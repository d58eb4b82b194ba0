"""Audience count for 300,000 members with three conditions (goal ≤ 100 ms), on SQLite or PostgreSQL.

    python benchmarks/audience_count.py --engine sqlite
    python benchmarks/audience_count.py --engine postgresql [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Seeds a fresh database with realistic members (77 provinces weighted like the ministry's network, the
catalogue's organisations, positions and topics, 5% blocked, 30% not yet surveyed) by bulk inserts, then
times audience_count for several audiences of three conditions; prints the median and worst of 15 runs each.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from boktor.announcements.audience import audience_count
from boktor.db import engine_for, session_factory, transaction
from boktor.members.models import Member, MemberTopic
from boktor.migrations import upgrade
from boktor.org import areas
from boktor.org.catalogue import load_catalogue
from boktor.org.models import InformationTopic, Organisation, PersonnelType, Position

AUDIENCES = {
    "province + organisation kind + topic": {
        "provinces": ["57"],
        "organisation_kinds": ["local_leader"],
        "topics": ["policy"],
    },
    "province + organisation + surveyed": {"provinces": ["30"], "organisations": ["cdd"], "surveyed": True},
    "district + position + topic": {
        "districts": ["5709"],
        "positions": ["village_headman"],
        "topics": ["urgent"],
    },
    "organisation kind + personnel type + joined after": {
        "organisation_kinds": ["department"],
        "personnel_types": ["civil_servant"],
        "joined_after": "2025-06-01",
    },
    "everyone (no condition)": {},
}


def seed(url: str, members: int, seed_value: int = 57) -> float:
    """Fill the database with `members` members; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed_value)
    with transaction(url) as session:
        load_catalogue(session)
    with transaction(url) as session:
        organisations = session.execute(
            select(Organisation.id, Organisation.kind).order_by(Organisation.id)
        ).all()
        personnel = list(session.scalars(select(PersonnelType.id).order_by(PersonnelType.id)))
        positions = list(session.scalars(select(Position.id).order_by(Position.id)))
        topics = list(session.scalars(select(InformationTopic.code).order_by(InformationTopic.code)))
    provinces = [p.code for p in areas.provinces()]
    districts = {code: [d.code for d in areas.districts(code)] for code in provinces}
    subdistricts: dict[str, list[str]] = {}
    # Local leaders (กำนัน, ผู้ใหญ่บ้าน, อช.) are most of the network, as in the ministry's letter.
    weights = [
        6 if kind == "local_leader" else 3 if kind == "local_government" else 1 for _, kind in organisations
    ]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    engine = engine_for(url)
    chunk = 20_000
    for offset in range(0, members, chunk):
        rows, topic_rows = [], []
        for number in range(offset + 1, min(members, offset + chunk) + 1):
            province = rng.choice(provinces)
            district = rng.choice(districts[province]) if districts[province] else None
            if district and district not in subdistricts:
                subdistricts[district] = [s.code for s in areas.subdistricts(district)] or [None]
            followed = start + timedelta(minutes=rng.randrange(0, 500 * 24 * 60))
            rows.append(
                {
                    "id": number,
                    "line_user_id": f"U{number:032x}",
                    "status": "blocked" if rng.random() < 0.05 else "follower",
                    "organisation_id": rng.choices(organisations, weights)[0][0],
                    "personnel_type_id": rng.choice(personnel),
                    "position_id": rng.choice(positions),
                    "province_code": province,
                    "district_code": district,
                    "subdistrict_code": rng.choice(subdistricts[district]) if district else None,
                    "village_no": rng.randint(1, 20),
                    "joined_via": "search",
                    "followed_at": followed,
                    "surveyed_at": followed + timedelta(hours=1) if rng.random() < 0.7 else None,
                    "created_at": followed,
                    "updated_at": followed,
                }
            )
            for code in rng.sample(topics, rng.randint(1, 4)):
                topic_rows.append({"member_id": number, "topic_code": code})
        with engine.begin() as connection:
            connection.execute(insert(Member), rows)
            connection.execute(insert(MemberTopic), topic_rows)
    with engine.begin() as connection:
        # What an operator's routine maintenance (or PostgreSQL's autovacuum) gives the planner.
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def time_counts(url: str, runs: int) -> list[tuple[str, int, float, float]]:
    results = []
    with session_factory(url)() as session:
        for name, audience in AUDIENCES.items():
            count = audience_count(session, audience)  # warm-up: caches and the catalogue lookups
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                assert audience_count(session, audience) == count
                timings.append((time.perf_counter() - started) * 1000)
            results.append((name, count, statistics.median(timings), max(timings)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()

    cleanup = None
    if args.engine == "sqlite":
        folder = tempfile.TemporaryDirectory(prefix="boktor-bench-")
        url = f"sqlite:///{Path(folder.name) / 'bench.db'}"
        cleanup = folder.cleanup
    else:
        name = f"boktor_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            engine_for(url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        upgrade(url)
        seconds = seed(url, args.members)
        print(f"engine {args.engine}: seeded {args.members:,} members in {seconds:.1f} s", file=sys.stderr)
        results = time_counts(url, args.runs)
    finally:
        engine_for(url).dispose()
        cleanup()
    print("| engine | audience | reached | median ms | worst ms | goal ≤ 100 ms |")
    print("|---|---|---:|---:|---:|---|")
    for name, count, median, worst in results:
        verdict = "met" if median <= 100 else "MISSED"
        print(f"| {args.engine} | {name} | {count:,} | {median:.1f} | {worst:.1f} | {verdict} |")


if __name__ == "__main__":
    main()
