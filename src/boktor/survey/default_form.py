"""The sign-up form that ships with Boktor, written as an XLSForm workbook from the catalogue and geothai.

The shipped `default_form.xlsx` is regenerated with `python -m boktor.survey.default_form`; an operator
gets one from their own (extended) catalogue with `boktor survey default-form FILE` and may edit it.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from pythainlp.util import collate
from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.org import areas
from boktor.org.catalogue import read_catalogue
from boktor.org.models import InformationTopic, Organisation, PersonnelType, Position
from boktor.survey import messages

SHIPPED_FORM = files("boktor.survey").joinpath("default_form.xlsx")
FORM_ID = "boktor_signup"
VERSION = "2026.1"
CONSENT_VERSION = "pdpa-2026-1"
TH = "Thai (th)"
OTHER_POSITION = "other"

SURVEY_HEADER = (
    "type",
    "name",
    f"label::{TH}",
    f"hint::{TH}",
    "required",
    f"required_message::{TH}",
    "relevant",
    "constraint",
    f"constraint_message::{TH}",
    "choice_filter",
    "appearance",
    "boktor_attribute",
)


def catalogue_from_toml(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The catalogue as the builder needs it, from catalogue.toml (the shipped one when None)."""
    data = read_catalogue(path)
    return {
        section: sorted(entries, key=lambda e: e.get("sort_order", 0)) for section, entries in data.items()
    }


