"""Whose figures a report shows (everyone, a province, a district and/or one organisation), and the groups it
breaks them down into."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.members.models import Member, RosterEntry
from boktor.org import areas
from boktor.org.catalogue import Catalogue
from boktor.org.models import Organisation
from boktor.reports import messages

Breakdown = Literal["province", "district", "subdistrict", "organisation"]
BREAKDOWNS: tuple[Breakdown, ...] = ("province", "district", "subdistrict", "organisation")


class ScopeError(ValueError):
    """The report cannot be made as asked (unknown area or organisation); the message says why."""


@dataclass(frozen=True)
class Scope:
    """Whose report: everyone, a province, a district, and/or one organisation."""

    province_code: str | None = None
    district_code: str | None = None
    organisation_id: int | None = None
    organisation_code: str | None = None
    organisation_name: str | None = None

    @property
    def title(self) -> str:
        where = areas.area_name(self.district_code or self.province_code) or messages.NATIONAL
        return f"{self.organisation_name} {where}" if self.organisation_name else where

    @property
    def file_suffix(self) -> str:
        """What a downloaded file's name says of the scope: "57", "5709-cdd", or "" for the whole country."""
        parts = (self.district_code or self.province_code, self.organisation_code)
        return "-".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {
            "province": self.province_code,
            "district": self.district_code,
            "organisation": self.organisation_code,
            "title": self.title,
        }


def resolve_scope(
    session: Session,
    province: str | None = None,
    district: str | None = None,
    organisation: str | None = None,
) -> Scope:
    """The scope for what an operator typed: codes or Thai names; the district must lie in the province."""
    province_code = district_code = None
    if province:
        found = areas.find_province(province)
        if found is None:
            raise ScopeError(f"No province {province!r}: use the 2-digit DOPA code (เชียงราย = 57).")
        province_code = found.code
    if district:
        found = areas.find_district(district, province_code)
        if found is None:
            where = f" in {areas.area_name(province_code)}" if province_code else ""
            raise ScopeError(f"No district {district!r}{where}: use the 4-digit DOPA code (แม่สาย = 5709).")
        district_code, province_code = found.code, found.province_code
    if not organisation:
        return Scope(province_code, district_code)
    catalogue = Catalogue(session)
    row = catalogue.find(catalogue.organisations, organisation)
    if row is None:
        raise ScopeError(f"No organisation {organisation!r} in the catalogue (see `boktor org list`).")
    return Scope(province_code, district_code, row.id, row.code, row.short_name_th or row.name_th)


def default_breakdown(scope: Scope) -> Breakdown:
    """One level below the scope: the country by province, a province by district, a district by subdistrict."""
    if scope.district_code:
        return "subdistrict"
    if scope.province_code:
        return "district"
    return "province"


def check_breakdown(breakdown: str, what: str) -> Breakdown:
    if breakdown not in BREAKDOWNS:
        raise ScopeError(f"Cannot break {what} down by {breakdown!r}; use {', '.join(BREAKDOWNS)}.")
    return breakdown  # type: ignore[return-value]


def _groups(model: type[RosterEntry] | type[Member]) -> dict:
    """The column of a roster entry or a member that each breakdown groups by."""
    return {
        "province": model.province_code,
        "district": model.district_code,
        "subdistrict": model.subdistrict_code,
        "organisation": model.organisation_id,
    }


ENTRY_GROUP = _groups(RosterEntry)
MEMBER_GROUP = _groups(Member)


class Groups:
    """The groups of a breakdown in a scope: the code and Thai name each is shown with, and their order."""

    def __init__(self, session: Session, scope: Scope, breakdown: Breakdown) -> None:
        self.breakdown = breakdown
        self.known = _known_groups(scope, breakdown)
        self.organisations: dict[int, Organisation] = {}
        if breakdown == "organisation":
            self.organisations = {row.id: row for row in session.scalars(select(Organisation))}

    def code(self, key) -> str | None:
        """An area's code, or an organisation's code (not its id)."""
        organisation = self.organisations.get(key)
        return organisation.code if organisation else key

    def name(self, key) -> str:
        if key in self.known:
            return self.known[key]
        if key is None:
            organisation = self.breakdown == "organisation"
            return messages.UNSPECIFIED_ORGANISATION if organisation else messages.UNSPECIFIED_AREA
        if self.breakdown == "organisation":
            organisation = self.organisations.get(key)
            return organisation.name_th if organisation else str(key)
        return areas.area_name(key)

    def order(self, key) -> tuple:
        """Areas by code, organisations in the catalogue's order; the unspecified last."""
        if self.breakdown == "organisation":
            organisation = self.organisations.get(key)
            return (key is None, organisation.sort_order if organisation else 0)
        return (key is None, str(key or ""))


def _known_groups(scope: Scope, breakdown: Breakdown) -> dict[str | None, str]:
    """Every area of the breakdown, so that places nobody has joined from still show (with zeros)."""
    if breakdown == "province":
        return {p.code: f"จ.{p.name_th}" for p in areas.provinces()}
    if breakdown == "district" and scope.province_code:
        return {d.code: f"อ.{d.name_th}" for d in areas.districts(scope.province_code)}
    if breakdown == "subdistrict" and scope.district_code:
        return {s.code: f"ต.{s.name_th}" for s in areas.subdistricts(scope.district_code)}
    return {}


def _filters(model: type[RosterEntry] | type[Member], scope: Scope) -> list:
    filters = []
    if scope.district_code:
        filters.append(model.district_code == scope.district_code)
    elif scope.province_code:
        filters.append(model.province_code == scope.province_code)
    if scope.organisation_id:
        filters.append(model.organisation_id == scope.organisation_id)
    return filters


def entry_filters(scope: Scope) -> list:
    """SQL conditions: the roster entry is expected in `scope`."""
    return _filters(RosterEntry, scope)


def member_filters(scope: Scope) -> list:
    """SQL conditions: the member's profile (from the survey) lies in `scope`."""
    return _filters(Member, scope)


@lru_cache(maxsize=65_536)  # a national list names the same few thousand places over and over
def area_text(
    province_code: str | None, district_code: str | None, subdistrict_code: str | None, village_no: int | None
) -> str:
    """Where someone is, in Thai, most precise first: "หมู่ 3 ต.แม่สาย อ.แม่สาย จ.เชียงราย"."""
    area = areas.area_name(subdistrict_code or district_code or province_code)
    return f"หมู่ {village_no} {area}" if village_no else area
