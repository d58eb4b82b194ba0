"""Rendering the survey page: the form's questions as plain HTML, with the rules for the page's script."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from boktor import __version__
from boktor.config import Mode, Settings
from boktor.survey import messages, xpath
from boktor.survey.definition import FormDefinition

LIFF_SDK_URL = "https://static.line-scdn.net/liff/edge/2/sdk.js"
DEMO_LIFF_URL = "/static/liff-demo.js"

# What the phone's keyboard and autofill should offer for the attributes the survey knows.
_INPUT_HINTS: dict[str, dict[str, str]] = {
    "full_name": {"autocomplete": "name"},
    "phone": {"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    "village_no": {"inputmode": "numeric"},
}


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("boktor", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _messages_for(field: dict[str, Any]) -> dict[str, str]:
    label = field["label"] or field["name"]
    required = messages.REQUIRED_CHOICE if field["type"].startswith("select") else messages.REQUIRED
    return {
        "required": field["required_message"] or required.format(label=label),
        "constraint": field["constraint_message"] or messages.CONSTRAINT.format(label=label),
    }


def page_spec(form: FormDefinition) -> dict[str, Any]:
    """What the page's script needs: the rules as parsed trees and which lists it fetches."""
    fields = []
    for field in form.fields:
        if field["type"] == "note" and not field["relevant"]:
            continue
        spec: dict[str, Any] = {"name": field["name"], "type": field["type"], "widget": form.widget(field)}
        if field["required"]:
            spec["required"] = True
        for rule in ("relevant", "constraint"):
            if field[rule] is not None:
                spec[rule] = field[rule]
        if form.is_lazy(field):
            spec["deps"] = form.dependencies(field)
        if field["type"] != "note":
            spec["msg"] = _messages_for(field)
        fields.append(spec)
    return {"form": form.pk, "fields": fields}


def _view(form: FormDefinition, field: dict[str, Any]) -> dict[str, Any]:
    widget = form.widget(field)
    lazy = form.is_lazy(field)
    view: dict[str, Any] = {
        "name": field["name"],
        "widget": widget,
        "label": field["label"],
        "hint": field["hint"],
        "required": field["required"],
        "hidden": field["relevant"] is not None and not xpath.holds(field["relevant"], {}),
        "inputs": dict(_INPUT_HINTS.get(field["attribute"], {})),
        "lazy": lazy,
        "choices": [] if lazy else form.choices_for(field, {}),
    }
    if widget == "number":
        view["inputs"].setdefault("inputmode", "numeric" if field["type"] == "integer" else "decimal")
    if lazy:
        deps = [form.by_name[name]["label"] for name in form.dependencies(field)]
        view["placeholder"] = messages.PAGE["choose_first"].format(label=deps[-1] if deps else "")
    return view


def _script_json(data: Any) -> str:
    """JSON safe to place inside a <script> element (no "</script>" can appear in it)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_survey_page(form: FormDefinition, settings: Settings) -> str:
    """The HTML of the survey page for `form` (LINE's LIFF SDK in production, Boktor's stand-in in demo)."""
    demo = settings.mode is Mode.demo
    return (
        _environment()
        .get_template("survey.html")
        .render(
            title=form.title,
            fields=[_view(form, f) for f in form.fields],
            spec=_script_json(page_spec(form)),
            ui=messages.PAGE,
            ui_json=_script_json(messages.PAGE),
            liff_id=settings.liff_id,
            liff_sdk=DEMO_LIFF_URL if demo else LIFF_SDK_URL,
            demo=demo,
            asset_version=__version__,
        )
    )