def catalogue_from_database(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The catalogue as the builder needs it, from the database (with the operator's additions)."""

    def rows(model: type, *names: str) -> list[dict[str, Any]]:
        ordered = session.scalars(select(model).order_by(model.sort_order, model.id))
        return [{"code": r.code, "name_th": r.name_th, **{n: getattr(r, n) for n in names}} for r in ordered]

    return {
        "organisations": rows(Organisation, "kind"),
        "personnel_types": rows(PersonnelType),
        "positions": rows(Position, "organisation_kind"),
        "information_topics": rows(InformationTopic),
    }


def _question(**cells: str) -> list[str]:
    keys = {
        "label": f"label::{TH}",
        "hint": f"hint::{TH}",
        "required_message": f"required_message::{TH}",
        "constraint_message": f"constraint_message::{TH}",
    }
    named = {keys.get(k, k): v for k, v in cells.items()}
    return [named.get(column, "") for column in SURVEY_HEADER]


def survey_rows() -> list[list[str]]:
    """The questions of the default form, in order."""
    q = messages.DEFAULT_FORM
    return [
        _question(type="note", name="intro", label=q["intro"]),
        _question(
            type="text", name="full_name", label=q["full_name"], hint=q["full_name_hint"], required="yes",
            required_message=q["full_name_required"],
            constraint=r"string-length(.) <= 120 and regex(., '^\S+(\s+\S+)+$') and not(regex(., '[0-9๐-๙]'))",
            constraint_message=q["full_name_constraint"], boktor_attribute="full_name",
        ),
        _question(
            type="select_one personnel_type", name="personnel_type", label=q["personnel_type"], required="yes",
            appearance="minimal", boktor_attribute="personnel_type",
        ),
        _question(
            type="select_one organisation", name="organisation", label=q["organisation"], required="yes",
            appearance="minimal", boktor_attribute="organisation",
        ),
        _question(
            type="select_one position", name="position", label=q["position"], hint=q["position_hint"],
            required="yes", choice_filter="orgs = '' or selected(orgs, ${organisation})",
            appearance="minimal", boktor_attribute="position",
        ),
        _question(
            type="text", name="position_other", label=q["position_other"], required="yes",
            relevant=f"${{position}} = '{OTHER_POSITION}'", constraint="string-length(.) <= 150",
            constraint_message=q["too_long"], boktor_attribute="position_text",
        ),
        _question(
            type="select_one province", name="province", label=q["province"], hint=q["province_hint"],
            required="yes", appearance="minimal", boktor_attribute="province",
        ),
        _question(
            type="select_one district", name="district", label=q["district"], required="yes",
            choice_filter="province = ${province}", appearance="minimal", boktor_attribute="district",
        ),
        _question(
            type="select_one subdistrict", name="subdistrict", label=q["subdistrict"], required="yes",
            choice_filter="district = ${district}", appearance="minimal", boktor_attribute="subdistrict",
        ),
        _question(
            type="integer", name="village_no", label=q["village_no"], hint=q["village_no_hint"],
            constraint=". >= 1 and . <= 99", constraint_message=q["village_no_constraint"],
            appearance="numbers", boktor_attribute="village_no",
        ),
        _question(
            type="text", name="phone", label=q["phone"], hint=q["phone_hint"],
            constraint=r"regex(., '^[+]?[0-9๐-๙][0-9๐-๙ ()-]{7,15}$')",
            constraint_message=q["phone_constraint"], appearance="numbers", boktor_attribute="phone",
        ),
        _question(
            type="select_multiple topic", name="topics", label=q["topics"], hint=q["topics_hint"],
            required="yes", required_message=q["topics_required"], boktor_attribute="topics",
        ),
        _question(
            type="select_one frequency", name="frequency", label=q["frequency"], required="yes",
            boktor_attribute="message_frequency",
        ),
        _question(
            type="text", name="comments", label=q["comments"], hint=q["comments_hint"],
            constraint="string-length(.) <= 500", constraint_message=q["comments_constraint"],
            appearance="multiline",
        ),
        _question(type="note", name="pdpa_notice", label=messages.PDPA_NOTICE),
        _question(
            type="acknowledge", name="consent", label=q["consent"], required="yes",
            required_message=q["consent_required"], boktor_attribute="consent",
        ),
    ]  # fmt: skip


def choice_rows(catalogue: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    """The choices sheet: catalogue lists, the frequency list and the three levels of Thai areas."""
    rows: list[list[str]] = []
    for entry in catalogue["personnel_types"]:
        rows.append(["personnel_type", entry["code"], entry["name_th"], "", "", ""])
    kinds: dict[str, list[str]] = {}
    for entry in catalogue["organisations"]:
        kinds.setdefault(entry.get("kind") or "other", []).append(entry["code"])
        rows.append(["organisation", entry["code"], entry["name_th"], "", "", ""])
    for entry in catalogue["positions"]:
        # A position tied to a kind of organisation is offered only to those organisations.
        orgs = " ".join(kinds.get(entry.get("organisation_kind") or "", []))
        rows.append(["position", entry["code"], entry["name_th"], "", "", orgs])
    rows.append(["position", OTHER_POSITION, messages.DEFAULT_FORM["other_position"], "", "", ""])
    for entry in catalogue["information_topics"]:
        rows.append(["topic", entry["code"], entry["name_th"], "", "", ""])
    for code, label in messages.FREQUENCIES.items():
        rows.append(["frequency", code, label, "", "", ""])

    provinces = {p.name_th: p for p in areas.provinces()}
    for name in collate(list(provinces)):
        province = provinces[name]
        rows.append(["province", province.code, name, "", "", ""])
        districts = {d.name_th: d for d in areas.districts(province.code)}
        for district_name in collate(list(districts)):
            district = districts[district_name]
            rows.append(["district", district.code, district_name, province.code, "", ""])
            subdistricts = {s.name_th: s for s in areas.subdistricts(district.code)}
            for sub_name in collate(list(subdistricts)):
                rows.append(["subdistrict", subdistricts[sub_name].code, sub_name, "", district.code, ""])
    return rows


def build_workbook(
    path: Path, catalogue: dict[str, list[dict[str, Any]]] | None = None, version: str = VERSION
) -> Path:
    """Write the default form as an XLSForm workbook at `path` (from the shipped catalogue when None)."""
    catalogue = catalogue or catalogue_from_toml()
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(list(SURVEY_HEADER))
    for row in survey_rows():
        survey.append(row)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{TH}", "province", "district", "orgs"])
    for row in choice_rows(catalogue):
        choices.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "consent_version"])
    settings.append([messages.DEFAULT_FORM["title"], FORM_ID, version, TH, CONSENT_VERSION])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(str(SHIPPED_FORM))
    print(build_workbook(target))
