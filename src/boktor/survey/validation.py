"""Checking a submission against its form on the server: types, relevance, required, choices, constraints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boktor.survey import messages, xpath
from boktor.survey.definition import FormDefinition

TEXT_LIMIT = 1000
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ACKNOWLEDGED = {"ok", "yes", "true", "1", "on"}


class _Invalid(ValueError):
    """An answer of the wrong shape; the message is already the Thai one to show."""


@dataclass
class Checked:
    """The clean answers of the relevant questions, and a Thai message per question that failed."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _label(question: dict[str, Any]) -> str:
    return question["label"] or question["name"]


def _coerce(question: dict[str, Any], raw: Any) -> Any:
    """The typed answer, None when empty, or _Invalid."""
    kind, label = question["type"], _label(question)
    if raw is None or raw == "" or raw == [] or (raw is False and kind != "acknowledge"):
        return None
    if kind == "select_multiple":
        values = raw.split() if isinstance(raw, str) else raw
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            raise _Invalid(messages.NOT_A_CHOICE.format(label=label))
        unique = list(dict.fromkeys(str(v) for v in values))
        return unique or None
    if kind == "acknowledge":
        if raw is True or str(raw).strip().lower() in _ACKNOWLEDGED:
            return "OK"
        return None
    if isinstance(raw, bool | dict | list):
        raise _Invalid(messages.NOT_TEXT.format(label=label))
    text = str(raw).strip()
    if not text:
        return None
    if kind == "integer":
        digits = text.translate(_THAI_DIGITS).replace(",", "")
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if not digits.lstrip("-").isdigit() or len(digits) > 12:
            raise _Invalid(messages.NOT_INTEGER.format(label=label))
        return int(digits)
    if kind == "decimal":
        try:
            return float(text.translate(_THAI_DIGITS).replace(",", ""))
        except ValueError:
            raise _Invalid(messages.NOT_NUMBER.format(label=label)) from None
    if len(text) > TEXT_LIMIT:
        raise _Invalid(messages.TOO_LONG.format(label=label, limit=TEXT_LIMIT))
    return text


def xpath_value(value: Any) -> xpath.Value:
    """An answer as XPath sees it: numbers as numbers, selections as space-separated names, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def check(form: FormDefinition, raw: dict[str, Any]) -> Checked:
    """Validate raw answers (as the page sends them) against `form`; nothing is trusted from the page."""
    result = Checked()
    typed: dict[str, Any] = {}
    for question in form.questions():
        try:
            typed[question["name"]] = _coerce(question, raw.get(question["name"]))
        except _Invalid as error:
            typed[question["name"]] = None
            result.errors[question["name"]] = str(error)
    values = {name: xpath_value(value) for name, value in typed.items()}

    for question in form.questions():
        name, label = question["name"], _label(question)
        if not xpath.holds(question["relevant"], values):
            values[name] = ""  # an answer to a question that does not apply is discarded, as in ODK
            result.errors.pop(name, None)
            continue
        if name in result.errors:
            continue
        value = typed[name]
        if value is None:
            if question["required"]:
                default = (
                    messages.REQUIRED_CHOICE if question["type"].startswith("select") else messages.REQUIRED
                )
                result.errors[name] = question["required_message"] or default.format(label=label)
            continue
        if question["type"].startswith("select"):
            if any(dep in result.errors for dep in form.dependencies(question)):
                continue  # the answer it cascades from is wrong: the member fixes that one first
            chosen = value if isinstance(value, list) else [value]
            for name_of_choice in chosen:
                choice = form.choice(question, name_of_choice)
                if choice is None or not form.passes_filter(question, choice, values):
                    result.errors[name] = messages.NOT_A_CHOICE.format(label=label)
                    break
            if name in result.errors:
                continue
        if question["constraint"] is not None and not xpath.holds(
            question["constraint"], values, dot=values[name]
        ):
            result.errors[name] = question["constraint_message"] or messages.CONSTRAINT.format(label=label)
            continue
        result.answers[name] = value
    return result
