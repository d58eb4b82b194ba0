"""`boktor members import` as an operator runs it: a real subprocess against the database, scripts read --json.

Each `boktor` process takes seconds to start on a loaded machine, so only the main story runs as subprocesses;
the refusals run the same command in-process.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from boktor.cli import app
from boktor.db import session_factory
from boktor.members.models import Member

GOOD = "U" + "a" * 32
ALSO_GOOD = "U" + "b" * 32


def boktor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "boktor.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        timeout=120,
    )


def count_members(database_url: str) -> int:
    with session_factory(database_url)() as session:
        return session.scalar(select(func.count()).select_from(Member))


def test_import_reports_bad_rows_keeps_good_ones_and_scripts_can_read_it(env, database_url, tmp_path: Path):
    file = tmp_path / "สมาชิก.csv"
    file.write_text(
        "รายชื่อสมาชิก\nline_user_id,ชื่อ-สกุล,จังหวัด,อำเภอ,โทรศัพท์\n"
        f"{GOOD},นายสมชาย ใจดี,เชียงราย,แม่สาย,812345678\n"
        "U-not-an-id,นางวิไล คำแสน,เชียงราย,แม่สาย,\n"
        f"{ALSO_GOOD},นายบุญมี ทองมา,เชียงราย,ลาดพร้าว,\n",
        encoding="cp874",  # as Excel on Thai Windows saves "CSV (Comma delimited)"
    )
    report = tmp_path / "bad.csv"

    strict = boktor("members", "import", str(file), "--strict", "--json")
    assert strict.returncode == 1
    assert len(json.loads(strict.stdout)["bad_rows"]) == 2
    assert count_members(database_url) == 0  # --strict: nothing imported

    done = boktor("members", "import", str(file), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "Importing members" in done.stderr and "100%" in done.stderr  # the progress bar
    assert "Imported 1 new members and updated 0" in done.stdout
    assert "ลาดพร้าว" in done.stdout
    with report.open(encoding="utf-8-sig") as written:
        assert [row["line"] for row in csv.DictReader(written)] == ["4", "5"]
    assert count_members(database_url) == 1

    again = CliRunner().invoke(app, ["members", "import", str(file), "--json"])
    assert again.exit_code == 0, again.output
    assert "━" not in again.stderr  # no progress bar with --json
    assert json.loads(again.stdout) == {
        "imported": 0,
        "updated": 1,
        "bad_rows": [
            {
                "line": 4,
                "column": "line_user_id",
                "message": "wrong LINE user ID format 'U-not-an-id': it is U followed by 32 characters 0-9 a-f",
            },
            {"line": 5, "column": "district", "message": "no district 'ลาดพร้าว' in จ.เชียงราย"},
        ],
    }
    assert count_members(database_url) == 1


def test_unusable_files_get_a_plain_error_and_no_traceback(env, tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(os.urandom(20 * 1024 * 1024))
    no_id = tmp_path / "no-id.csv"
    no_id.write_text("ชื่อ-สกุล,จังหวัด\nสมชาย ใจดี,เชียงราย\n", encoding="utf-8")
    for file, message in (
        (empty, "empty.csv is empty."),
        (junk, "junk.xlsx is not a CSV or Excel (.xlsx) file: it looks like binary data."),
        (no_id, "has no column for line_user_id"),
        (tmp_path / "missing.csv", "Cannot open"),
    ):
        result = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["members", "import", str(file)])
        assert result.exit_code == 1, file
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Error:" in result.stderr and message in " ".join(result.stderr.split())
