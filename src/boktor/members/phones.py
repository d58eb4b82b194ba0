"""Thai telephone numbers as people and Excel write them, normalised to digits ("0812345678")."""

from __future__ import annotations

import re

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Separators people type between groups of digits; anything else is not a phone number.
_SEPARATORS = re.compile(r"[\s\-./()\u200b]+")
# An extension after the number reaches the same office; matching only needs the number.
_EXTENSION = re.compile(r"\s*(ต่อ|ext\.?|x|#)\s*\d+\s*$", re.IGNORECASE)
# Excel and CSV exports of a number cell: "812345678.0", "8.12345678E8".
_FLOAT_TEXT = re.compile(r"^\d+\.0+$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")

MOBILE_PREFIXES = ("06", "08", "09")


def _digits_of_number(value: float | int) -> str:
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a phone number (it has decimals)")
        value = int(value)
    return str(value)


def normalise_phone(value: object) -> str | None:
    """A Thai phone number as digits: mobiles "0XXXXXXXXX" (10), landlines "0XXXXXXXX" (9); None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a phone number")
    if isinstance(value, int | float):
        text = _digits_of_number(value)
    elif (compact := str(value).replace("-", "").replace(" ", "")).isdigit() and compact.isascii():
        text = compact  # the common case, without the regular expressions below
    else:
        text = str(value).strip().translate(_THAI_DIGITS)
        if not text:
            return None
        if re.search(r"[,;]|หรือ|\bor\b", text):
            raise ValueError(f"{value!r} holds more than one phone number; keep one")
        text = _EXTENSION.sub("", text)
        if _FLOAT_TEXT.match(text):
            text = text.split(".", 1)[0]
        elif _SCIENTIFIC.match(text):
            text = _digits_of_number(float(text))
        if text.count("+") > 1 or ("+" in text and not text.startswith("+")):
            raise ValueError(f"{value!r} is not one phone number")
        text = _SEPARATORS.sub("", text.lstrip("+"))
        if not text.isdigit():
            raise ValueError(f"{value!r} is not a phone number (only digits, spaces, - and + are expected)")
    return _thai_number(text, value)


def _thai_number(digits: str, original: object) -> str:
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]  # country code written instead of the leading 0
    elif digits.startswith("660") and len(digits) in (11, 12):
        digits = digits[2:]  # "+66 0812345678": country code and the 0 both written
    elif not digits.startswith("0") and len(digits) in (8, 9):
        digits = "0" + digits  # Excel dropped the leading 0 of a number cell
    if len(digits) == 10 and digits.startswith(MOBILE_PREFIXES):
        return digits
    if len(digits) == 9 and digits[1] in "234567":
        return digits
    if len(digits) == 10:
        raise ValueError(f"{original!r} is not a Thai mobile number (mobiles start with 06, 08 or 09)")
    raise ValueError(
        f"{original!r} is not a Thai phone number: it has {len(digits)} digits "
        "(a mobile has 10, e.g. 0812345678; a landline 9, e.g. 053123456)"
    )


def is_mobile(phone: str) -> bool:
    """Whether a normalised number is a mobile (10 digits starting 06, 08 or 09)."""
    return len(phone) == 10 and phone.startswith(MOBILE_PREFIXES)
