"""Turning checked answers into the member's profile: the attributes that audiences filter on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boktor.members.models import Member, MemberTopic
from boktor.members.phones import is_mobile, normalise_phone
from boktor.org import areas
from boktor.org.catalogue import Catalogue
from boktor.survey import messages
from boktor.survey.definition import FormDefinition

# Member columns an answer can fill; each is written only when the form maps a question to it.
_COLUMNS = (
    "full_name",
    "organisation_id",
    "personnel_type_id",
    "position_id",
    "position_text",
    "province_code",
    "district_code",
    "subdistrict_code",
    "village_no",
    "phone",
    "message_frequency",
)


def profile_from_answers(
    form: FormDefinition, answers: dict[str, Any], catalogue: Catalogue
) -> tuple[dict[str, Any], dict[str, str]]:
    """Member column values from the answers, and Thai errors for answers that cannot be used."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def answer(attribute: str) -> tuple[str | None, Any]:
        question = form.field_with_attribute(attribute)
        if question is None:
            return None, None
        return question["name"], answers.get(question["name"])

    def label(attribute: str) -> str:
        question = form.field_with_attribute(attribute)
        return question["label"] if question else attribute

    for attribute, column in (("full_name", "full_name"), ("position_text", "position_text")):
        name, value = answer(attribute)
        if name:
            values[column] = " ".join(str(value).split())[:200] if value else None

    for attribute, index, column in (
        ("organisation", catalogue.organisations, "organisation_id"),
        ("personnel_type", catalogue.personnel_types, "personnel_type_id"),
        ("position", catalogue.positions, "position_id"),
    ):
        name, value = answer(attribute)
        if not name:
            continue
        entry = Catalogue.find(index, value) if value else None
        if value and entry is None and attribute != "position":
            errors[name] = messages.UNKNOWN_CATALOGUE.format(label=label(attribute))
        values[column] = entry.id if entry else None

    _areas(answer, label, values, errors)

    name, value = answer("village_no")
    if name:
        try:
            values["village_no"] = areas.parse_village_no(value)
        except ValueError:
            errors[name] = messages.VILLAGE_INVALID

    name, value = answer("phone")
    if name:
        try:
            phone = normalise_phone(value)
        except ValueError:
            phone, errors[name] = None, messages.PHONE_INVALID
        if phone and not is_mobile(phone):
            phone, errors[name] = None, messages.PHONE_INVALID
        values["phone"] = phone

    name, value = answer("message_frequency")
    if name:
        values["message_frequency"] = str(value)[:30] if value else None

    name, value = answer("topics")
    if name:
        codes = []
        for text in value or []:
            topic = Catalogue.find(catalogue.topics, text)
            if topic is None:
                errors[name] = messages.UNKNOWN_CATALOGUE.format(label=label("topics"))
            else:
                codes.append(topic.code)
        values["topics"] = sorted(set(codes))

    name, value = answer("consent")
    if name:
        values["consent"] = value == "OK"
    return values, errors


def _areas(answer, label, values: dict[str, Any], errors: dict[str, str]) -> None:
    """Area codes, each checked to lie inside the one above it."""
    province_field, province_code = answer("province")
    district_field, district_code = answer("district")
    subdistrict_field, subdistrict_code = answer("subdistrict")
    if province_field:
        values["province_code"] = province_code if areas.province(province_code) else None
        if province_code and values["province_code"] is None:
            errors[province_field] = messages.NOT_A_CHOICE.format(label=label("province"))
    if district_field:
        found = areas.district(district_code)
        if district_code and (found is None or (province_code and found.province_code != province_code)):
            errors[district_field] = messages.AREA_MISMATCH.format(label=label("district"), parent="จังหวัด")
            found = None
        values["district_code"] = found.code if found else None
        if found and "province_code" not in values:
            values["province_code"] = found.province_code
    if subdistrict_field:
        found = areas.subdistrict(subdistrict_code)
        if subdistrict_code and (found is None or (district_code and found.district_code != district_code)):
            errors[subdistrict_field] = messages.AREA_MISMATCH.format(
                label=label("subdistrict"), parent="อำเภอ"
            )
            found = None
        values["subdistrict_code"] = found.code if found else None


def apply_profile(member: Member, form: FormDefinition, values: dict[str, Any], now: datetime) -> None:
    """Write the profile onto the member: attributes the form maps, topics replaced, consent recorded."""
    for column in _COLUMNS:
        if column in values:
            setattr(member, column, values[column])
    if "topics" in values:
        wanted = set(values["topics"])
        member.topics = [t for t in member.topics if t.topic_code in wanted] + [
            MemberTopic(topic_code=code) for code in sorted(wanted - set(member.topic_codes))
        ]
    if values.get("consent"):
        member.consent_version = form.consent_version
        member.consented_at = now
    elif "consent" in values:  # a form where consent is optional, answered without it: withdrawn
        member.consent_version = None
        member.consented_at = None
    member.surveyed_at = now
