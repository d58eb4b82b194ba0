"""Stored form versions: loading an XLSForm as a new version, the one active form, the default form."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

from boktor.org import areas
from boktor.org.catalogue import Catalogue, load_catalogue
from boktor.org.models import Organisation
from boktor.survey import definition as definitions
from boktor.survey.default_form import FORM_ID, OTHER_POSITION, SHIPPED_FORM
from boktor.survey.default_form import VERSION as DEFAULT_VERSION
from boktor.survey.models import SurveyForm
from boktor.survey.xlsform import FormError, FormVersionExists, read_form

# Which catalogue index or area level each member attribute's choices must come from.
_CATALOGUE_LISTS = {
    "organisation": "organisations",
    "personnel_type": "personnel_types",
    "position": "positions",
    "topics": "topics",
}
_AREA_LEVELS = {"province": areas.province, "district": areas.district, "subdistrict": areas.subdistrict}


def _check_attribute_choices(session: Session, definition: dict[str, Any]) -> None:
    """Refuse a form whose mapped choices name catalogue entries or areas Boktor does not know."""
    catalogue = Catalogue(session)
    for field in definition["fields"]:
        attribute = field["attribute"]
        entries = definition["choices"].get(field["list"] or "", [])
        where = f"survey sheet, row {field['row']} ({field['name']})"
        if attribute in _CATALOGUE_LISTS:
            index = getattr(catalogue, _CATALOGUE_LISTS[attribute])
            unknown = [
                c["name"]
                for c in entries
                if Catalogue.find(index, c["name"]) is None
                and not (attribute == "position" and c["name"] == OTHER_POSITION)
            ]
            if unknown:
                raise FormError(
                    f"{where}: the choices {', '.join(unknown[:5])} of list {field['list']!r} are not codes in "
                    f"the organisation catalogue ({attribute}); add them with `boktor org load` or fix the list."
                )
        if attribute in _AREA_LEVELS:
            lookup = _AREA_LEVELS[attribute]
            unknown = [c["name"] for c in entries if lookup(c["name"]) is None]
            if unknown:
                raise FormError(
                    f"{where}: the choices {', '.join(unknown[:5])} of list {field['list']!r} are not "
                    f"{attribute} codes of the Department of Provincial Administration."
                )


def load_form(session: Session, source: Path | bytes | str, *, activate: bool = False) -> SurveyForm:
    """Store the XLSForm in `source` as a new form version (refused if that version exists)."""
    return store_form(session, read_form(source), activate=activate)


def store_form(session: Session, definition: dict[str, Any], *, activate: bool = False) -> SurveyForm:
    """Store a read form definition as a new version (refused if that version exists)."""
    exists = session.scalar(
        select(SurveyForm.id).where(
            SurveyForm.form_id == definition["form_id"], SurveyForm.version == definition["version"]
        )
    )
    if exists:
        raise FormVersionExists(
            f"The form {definition['form_id']!r} version {definition['version']!r} is already loaded; "
            "raise `version` on the settings sheet to load a changed form."
        )
    _check_attribute_choices(session, definition)
    form = SurveyForm(
        form_id=definition["form_id"],
        version=definition["version"],
        title=definition["title"][:300],
        definition=definition,
        consent_version=definition["consent_version"],
    )
    session.add(form)
    session.flush()
    if activate:
        activate_form(session, form)
    return form


def activate_form(session: Session, form: SurveyForm) -> None:
    """Make `form` the one active form."""
    session.execute(update(SurveyForm).where(SurveyForm.id != form.id).values(is_active=False))
    form.is_active = True
    session.flush()


def find_form(session: Session, form_id: str, version: str | None = None) -> SurveyForm | None:
    """A stored form by form_id and version (the latest loaded when version is None)."""
    query = select(SurveyForm).where(SurveyForm.form_id == form_id)
    if version:
        query = query.where(SurveyForm.version == version)
    return session.scalar(query.order_by(SurveyForm.id.desc()).limit(1))


def list_forms(session: Session) -> list[SurveyForm]:
    return list(
        session.scalars(
            select(SurveyForm)
            .options(load_only(SurveyForm.form_id, SurveyForm.version, SurveyForm.title,
                               SurveyForm.is_active, SurveyForm.consent_version, SurveyForm.loaded_at))
            .order_by(SurveyForm.id)
        )
    )  # fmt: skip


def _database_key(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=True)


def definition_by_pk(session: Session, pk: int) -> definitions.FormDefinition | None:
    """The (cached) definition of the stored form `pk`, or None if there is none."""
    if session.get(SurveyForm, pk, options=[load_only(SurveyForm.id)]) is None:
        return None

    def load() -> dict[str, Any]:
        return session.scalar(select(SurveyForm.definition).where(SurveyForm.id == pk))

    return definitions.cached(_database_key(session), pk, load)


def active_definition(session: Session) -> definitions.FormDefinition | None:
    """The active form's definition, or None when no form is active."""
    pk = session.scalar(select(SurveyForm.id).where(SurveyForm.is_active.is_(True)).limit(1))
    return definition_by_pk(session, pk) if pk else None


@lru_cache(maxsize=1)
def _shipped_definition() -> dict[str, Any]:
    """The shipped form, read once per process (reading 8,000 rows of Excel takes a moment)."""
    return read_form(str(SHIPPED_FORM))


def load_default_form(
    session: Session, *, activate: bool = True, refuse_existing: bool = False
) -> SurveyForm:
    """Store the form that ships with Boktor (returned as it is if already stored, unless refused)."""
    if session.scalar(select(Organisation.id).limit(1)) is None:
        # The shipped form names the shipped catalogue's codes: a fresh database gets that catalogue.
        load_catalogue(session)
    definition = _shipped_definition()
    form = None if refuse_existing else find_form(session, definition["form_id"], definition["version"])
    if form is None:
        form = store_form(session, definition)
    if activate:
        activate_form(session, form)
    return form


def ensure_active_definition(session: Session) -> definitions.FormDefinition:
    """The active form; the shipped default form is loaded and activated first if none is active."""
    found = active_definition(session)
    if found is None:
        try:
            # A savepoint: another web process may be loading the same default form at this moment.
            with session.begin_nested():
                form = load_default_form(session)
        except IntegrityError:
            form = find_form(session, FORM_ID, DEFAULT_VERSION)
            if form is None:
                raise
            activate_form(session, form)
        found = definition_by_pk(session, form.id)
    assert found is not None
    return found
