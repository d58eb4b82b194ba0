"""Reading an XLSForm workbook (survey, choices, settings) into Boktor's form definition.

pyxform reads the workbook and checks it as ODK does; Boktor then checks that every row stays inside
the subset it can show and validate (`FEATURES`), naming the row and the feature when it does not.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import get_xlsform, workbook_to_json

from boktor.survey import xpath

DEFINITION_FORMAT = 1

# Question types Boktor shows and validates; XLSForm spells some with a list name after them.
QUESTION_TYPES = ("text", "integer", "decimal", "select_one", "select_multiple", "note", "acknowledge")
# Metadata rows other tools add (KoboToolbox puts start/end in every form): accepted, not collected.
IGNORED_TYPES = ("start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid")
# Columns of the survey sheet; `label`, `hint`, `required_message`, `constraint_message` may carry ::language.
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "choice_filter",
    "appearance",
    "boktor_attribute",
)
TRANSLATED_COLUMNS = ("label", "hint", "required_message", "constraint_message")
ATTRIBUTE_ALIASES = ("bind::boktor:attribute",)
APPEARANCES = ("", "minimal", "multiline", "numbers", "horizontal", "compact")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "consent_version", "style")
CONSENT_VERSION_ALIASES = ("boktor_consent_version",)

# Member attributes an answer can fill (used to pick audiences), with the question types that fit each.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "full_name": ("text",),
    "organisation": ("select_one",),
    "personnel_type": ("select_one",),
    "position": ("select_one",),
    "position_text": ("text",),
    "province": ("select_one",),
    "district": ("select_one",),
    "subdistrict": ("select_one",),
    "village_no": ("integer", "text"),
    "phone": ("text",),
    "topics": ("select_multiple",),
    "message_frequency": ("select_one",),
    "consent": ("acknowledge",),
}

FEATURES = f"""\
Boktor reads XLSForm (the format of KoboToolbox and ODK) with these features:
  sheets     survey, choices, settings
  types      {", ".join(QUESTION_TYPES)} (select_one/select_multiple name a list: `select_one province`);
             {", ".join(IGNORED_TYPES)} are accepted and ignored
  columns    {", ".join(SURVEY_COLUMNS)};
             label, hint, required_message and constraint_message may be translated (label::Thai (th))
  required   yes/no (or true/false)
  relevant, constraint, choice_filter
             the XPath subset: ${{field}} references, "." (this answer), choice columns by name (in
             choice_filter), numbers and 'strings', = != < <= > >=, + - * div mod, and, or, and the
             functions {", ".join(f"{name}()" for name in xpath.FUNCTIONS)}
  choice_filter  on select_one questions (cascading selects such as province -> district)
  appearance {", ".join(a for a in APPEARANCES if a)}
  boktor_attribute (or bind::boktor:attribute)
             the member attribute an answer fills: {", ".join(ATTRIBUTES)}
  settings   {", ".join(SETTINGS_COLUMNS)} (consent_version: the version of the PDPA notice; it is
             recorded with each member's consent)
Not supported (the load is refused, naming the row): groups and repeats, calculate, other question
types (date, geopoint, image, ...), `or_other`, select_one_from_file, default, read_only, trigger,
parameters, media columns, and functions outside the list above.
"""

_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}
_GROUP_TYPES = {f"{edge}_{kind}" for edge in ("begin", "end") for kind in ("group", "repeat")}


class FormError(ValueError):
    """A workbook Boktor cannot use; the message names the sheet, the row and what is wrong."""


class FormVersionExists(FormError):
    """This form_id and version is already stored; a changed form needs a new version."""


def _language_of(column: str) -> tuple[str, str | None]:
    base, _, language = column.partition("::")
    return base.strip(), (language.strip() or None) if language else None


def _where(row: int) -> str:
    return f"survey sheet, row {row}"


def _read_workbook(source: Path | bytes | str) -> Any:
    try:
        if isinstance(source, bytes):
            return get_xlsform(io.BytesIO(source), file_type="xlsx")
        return get_xlsform(str(source))
    except PyXFormError as error:
        raise FormError(f"The workbook cannot be read as an XLSForm: {error}") from error
    except (OSError, ValueError, KeyError) as error:
        raise FormError(f"The file cannot be read as an Excel workbook (.xlsx): {error}") from error


def _check_survey_rows(rows: Iterable[dict[str, Any]]) -> None:
    """Refuse rows that use a feature outside Boktor's subset, naming the row and the feature."""
    attributes_seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        kind = str(row.get("type", "")).strip()
        head, *rest = kind.split()
        where = _where(number)
        if "_".join(kind.split()[:2]) in _GROUP_TYPES:
            raise FormError(
                f"{where}: groups and repeats ({kind!r}) are not supported; list the questions plainly."
            )
        if head in IGNORED_TYPES and not rest:
            continue
        if head not in QUESTION_TYPES:
            raise FormError(
                f"{where}: the question type {kind!r} is not supported "
                f"(supported: {', '.join(QUESTION_TYPES)})."
            )
        if head.startswith("select_"):
            if len(rest) != 1:
                detail = " (`or_other` is not supported)" if "or_other" in rest else ""
                raise FormError(
                    f"{where}: write {head} followed by one list name, e.g. `{head} topics`{detail}."
                )
        elif rest:
            raise FormError(f"{where}: the type {kind!r} has extra words.")
        for column, value in row.items():
            base, language = _language_of(column)
            if column in ATTRIBUTE_ALIASES:
                continue
            if base.startswith(("media", "image", "audio", "video", "big-image")):
                raise FormError(f"{where}: media columns ({column!r}) are not supported.")
            if base not in SURVEY_COLUMNS:
                raise FormError(
                    f"{where}: the column {column!r} is not supported (supported: {', '.join(SURVEY_COLUMNS)})."
                )
            if language and base not in TRANSLATED_COLUMNS:
                raise FormError(f"{where}: the column {base!r} cannot be translated ({column!r}).")
            if base == "required" and str(value).strip().lower() not in _TRUE | _FALSE:
                raise FormError(
                    f"{where}: required must be yes or no, not {value!r} (expressions are not supported)."
                )
            if base == "appearance" and str(value).strip() not in APPEARANCES:
                raise FormError(
                    f"{where}: the appearance {value!r} is not supported "
                    f"(supported: {', '.join(a for a in APPEARANCES if a)})."
                )
            if base in ("relevant", "constraint", "choice_filter") and str(value).strip():
                try:
                    node = xpath.parse(str(value))
                except xpath.ExpressionError as error:
                    raise FormError(f"{where}: the {base} {value!r} cannot be used: {error}.") from error
                if base != "choice_filter" and xpath.columns(node):
                    names = ", ".join(sorted(xpath.columns(node)))
                    raise FormError(
                        f"{where}: the {base} {value!r} names {names} without ${{...}}; "
                        f"write ${{{sorted(xpath.columns(node))[0]}}} to refer to a question."
                    )
            if base == "choice_filter" and head != "select_one":
                raise FormError(f"{where}: choice_filter is supported on select_one questions only.")
        attribute = _attribute_of(row)
        if attribute:
            if attribute not in ATTRIBUTES:
                raise FormError(
                    f"{where}: the member attribute {attribute!r} is not known "
                    f"(known: {', '.join(ATTRIBUTES)})."
                )
            if head not in ATTRIBUTES[attribute]:
                raise FormError(
                    f"{where}: the member attribute {attribute!r} needs a question of type "
                    f"{' or '.join(ATTRIBUTES[attribute])}, not {head}."
                )
            if attribute in attributes_seen:
                raise FormError(
                    f"{where}: the member attribute {attribute!r} is already filled by row "
                    f"{attributes_seen[attribute]}."
                )
            attributes_seen[attribute] = number


def _attribute_of(row: dict[str, Any]) -> str:
    for column in ("boktor_attribute", *ATTRIBUTE_ALIASES):
        if row.get(column):
            return str(row[column]).strip()
    return ""


def _check_choices(rows: Iterable[dict[str, Any]]) -> None:
    for number, row in enumerate(rows, start=2):
        for column in row:
            base, _ = _language_of(column)
            if base.startswith(("media", "image", "audio", "video", "big-image")):
                raise FormError(f"choices sheet, row {number}: media columns ({column!r}) are not supported.")


def _check_settings(rows: list[dict[str, Any]]) -> dict[str, str]:
    settings = {k: str(v).strip() for k, v in (rows[0] if rows else {}).items()}
    for alias in CONSENT_VERSION_ALIASES:
        if alias in settings:
            settings["consent_version"] = settings.pop(alias)
    for column in settings:
        if column not in SETTINGS_COLUMNS:
            raise FormError(
                f"settings sheet: the column {column!r} is not supported "
                f"(supported: {', '.join(SETTINGS_COLUMNS)})."
            )
    for required in ("form_id", "version"):
        if not settings.get(required):
            raise FormError(
                f"settings sheet: {required} is missing; every form needs a form_id and a version."
            )
    if len(settings["form_id"]) > 100 or len(settings["version"]) > 50:
        raise FormError("settings sheet: form_id must be at most 100 characters and version at most 50.")
    return settings


def _texts(value: Any) -> dict[str, str]:
    """A translated text as {language: text}; plain text is under "default"."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}
    return {"default": str(value)}


def _pick_language(settings: dict[str, str], languages: set[str]) -> str:
    if settings.get("default_language") in languages:
        return settings["default_language"]
    thai = sorted(lang for lang in languages if "(th)" in lang or lang.lower().startswith(("thai", "th")))
    if thai:
        return thai[0]
    return "default" if "default" in languages or not languages else sorted(languages)[0]


def _one(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("default") or next(iter(texts.values()), "")


def _question(element: dict[str, Any], row: int, language: str) -> dict[str, Any]:
    bind = element.get("bind", {})
    kind = {"select one": "select_one", "select all that apply": "select_multiple"}.get(
        element["type"], element["type"]
    )
    field: dict[str, Any] = {
        "name": element["name"],
        "type": kind,
        "row": row,
        "label": _one(_texts(element.get("label")), language),
        "hint": _one(_texts(element.get("hint")), language),
        "required": str(bind.get("required", "")).lower() in _TRUE,
        "required_message": _one(_texts(bind.get("jr:requiredMsg")), language),
        "constraint_message": _one(_texts(bind.get("jr:constraintMsg")), language),
        "appearance": str(element.get("control", {}).get("appearance", "")),
        "attribute": str(element.get("boktor_attribute") or bind.get("boktor:attribute") or "").strip(),
        "list": element.get("list_name"),
    }
    for key, text in (
        ("relevant", bind.get("relevant")),
        ("constraint", bind.get("constraint")),
        ("choice_filter", element.get("choice_filter")),
    ):
        field[key] = xpath.parse(text) if text else None
        field[f"{key}_text"] = text or ""
    return field


def _choices(lists: dict[str, list[dict[str, Any]]], language: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for list_name, entries in lists.items():
        out[list_name] = []
        for entry in entries:
            choice = {"name": str(entry["name"]), "label": _one(_texts(entry.get("label")), language)}
            extra = {k: str(v) for k, v in entry.items() if k not in ("name", "label", "media")}
            if extra:
                choice["data"] = extra
            out[list_name].append(choice)
    return out


def _check_references(fields: list[dict[str, Any]], choices: dict[str, list[dict[str, Any]]]) -> None:
    names = {f["name"] for f in fields}
    for field in fields:
        where = _where(field["row"])
        for key in ("relevant", "constraint", "choice_filter"):
            node = field[key]
            if node is None:
                continue
            missing = sorted(xpath.references(node) - names)
            if missing:
                raise FormError(
                    f"{where}: the {key} refers to ${{{missing[0]}}}, which is not a question in the form."
                )
            if key == "choice_filter":
                available = {c for entry in choices.get(field["list"], []) for c in entry.get("data", {})}
                absent = sorted(xpath.columns(node) - available)
                if absent:
                    raise FormError(
                        f"{where}: the choice_filter reads the column {absent[0]!r}, which the list "
                        f"{field['list']!r} on the choices sheet does not have."
                    )


def read_form(source: Path | bytes | str) -> dict[str, Any]:
    """The definition of the XLSForm in `source` (a path or the bytes of an .xlsx), or FormError."""
    workbook = _read_workbook(source)
    _check_survey_rows(workbook.survey)
    _check_choices(workbook.choices)
    settings = _check_settings(workbook.settings)
    try:
        parsed = workbook_to_json(workbook, form_name="data", warnings=[])
    except PyXFormError as error:
        raise FormError(f"The XLSForm is not valid: {error}") from error

    rows = {
        str(row.get("name")): number for number, row in enumerate(workbook.survey, start=2) if row.get("name")
    }
    languages: set[str] = set()
    for element in parsed["children"]:
        languages |= set(_texts(element.get("label")))
    language = _pick_language(settings, languages)

    fields = []
    for element in parsed["children"]:
        if element.get("type") in ("group",) or element.get("name") == "meta":
            continue
        if element.get("type") in IGNORED_TYPES:
            continue
        fields.append(_question(element, rows.get(element["name"], 0), language))
    choices = _choices(parsed.get("choices", {}), language)
    _check_references(fields, choices)
    if not any(f["type"] != "note" for f in fields):
        raise FormError("survey sheet: the form has no questions.")

    consent_version = settings.get("consent_version") or _consent_digest(fields)
    return {
        "format": DEFINITION_FORMAT,
        "form_id": settings["form_id"],
        "version": settings["version"],
        "title": settings.get("form_title") or parsed.get("title") or settings["form_id"],
        "language": language,
        "consent_version": consent_version if any(f["attribute"] == "consent" for f in fields) else None,
        "fields": fields,
        "choices": choices,
    }


def _consent_digest(fields: list[dict[str, Any]]) -> str:
    """A version for the consent text when the form does not name one: a digest of its notes and consent."""
    text = json.dumps(
        [f["label"] for f in fields if f["type"] in ("note", "acknowledge")], ensure_ascii=False
    ).encode()
    return "sha-" + hashlib.sha256(text).hexdigest()[:12]
