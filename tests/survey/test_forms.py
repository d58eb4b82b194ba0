"""Form versions in the database: loading, refusing a repeated version, one active form, the default form."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.survey import forms
from boktor.survey.models import SurveyForm
from boktor.survey.xlsform import FormError, FormVersionExists
from tests.survey.workbooks import GOOD_CHOICES, GOOD_SETTINGS, GOOD_SURVEY, write_xlsform


def test_an_operator_loads_versions_and_exactly_one_is_active(session: Session, tmp_path: Path) -> None:
    first = forms.load_form(session, write_xlsform(tmp_path / "v1.xlsx"), activate=True)
    assert (first.form_id, first.version, first.is_active, first.consent_version) == (
        "test_form",
        "1",
        True,
        "c-1",
    )

    with pytest.raises(FormVersionExists, match="'test_form' version '1' is already loaded"):
        forms.load_form(session, write_xlsform(tmp_path / "again.xlsx"))

    second = forms.load_form(
        session,
        write_xlsform(tmp_path / "v2.xlsx", settings={**GOOD_SETTINGS, "version": "2"}),
        activate=True,
    )
    session.commit()
    assert [(f.version, f.is_active) for f in forms.list_forms(session)] == [("1", False), ("2", True)]
    assert forms.active_definition(session).version == "2"

    forms.activate_form(session, first)
    session.commit()
    assert session.scalar(select(func.count()).where(SurveyForm.is_active.is_(True))) == 1
    assert forms.active_definition(session).pk == first.id != second.id


def test_choices_mapped_to_the_catalogue_must_exist_there(session: Session, tmp_path: Path) -> None:
    choices = [*GOOD_CHOICES, {"list_name": "topic", "name": "football", "label": "ฟุตบอล"}]
    with pytest.raises(
        FormError, match=r"row 7 \(topics\): the choices football .* not codes in the organisation catalogue"
    ):
        forms.load_form(session, write_xlsform(tmp_path / "f.xlsx", choices=choices))
    areas = [*GOOD_CHOICES, {"list_name": "district", "name": "9999", "label": "ไม่มีจริง", "province": "57"}]
    with pytest.raises(FormError, match=r"9999 .* not district codes"):
        forms.load_form(session, write_xlsform(tmp_path / "g.xlsx", choices=areas))
    assert session.scalar(select(func.count()).select_from(SurveyForm)) == 0


def test_the_shipped_form_is_loaded_when_no_form_is_active(session: Session) -> None:
    form = forms.ensure_active_definition(session)
    session.commit()
    assert (form.form_id, form.consent_version) == ("boktor_signup", "pdpa-2026-1")
    assert forms.ensure_active_definition(session).pk == form.pk  # not loaded twice
    assert session.scalar(select(func.count()).select_from(SurveyForm)) == 1
    with pytest.raises(FormVersionExists):
        forms.load_default_form(session, refuse_existing=True)
    assert len(GOOD_SURVEY) == 7
