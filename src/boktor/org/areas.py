"""Thai administrative areas (DOPA codes) from the geothai package: lookup by code and by Thai name."""

from __future__ import annotations

import re

import geothai
from geothai import District, Province, Subdistrict

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Written prefixes people put before a name; geothai.normalize drops most, these are the rest.
_VILLAGE_PREFIX = re.compile(r"^\s*(หมู่ที่|หมู่|ม\.)\s*")


def province(code: str | None) -> Province | None:
    return geothai.province(str(code)) if code else None


def district(code: str | None) -> District | None:
    return geothai.district(str(code)) if code else None


def subdistrict(code: str | None) -> Subdistrict | None:
    return geothai.subdistrict(str(code)) if code else None


def provinces() -> list[Province]:
    return geothai.provinces()


def districts(province_code: str) -> list[District]:
    return geothai.districts(province_code)


def subdistricts(district_code: str) -> list[Subdistrict]:
    return geothai.subdistricts(district_code)


def _is_code(text: str, digits: int) -> bool:
    return text.isdigit() and len(text) == digits


def find_province(text: str | None) -> Province | None:
    """The province written as a code ("57") or a name ("เชียงราย", "จ.เชียงราย", "Chiang Rai")."""
    text = (text or "").strip().translate(_THAI_DIGITS)
    if not text:
        return None
    if text.isdigit():
        return geothai.province(text.zfill(2))
    wanted = geothai.normalize(text)
    return next((p for p in geothai.provinces() if geothai.is_province(p, wanted)), None)


def find_district(text: str | None, province_code: str | None) -> District | None:
    """The district written as a code or a name ("แม่สาย", "อ.แม่สาย", "อำเภอเมือง") in a province."""
    text = (text or "").strip().translate(_THAI_DIGITS)
    if not text:
        return None
    if _is_code(text, 4):
        found = geothai.district(text)
        return found if found and (not province_code or found.province_code == province_code) else None
    if not province_code:
        return None
    wanted = geothai.normalize(text)
    return next((d for d in geothai.districts(province_code) if geothai.is_district(d, wanted)), None)


def find_subdistrict(text: str | None, district_code: str | None) -> Subdistrict | None:
    """The subdistrict written as a code or a name ("เวียงพางคำ", "ต.เวียงพางคำ") in a district."""
    text = (text or "").strip().translate(_THAI_DIGITS)
    if not text:
        return None
    if _is_code(text, 6):
        found = geothai.subdistrict(text)
        return found if found and (not district_code or found.district_code == district_code) else None
    if not district_code:
        return None
    wanted = geothai.normalize(text)
    return next(
        (
            s
            for s in geothai.subdistricts(district_code)
            if geothai.normalize(s.name_th) == wanted or geothai.normalize(s.name_en) == wanted
        ),
        None,
    )


def parse_village_no(value: object) -> int | None:
    """A village number from "3", "หมู่ 3", "ม.๓", 3 or 3.0; None if it is not one (1–99)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _VILLAGE_PREFIX.sub("", str(value).strip().translate(_THAI_DIGITS))
    if not text.isdigit():
        raise ValueError(f"หมู่ที่ {value!r} is not a number")
    number = int(text)
    if not 1 <= number <= 99:
        raise ValueError(f"หมู่ที่ {number} is outside 1–99")
    return number


def area_name(code: str | None) -> str:
    """A readable Thai name for a province, district or subdistrict code ("อ.แม่สาย จ.เชียงราย")."""
    if not code:
        return ""
    if len(code) == 2 and (p := province(code)):
        return f"จ.{p.name_th}"
    if len(code) == 4 and (d := district(code)):
        return f"อ.{d.name_th} {area_name(d.province_code)}"
    if len(code) == 6 and (s := subdistrict(code)):
        return f"ต.{s.name_th} {area_name(s.district_code)}"
    return code
