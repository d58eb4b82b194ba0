"""Thai presentation: Buddhist-Era dates in Asia/Bangkok time, and Thai digits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pythainlp.util import arabic_digit_to_thai_digit, thai_strftime

BANGKOK = ZoneInfo("Asia/Bangkok")


def to_bangkok(moment: datetime) -> datetime:
    """The same instant in Bangkok time (naive datetimes are taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(BANGKOK)


def thai_date(value: date | datetime, *, thai_digits: bool = False) -> str:
    """A date as a Thai civil servant writes it: "15 มกราคม 2562"."""
    value = to_bangkok(value) if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    text = thai_strftime(value, "%-d %B %Y")
    return arabic_digit_to_thai_digit(text) if thai_digits else text


def thai_datetime(value: datetime, *, thai_digits: bool = False) -> str:
    """A moment in Bangkok time: "15 มกราคม 2562 เวลา 10:30 น."."""
    local = to_bangkok(value)
    text = f"{thai_strftime(local, '%-d %B %Y')} เวลา {local:%H:%M} น."
    return arabic_digit_to_thai_digit(text) if thai_digits else text


def thai_digits(text: str | int) -> str:
    """Arabic digits replaced by Thai digits ("2562" -> "๒๕๖๒"), for documents official in style."""
    return arabic_digit_to_thai_digit(str(text))
