"""Audiences: a structured filter over members (never SQL typed by a user), validated and turned into a query.

An audience is a dict with any of these keys; values inside one key are alternatives (OR), and keys
combine with AND. Organisations and organisation kinds form one condition (a member of any of them),
and so do provinces, districts and subdistricts (a member in any of those areas).

    {"organisations": ["cdd"], "organisation_kinds": ["local_leader"], "personnel_types": ["civil_servant"],
     "positions": ["district_cd_officer"], "provinces": ["57"], "districts": ["5709"],
     "subdistricts": ["570901"], "topics": ["policy"], "surveyed": true,
     "joined_after": "2025-01-01", "joined_before": "2025-06-30"}

Members who are not followers (blocked the account, or only imported) are never reached.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from boktor.members.models import Member, MemberStatus, MemberTopic
from boktor.org import areas
from boktor.org.catalogue import ORGANISATION_KINDS, Catalogue
from boktor.org.models import Organisation, PersonnelType, Position
from boktor.thai import BANGKOK

LIST_KEYS = (
    "organisations",
    "organisation_kinds",
    "personnel_types",
    "positions",
    "provinces",
    "districts",
    "subdistricts",
    "topics",
)
DATE_KEYS = ("joined_after", "joined_before")
AUDIENCE_KEYS = (*LIST_KEYS, "surveyed", *DATE_KEYS)
_AREA_DIGITS = {"provinces": 2, "districts": 4, "subdistricts": 6}


class AudienceError(ValueError):
    """An audience filter that cannot be used; the message names the bad key or value."""


def _as_list(key: str, value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise AudienceError(f"Audience key {key!r} must be a list of codes, not {value!r}.")
    return [str(v).strip() for v in value if str(v).strip()]


def _as_date(key: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise AudienceError(f"Audience key {key!r} must be a date like 2025-01-31, not {value!r}.") from None


def _check_shape(audience: Any) -> dict[str, Any]:
    """The audience with every key known and every value of the right shape (codes not yet checked)."""
    if audience is None:
        return {}
    if not isinstance(audience, dict):
        raise AudienceError("An audience must be a JSON object of filters.")
    unknown = sorted(set(audience) - set(AUDIENCE_KEYS))
    if unknown:
        raise AudienceError(
            f"Unknown audience key(s) {', '.join(map(repr, unknown))}; the keys are {', '.join(AUDIENCE_KEYS)}."
        )
    shaped: dict[str, Any] = {}
    for key in LIST_KEYS:
        values = _as_list(key, audience.get(key))
        if values:
            shaped[key] = values
    surveyed = audience.get("surveyed")
    if surveyed is not None:
        if not isinstance(surveyed, bool):
            raise AudienceError(f"Audience key 'surveyed' must be true or false, not {surveyed!r}.")
        shaped["surveyed"] = surveyed
    for key in DATE_KEYS:
        day = _as_date(key, audience.get(key))
        if day is not None:
            shaped[key] = day.isoformat()
    after, before = shaped.get("joined_after"), shaped.get("joined_before")
    if after and before and after >= before:
        raise AudienceError("'joined_after' must be earlier than 'joined_before': no one can match both.")
    return shaped


def _bangkok_midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0), tzinfo=BANGKOK)


def audience_conditions(audience: dict[str, Any]) -> list:
    """The WHERE conditions on Member for an audience (its codes are compared as given)."""
    a = _check_shape(audience)
    conditions: list = []
    organisation_parts = []
    if a.get("organisations"):
        organisation_parts.append(
            Member.organisation_id.in_(
                select(Organisation.id).where(Organisation.code.in_(a["organisations"])).scalar_subquery()
            )
        )
    if a.get("organisation_kinds"):
        organisation_parts.append(
            Member.organisation_id.in_(
                select(Organisation.id)
                .where(Organisation.kind.in_(a["organisation_kinds"]))
                .scalar_subquery()
            )
        )
    if organisation_parts:
        conditions.append(or_(*organisation_parts))
    if a.get("personnel_types"):
        conditions.append(
            Member.personnel_type_id.in_(
                select(PersonnelType.id).where(PersonnelType.code.in_(a["personnel_types"])).scalar_subquery()
            )
        )
    if a.get("positions"):
        conditions.append(
            Member.position_id.in_(
                select(Position.id).where(Position.code.in_(a["positions"])).scalar_subquery()
            )
        )
    area_parts = []
    for key, column in (
        ("provinces", Member.province_code),
        ("districts", Member.district_code),
        ("subdistricts", Member.subdistrict_code),
    ):
        if a.get(key):
            area_parts.append(column.in_(a[key]))
    if area_parts:
        conditions.append(or_(*area_parts))
    if a.get("topics"):
        # A correlated EXISTS is a primary-key lookup per member, so the planner starts from the more
        # selective conditions (an area) instead of reading every member who wants a topic.
        conditions.append(
            exists().where(MemberTopic.member_id == Member.id, MemberTopic.topic_code.in_(a["topics"]))
        )
    if "surveyed" in a:
        conditions.append(Member.surveyed_at.is_not(None) if a["surveyed"] else Member.surveyed_at.is_(None))
    # "Joined" is when they followed, or when Boktor first knew them if the follow was never seen. The
    # expression also keeps SQLite from walking the followed_at index over most of the table.
    joined = func.coalesce(Member.followed_at, Member.created_at)
    if "joined_after" in a:
        conditions.append(joined >= _bangkok_midnight(a["joined_after"]))
    if "joined_before" in a:
        conditions.append(joined < _bangkok_midnight(a["joined_before"]))
    if not conditions:
        return [Member.status == MemberStatus.follower]
    # Nearly every member is a follower: beside any other condition the status index only misleads
    # SQLite's planner into walking most of the table, and `status || ''` keeps it off that index.
    return [Member.status.concat("") == MemberStatus.follower, *conditions]


def audience_select(audience: dict[str, Any]) -> Select:
    """(Member.id, Member.line_user_id) of the followers an audience reaches, ordered by Member.id."""
    return select(Member.id, Member.line_user_id).where(*audience_conditions(audience)).order_by(Member.id)


def audience_count(session: Session, audience: dict[str, Any]) -> int:
    """How many followers an audience reaches (its codes are checked against the catalogue first)."""
    checked = normalize_audience(session, audience)
    return session.scalar(select(func.count(Member.id)).where(*audience_conditions(checked))) or 0


def normalize_audience(session: Session, audience: dict[str, Any] | None) -> dict[str, Any]:
    """The audience in canonical codes: names resolved (พช., เชียงราย), unknown codes refused."""
    a = _check_shape(audience)
    catalogue = Catalogue(session)
    resolvers = {
        "organisations": ("organisation", catalogue.organisations),
        "personnel_types": ("personnel type", catalogue.personnel_types),
        "positions": ("position", catalogue.positions),
        "topics": ("information topic", catalogue.topics),
    }
    for key, (label, index) in resolvers.items():
        if key in a:
            codes = []
            for value in a[key]:
                found = catalogue.find(index, value)
                if found is None:
                    raise AudienceError(f"Unknown {label} {value!r} in {key!r}: see `boktor org list`.")
                codes.append(found.code)
            a[key] = sorted(set(codes))
    if "organisation_kinds" in a:
        bad = [k for k in a["organisation_kinds"] if k not in ORGANISATION_KINDS]
        if bad:
            raise AudienceError(
                f"Unknown organisation kind {bad[0]!r}; the kinds are {', '.join(ORGANISATION_KINDS)}."
            )
        a["organisation_kinds"] = sorted(set(a["organisation_kinds"]))
    if "provinces" in a:
        a["provinces"] = sorted({_area(key="provinces", value=v) for v in a["provinces"]})
    for key in ("districts", "subdistricts"):
        if key in a:
            a[key] = sorted({_area(key=key, value=v) for v in a[key]})
    return a


def _area(*, key: str, value: str) -> str:
    digits = _AREA_DIGITS[key]
    if key == "provinces":
        found = areas.find_province(value)
    elif key == "districts":
        found = areas.district(value) if value.isdigit() and len(value) == digits else None
    else:
        found = areas.subdistrict(value) if value.isdigit() and len(value) == digits else None
    if found is None:
        hint = "a 2-digit code or a Thai name" if key == "provinces" else f"a {digits}-digit DOPA code"
        raise AudienceError(f"Unknown {key[:-1]} {value!r} in {key!r}: give {hint}.")
    return found.code


def describe_audience(audience: dict[str, Any]) -> str:
    """A short English summary of an audience for operators ("everyone who follows" when empty)."""
    a = _check_shape(audience)
    if not a:
        return "every member who follows the account"
    parts = []
    for key in LIST_KEYS:
        if key in a:
            parts.append(f"{key.replace('_', ' ')}: {', '.join(a[key])}")
    if "surveyed" in a:
        parts.append("answered the survey" if a["surveyed"] else "not yet answered the survey")
    if "joined_after" in a:
        parts.append(f"joined on or after {a['joined_after']}")
    if "joined_before" in a:
        parts.append(f"joined before {a['joined_before']}")
    return "; ".join(parts)
