"""Communicators type deadlines and schedules as they write them: ISO or Thai style with a Buddhist-Era year."""

from __future__ import annotations

from datetime import datetime

import pytest

from boktor.announcements.dates import DateError, parse_moment
from boktor.thai import BANGKOK


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-01-15", datetime(2026, 1, 15, 23, 59, tzinfo=BANGKOK)),
        ("15/1/2569", datetime(2026, 1, 15, 23, 59, tzinfo=BANGKOK)),
        ("๑๕/๑/๒๕๖๙", datetime(2026, 1, 15, 23, 59, tzinfo=BANGKOK)),
        ("15 มกราคม 2569", datetime(2026, 1, 15, 23, 59, tzinfo=BANGKOK)),
        ("15 ม.ค. 2569", datetime(2026, 1, 15, 23, 59, tzinfo=BANGKOK)),
        ("15 มกราคม 2569 เวลา 09:30 น.", datetime(2026, 1, 15, 9, 30, tzinfo=BANGKOK)),
        ("15/01/2026 09:30", datetime(2026, 1, 15, 9, 30, tzinfo=BANGKOK)),
    ],
)
def test_deadlines_read_as_written(typed: str, expected: datetime) -> None:
    assert parse_moment(typed, end_of_day=True) == expected


def test_iso_times_keep_their_zone_and_bare_times_are_bangkok() -> None:
    assert parse_moment("2026-01-15T09:00+00:00").utcoffset().total_seconds() == 0
    assert parse_moment("2026-01-15T09:00") == datetime(2026, 1, 15, 9, 0, tzinfo=BANGKOK)
    assert parse_moment("2026-01-15") == datetime(2026, 1, 15, 0, 0, tzinfo=BANGKOK)


@pytest.mark.parametrize("typed", ["tomorrow", "31/2/2569", "15 Smarch 2569", ""])
def test_unreadable_dates_are_refused_with_examples(typed: str) -> None:
    with pytest.raises(DateError, match="15/1/2569"):
        parse_moment(typed)
