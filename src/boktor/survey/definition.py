"""A loaded form definition with the lookups the page and the validator need (choices by name, filters)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from boktor.survey import xpath

# A select_one with this many choices or fewer shows as radio buttons (one tap); longer ones as a list.
RADIO_LIMIT = 6


class FormDefinition:
    """One version of a form, read-only; built once per stored form and cached by its primary key."""

    def __init__(self, pk: int, definition: dict[str, Any]) -> None:
        self.pk = pk
        self.raw = definition
        self.form_id: str = definition["form_id"]
        self.version: str = definition["version"]
        self.title: str = definition["title"]
        self.consent_version: str | None = definition.get("consent_version")
        self.fields: list[dict[str, Any]] = definition["fields"]
        self.by_name = {f["name"]: f for f in self.fields}
        self.lists: dict[str, list[dict[str, Any]]] = definition["choices"]
        self._choice_index = {name: {c["name"]: c for c in entries} for name, entries in self.lists.items()}
        self._filtered = lru_cache(maxsize=4096)(self._filter_uncached)

    def questions(self) -> list[dict[str, Any]]:
        """Fields that take an answer (not notes)."""
        return [f for f in self.fields if f["type"] != "note"]

    def choice(self, field: dict[str, Any], name: str) -> dict[str, Any] | None:
        return self._choice_index.get(field["list"] or "", {}).get(name)

    def is_lazy(self, field: dict[str, Any]) -> bool:
        """Whether the field's choices depend on other answers (so the page fetches them)."""
        return field["choice_filter"] is not None and bool(xpath.references(field["choice_filter"]))

    def dependencies(self, field: dict[str, Any]) -> list[str]:
        """The questions whose answers a field's choice_filter reads, in form order."""
        refs = xpath.references(field["choice_filter"]) if field["choice_filter"] else set()
        return [f["name"] for f in self.fields if f["name"] in refs]

    def passes_filter(
        self, field: dict[str, Any], choice: dict[str, Any], answers: Mapping[str, Any]
    ) -> bool:
        """Whether a choice is offered given the answers (choice_filter)."""
        data = choice.get("data", {})
        return xpath.holds(field["choice_filter"], answers, column=lambda name: data.get(name, ""))

    def choices_for(self, field: dict[str, Any], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(name, label) of the choices offered for these answers; cached, forms never change."""
        deps = tuple(str(answers.get(name, "")) for name in self.dependencies(field))
        return self._filtered(field["name"], deps)

    def _filter_uncached(self, field_name: str, deps: tuple[str, ...]) -> list[tuple[str, str]]:
        field = self.by_name[field_name]
        answers = dict(zip(self.dependencies(field), deps, strict=True))
        entries = self.lists.get(field["list"] or "", [])
        if field["choice_filter"] is None:
            return [(c["name"], c["label"]) for c in entries]
        return [(c["name"], c["label"]) for c in entries if self.passes_filter(field, c, answers)]

    def field_with_attribute(self, attribute: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f["attribute"] == attribute), None)

    def widget(self, field: dict[str, Any]) -> str:
        """How the page shows a question: text, textarea, number, radio, select, checkbox, consent, note."""
        kind = field["type"]
        if kind == "note":
            return "note"
        if kind == "acknowledge":
            return "consent"
        if kind == "select_multiple":
            return "checkbox"
        if kind == "select_one":
            small = len(self.lists.get(field["list"] or "", [])) <= RADIO_LIMIT
            if small and not self.is_lazy(field) and field["appearance"] != "minimal":
                return "radio"
            return "select"
        if kind in ("integer", "decimal"):
            return "number"
        return "textarea" if field["appearance"] == "multiline" else "text"


# Keyed by database and primary key: tests and tools may hold several databases in one process.
_cache: dict[tuple[str, int], FormDefinition] = {}


def cached(database: str, pk: int, load: Callable[[], dict[str, Any]]) -> FormDefinition:
    """The FormDefinition of a stored form, built once (a stored version is never changed)."""
    key = (database, pk)
    found = _cache.get(key)
    if found is None:
        if len(_cache) > 64:
            _cache.clear()
        found = _cache[key] = FormDefinition(pk, load())
    return found
