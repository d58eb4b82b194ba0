"""Profile columns shared by the member and roster imports: names, organisation, position, area, phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from boktor.members.names import clean_name
from boktor.members.phones import normalise_phone
from boktor.members.tabular import Row
from boktor.org import areas
from boktor.org.catalogue import Catalogue

NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("ชื่อ-สกุล", "ชื่อ-นามสกุล", "ชื่อและนามสกุล", "ชื่อ นามสกุล", "full name", "name", "ชื่อสกุล"),
    # Many office files keep title, first name and surname in separate columns.
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "คำนำหน้านาม", "ยศ/คำนำหน้า", "title", "prefix"),
    "first_name": ("ชื่อ", "ชื่อตัว", "first name", "given name"),
    "last_name": ("นามสกุล", "สกุล", "last name", "surname", "family name"),
}
PROFILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("หน่วยงาน", "สังกัด", "ส่วนราชการ", "กรม", "organization", "org"),
    "personnel_type": ("ประเภทบุคลากร", "ประเภท", "ประเภทบุคคล", "personnel type", "type"),
    "position": ("ตำแหน่ง", "position", "job title"),
    "province": ("จังหวัด", "province", "province code", "รหัสจังหวัด"),
    "district": ("อำเภอ", "อำเภอ/เขต", "เขต", "district", "amphoe", "district code", "รหัสอำเภอ"),
    "subdistrict": ("ตำบล", "ตำบล/แขวง", "แขวง", "subdistrict", "tambon", "subdistrict code", "รหัสตำบล"),
    "village": ("หมู่", "หมู่ที่", "ม.", "village", "village no", "moo"),
    "phone": (
        "โทรศัพท์", "เบอร์โทร", "เบอร์โทรศัพท์", "หมายเลขโทรศัพท์", "โทรศัพท์มือถือ", "เบอร์มือถือ", "มือถือ", "โทร",
        "phone", "mobile", "tel", "telephone",
    ),
}  # fmt: skip


@dataclass
class RowProblems:
    """The problems found in one row, each as (column, message)."""

    line: int
    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, column: str, message: str) -> None:
        self.items.append((column, message))

    def __bool__(self) -> bool:
        return bool(self.items)


def person_name(row: Row) -> str:
    """The full name from a full-name column, or from title + first name + surname columns."""
    get = row.values.get
    if full := get("full_name", ""):
        return clean_name(full)
    parts = [get("first_name", ""), get("last_name", "")]
    if not any(parts):
        return ""
    title = get("title", "")
    given = " ".join(p for p in parts if p)
    return clean_name(f"{title}{given}" if title else given)


# Areas and catalogue names repeat on thousands of rows; look each written form up once.
_find_province = lru_cache(maxsize=4096)(areas.find_province)
_find_district = lru_cache(maxsize=16384)(areas.find_district)
_find_subdistrict = lru_cache(maxsize=65536)(areas.find_subdistrict)


class ProfileResolver:
    """Resolves what people write (codes, Thai names, abbreviations) to catalogue ids and area codes."""

    def __init__(self, catalogue: Catalogue, *, province_code: str | None = None) -> None:
        self.catalogue = catalogue
        # A roster of one province: rows without a province are in it; rows in another are refused.
        self.province_code = province_code
        # Offices write the same few values on thousands of rows: resolve each written form once.
        self._found: dict[tuple[str, str], int | None] = {}
        self._areas: dict[tuple[str, str, str], tuple[dict[str, Any], list[tuple[str, str]]]] = {}

    def _find(self, column: str, index: dict[str, Any], text: str) -> int | None:
        """The id of the catalogue entry written as `text`, if any."""
        key = (column, text)
        if key not in self._found:
            entry = self.catalogue.find(index, text)
            self._found[key] = entry.id if entry is not None else None
        return self._found[key]

    def resolve(self, row: Row, problems: RowProblems) -> dict[str, Any]:
        """The profile values `row` gives (absent columns are left out), noting problems by column."""
        get = row.values.get
        values: dict[str, Any] = {}
        cat = self.catalogue
        for column, index, key in (
            ("organisation", cat.organisations, "organisation_id"),
            ("personnel_type", cat.personnel_types, "personnel_type_id"),
        ):
            if text := get(column, ""):
                found = self._find(column, index, text)
                if found is None:
                    problems.add(
                        column, f"unknown {column.replace('_', ' ')} {text!r} (see `boktor org list`)"
                    )
                else:
                    values[key] = found
        if text := get("position", ""):
            found = self._find("position", cat.positions, text)
            values["position_id"] = found
            values["position_text"] = None if found else text[:200]
        written = (get("province", ""), get("district", ""), get("subdistrict", ""))
        if written not in self._areas:
            found = RowProblems(row.line)
            self._areas[written] = (self.area(*written, found), found.items)
        area, area_problems = self._areas[written]
        values.update(area)
        problems.items.extend(area_problems)
        if text := get("village", ""):
            try:
                values["village_no"] = areas.parse_village_no(text)
            except ValueError as error:
                problems.add("village", str(error))
        if text := get("phone", ""):
            try:
                values["phone"] = normalise_phone(text)
            except ValueError as error:
                problems.add("phone", str(error))
        return values

    def area(
        self, province_text: str, district_text: str, subdistrict_text: str, problems: RowProblems
    ) -> dict[str, Any]:
        """Province, district and subdistrict codes, consistent with each other (all three, or none)."""
        if not (province_text or district_text or subdistrict_text):
            return {"province_code": self.province_code} if self.province_code else {}
        province_code = None
        if province_text:
            province = _find_province(province_text)
            if province is None:
                problems.add("province", f"unknown province {province_text!r}")
                return {}
            province_code = province.code
        elif district_text and (found := _find_district(district_text, None)):
            province_code = found.province_code  # a district code says its province
        elif subdistrict_text and (found := _find_subdistrict(subdistrict_text, None)):
            province_code = found.province_code
        else:
            province_code = self.province_code
        if self.province_code and province_code != self.province_code:
            problems.add(
                "province",
                f"{areas.area_name(province_code)} is outside this roster's province "
                f"({areas.area_name(self.province_code)})",
            )
            return {}
        district_code = subdistrict_code = None
        if district_text:
            district = _find_district(district_text, province_code)
            if district is None:
                if province_code is None:
                    problems.add(
                        "district", f"district {district_text!r} needs a province: add a จังหวัด column"
                    )
                elif district_text.isdigit() and areas.district(district_text.zfill(4)):
                    problems.add(
                        "district", f"district {district_text} is not in {areas.area_name(province_code)}"
                    )
                else:
                    problems.add(
                        "district", f"no district {district_text!r} in {areas.area_name(province_code)}"
                    )
                return {}
            district_code = district.code
        if subdistrict_text:
            subdistrict = _find_subdistrict(subdistrict_text, district_code)
            if subdistrict is None or (province_code and subdistrict.province_code != province_code):
                where = areas.area_name(district_code or province_code) or "this area"
                if district_code is None and not subdistrict_text.isdigit():
                    problems.add("subdistrict", f"subdistrict {subdistrict_text!r} needs a district (อำเภอ)")
                else:
                    problems.add("subdistrict", f"no subdistrict {subdistrict_text!r} in {where}")
                return {}
            subdistrict_code = subdistrict.code
            district_code = subdistrict.district_code
        return {
            "province_code": province_code,
            "district_code": district_code,
            "subdistrict_code": subdistrict_code,
        }
