"""Loading the organisation catalogue from TOML, and looking entries up by code or Thai name."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.org.models import InformationTopic, Organisation, PersonnelType, Position

DEFAULT_CATALOGUE = files("boktor.org").joinpath("catalogue.toml")
ORGANISATION_KINDS = ("department", "state_enterprise", "local_government", "local_leader", "other")

_SECTIONS: dict[str, tuple[type, tuple[str, ...]]] = {
    "organisations": (Organisation, ("name_th", "short_name_th", "name_en", "kind")),
    "personnel_types": (PersonnelType, ("name_th",)),
    "positions": (Position, ("name_th", "organisation_kind")),
    "information_topics": (InformationTopic, ("name_th",)),
}


class CatalogueError(ValueError):
    """The catalogue file cannot be loaded; the message says where and why."""


@dataclass
class LoadResult:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)


def read_catalogue(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Parse and check a catalogue file (the shipped one when `path` is None)."""
    try:
        raw = Path(path).read_bytes() if path else DEFAULT_CATALOGUE.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"Cannot read the catalogue {path or 'shipped with Boktor'}: {error}") from error
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise CatalogueError(
            f"Unknown section(s) {', '.join(sorted(unknown))}; expected {', '.join(_SECTIONS)}."
        )
    for section, entries in data.items():
        seen: set[str] = set()
        for number, entry in enumerate(entries, start=1):
            where = f"{section} entry {number}"
            if not entry.get("code") or not entry.get("name_th"):
                raise CatalogueError(f"{where}: every entry needs a code and a name_th.")
            if entry["code"] in seen:
                raise CatalogueError(f"{where}: the code {entry['code']!r} appears twice.")
            seen.add(entry["code"])
            if section == "organisations" and entry.get("kind", "other") not in ORGANISATION_KINDS:
                raise CatalogueError(f"{where}: kind must be one of {', '.join(ORGANISATION_KINDS)}.")
    return data


def load_catalogue(session: Session, path: Path | None = None) -> LoadResult:
    """Add or update catalogue entries by code; nothing is deleted (members may point at them)."""
    data = read_catalogue(path)
    result = LoadResult()
    for section, entries in data.items():
        model, fields = _SECTIONS[section]
        existing = {row.code: row for row in session.scalars(select(model))}
        for order, entry in enumerate(entries):
            row = existing.get(entry["code"])
            if row is None:
                row = model(code=entry["code"])
                session.add(row)
                result.added[section] = result.added.get(section, 0) + 1
            else:
                result.updated[section] = result.updated.get(section, 0) + 1
            for name in fields:
                if name in entry or name == "kind":
                    setattr(row, name, entry.get(name, "other"))
            row.sort_order = entry.get("sort_order", order)
    session.flush()
    return result


def _key(text: str) -> str:
    return "".join(text.split()).replace(".", "").casefold()


class Catalogue:
    """An in-memory index of the catalogue for resolving what people type (code, Thai name, short name)."""

    def __init__(self, session: Session) -> None:
        self.organisations = self._index(session.scalars(select(Organisation)), ("short_name_th", "name_en"))
        self.personnel_types = self._index(session.scalars(select(PersonnelType)), ())
        self.positions = self._index(session.scalars(select(Position)), ())
        self.topics = self._index(session.scalars(select(InformationTopic)), ())

    @staticmethod
    def _index(rows, extra: tuple[str, ...]) -> dict[str, Any]:
        index: dict[str, Any] = {}
        for row in rows:
            for name in ("code", "name_th", *extra):
                value = getattr(row, name, None)
                if value:
                    index.setdefault(_key(value), row)
        return index

    @staticmethod
    def find(index: dict[str, Any], text: str | None) -> Any | None:
        """The entry whose code, Thai name or short name is `text`, if any."""
        if not text:
            return None
        return index.get(_key(str(text)))
