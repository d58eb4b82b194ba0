"""Reading the dates and times people type: ISO, or Thai style with a Buddhist-Era year ("15 ม.ค. 2569")."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from boktor.thai import BANGKOK

THAI_MONTHS = [
    ("มกราคม", "ม.ค."),
    ("กุมภาพันธ์", "ก.พ."),
    ("มีนาคม", "มี.ค."),
    ("เมษายน", "เม.ย."),
    ("พฤษภาคม", "พ.ค."),
    ("มิถุนายน", "มิ.ย."),
    ("กรกฎาคม", "ก.ค."),
    ("สิงหาคม", "ส.ค."),
    ("กันยายน", "ก.ย."),
    ("ตุลาคม", "ต.ค."),
    ("พฤศจิกายน", "พ.ย."),
    ("ธันวาคม", "ธ.ค."),
]
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")
_WORDS = re.compile(r"^(\d{1,2})\s*(\S+?)\s*(\d{4})(?:\s+(?:เวลา\s*)?(\d{1,2})[:.](\d{2})\s*(?:น\.)?)?$")
# Years above this are Buddhist Era (2569 BE = 2026 CE).
_BE_FROM = 2400


class DateError(ValueError):
    """A date or time that cannot be read; the message shows what is accepted."""


def _year(value: int) -> int:
    return value - 543 if value > _BE_FROM else value


def _month(word: str) -> int | None:
    word = word.strip()
    for number, (full, short) in enumerate(THAI_MONTHS, start=1):
        if word in (full, short, short.replace(".", "")):
            return number
    return None


def parse_moment(text: str, *, end_of_day: bool = False) -> datetime:
    """A timezone-aware moment from ISO ("2026-01-15", "2026-01-15T09:00+07:00") or Thai style
    ("15/1/2569", "15 มกราคม 2569 เวลา 09:00"); times without a zone are Bangkok time, dates
    alone mean the start of the day (or its last minute with `end_of_day`)."""
    raw = (text or "").strip().translate(_THAI_DIGITS)
    day: date | None = None
    clock: time | None = None
    try:
        moment = datetime.fromisoformat(raw)
        if len(raw) > 10:
            return moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)
        day = moment.date()
    except ValueError:
        match = _NUMERIC.match(raw) or _WORDS.match(raw)
        if match:
            first, middle, year, hour, minute = match.groups()
            month = int(middle) if middle.isdigit() else _month(middle)
            if month is not None:
                try:
                    day = date(_year(int(year)), month, int(first))
                    if hour is not None:
                        clock = time(int(hour), int(minute))
                except ValueError:
                    day = None
    if day is None:
        raise DateError(
            f"Cannot read the date {text!r}: write 2026-01-15, 2026-01-15T09:00+07:00, 15/1/2569 or "
            "15 มกราคม 2569 (optionally with a time, e.g. 15/1/2569 09:00)."
        )
    if clock is None:
        clock = time(23, 59) if end_of_day else time(0, 0)
    return datetime.combine(day, clock, tzinfo=BANGKOK)
