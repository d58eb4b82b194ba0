"""Time `boktor members import` of a realistic 300,000-row CSV, on SQLite and PostgreSQL.

    python benchmarks/members_import.py                      # 300,000 rows, SQLite
    python benchmarks/members_import.py --engine postgresql  # on the PostgreSQL at 127.0.0.1:5432
    python benchmarks/members_import.py --rows 50000 --engine both

Makes the file (Thai names, every province, real district and subdistrict names, phones in mixed
formats, topics), migrates a fresh database, then runs the real command in a subprocess (with its
progress bar on stderr) and prints the wall time, rows per second, and a second run (all updates).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import geothai
from machine import machine  # benchmarks/machine.py (scripts import their siblings)

FIRST = [
    "สมชาย",
    "สมหญิง",
    "ประเสริฐ",
    "วิไล",
    "บุญมี",
    "อำไพ",
    "สุรชัย",
    "มาลี",
    "ทองคำ",
    "จันทร์เพ็ญ",
    "ธนากร",
    "ศิริพร",
]
LAST = ["ใจดี", "ศรีสุข", "คำแสน", "อินทร์แก้ว", "ปัญญาดี", "ทองมา", "วงศ์ใหญ่", "แสงจันทร์", "บุญเรือง", "มีสุข"]
TITLES = ["นาย", "นาง", "นางสาว", "ว่าที่ร้อยตรี "]
ORGANISATIONS = ["กรมการปกครอง", "พช.", "กรมที่ดิน", "ปภ.", "สถ.", "องค์การบริหารส่วนตำบล", "เทศบาล", "กำนัน"]
TYPES = ["ข้าราชการ", "พนักงานราชการ", "ลูกจ้าง", "ผู้นำท้องที่", "ผู้บริหารท้องถิ่น"]
POSITIONS = ["พัฒนาการอำเภอ", "นักวิชาการพัฒนาชุมชน", "ปลัดอำเภอ", "นายก อบต.", "ผู้ใหญ่บ้าน", "นักจัดการงานทั่วไป"]
TOPICS = ["นโยบายสำคัญ", "urgent", "องค์ความรู้", "projects", "ผลงานและความก้าวหน้า"]
COLUMNS = [
    "line_user_id", "display_name", "full_name", "organisation", "personnel_type", "position",
    "province", "district", "subdistrict", "village", "phone", "topics", "status", "joined_at",
]  # fmt: skip


def make_file(path: Path, rows: int, seed: int = 300) -> None:
    """A member file as an export from another system would look: Thai names, mixed formats."""
    rng = random.Random(seed)
    places = [
        (p.name_th, d.name_th, s.name_th)
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for number in range(rows):
            province, district, subdistrict = places[number % len(places)]
            first, last = rng.choice(FIRST), rng.choice(LAST)
            mobile = f"0{rng.choice('689')}{rng.randrange(10**8):08d}"
            phone = rng.choice([mobile, f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}", f"+66 {mobile[1:]}"])
            writer.writerow(
                [
                    f"U{uuid.UUID(int=rng.getrandbits(128)).hex}",
                    first,
                    f"{rng.choice(TITLES)}{first} {last}",
                    rng.choice(ORGANISATIONS),
                    rng.choice(TYPES),
                    rng.choice(POSITIONS),
                    rng.choice([province, f"จ.{province}"]),
                    district
                    if province == "กรุงเทพมหานคร"
                    else rng.choice([district, f"อ.{district}", f"อำเภอ{district}"]),
                    rng.choice([subdistrict, f"ต.{subdistrict}"]),
                    rng.choice(["", str(rng.randint(1, 20)), f"หมู่ {rng.randint(1, 20)}"]),
                    phone,
                    "; ".join(rng.sample(TOPICS, rng.randint(0, 3))),
                    "follower",
                    f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2568",
                ]
            )


def fresh_database(engine: str, workdir: Path) -> tuple[str, str | None]:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    from sqlalchemy import create_engine, text

    admin = os.environ.get(
        "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"boktor_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(admin, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = os.environ.get(
        "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    with create_engine(admin, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def boktor(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "boktor.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    options = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        file = workdir / "members.csv"
        started = time.perf_counter()
        make_file(file, options.rows)
        print(
            f"file: {options.rows:,} rows, {file.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - started:.1f} s"
        )
        engines = ["sqlite", "postgresql"] if options.engine == "both" else [options.engine]
        for engine in engines:
            url, pg_name = fresh_database(engine, workdir)
            env = {**os.environ, "BOKTOR_DATABASE_URL": url, "BOKTOR_MODE": "demo", "COLUMNS": "100"}
            try:
                boktor("db", "upgrade", env=env)
                boktor("org", "load", env=env)
                first = boktor("members", "import", str(file), env=env)
                second = boktor("members", "import", str(file), env=env)
            finally:
                if pg_name:
                    drop_database(pg_name)
            print(
                f"{engine:>10}: first import (all new) {first:6.1f} s = {options.rows / first:8,.0f} rows/s; "
                f"re-import (all updates) {second:6.1f} s = {options.rows / second:8,.0f} rows/s"
            )


if __name__ == "__main__":
    main()
