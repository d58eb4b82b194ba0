"""`boktor survey`: load XLSForm versions, choose the active form, write the default form."""

from __future__ import annotations

from pathlib import Path

import typer

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json
from boktor.survey import forms
from boktor.survey.default_form import build_workbook, catalogue_from_database, catalogue_from_toml
from boktor.survey.models import SurveyForm
from boktor.survey.xlsform import FEATURES, FormError, FormVersionExists

app = typer.Typer(help="The sign-up survey: XLSForm versions and the active form.", no_args_is_help=True)


def _summary(form: SurveyForm) -> dict:
    return {
        "form_id": form.form_id,
        "version": form.version,
        "title": form.title,
        "active": form.is_active,
        "consent_version": form.consent_version,
        "loaded_at": form.loaded_at.isoformat() if form.loaded_at else None,
    }


@app.command("load")
def load(
    file: Path | None = typer.Argument(None, help="An XLSForm workbook (.xlsx).", exists=False),
    default: bool = typer.Option(False, "--default", help="Load the form that ships with Boktor."),
    activate: bool = typer.Option(False, "--activate", help="Make this version the active form."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Store an XLSForm as a new form version (the same form_id and version twice is refused)."""
    if (file is None) == (not default):
        fail("Give an XLSForm file, or --default for the form that ships with Boktor (not both).")
    if file is not None and not file.is_file():
        fail(f"{file} does not exist or is not a file.")
    try:
        with database() as session:
            if default:
                form = forms.load_default_form(session, activate=activate, refuse_existing=True)
            else:
                form = forms.load_form(session, file, activate=activate)
            summary = _summary(form)
            questions = len([f for f in form.definition["fields"] if f["type"] != "note"])
    except FormVersionExists as error:
        fail(str(error))
    except FormError as error:
        fail(f"{error}\nRun `boktor survey features` for what Boktor supports.")
    if as_json:
        print_json({**summary, "questions": questions})
        return
    state = "active" if summary["active"] else "not active (use --activate or `boktor survey activate`)"
    console.print(
        f"Loaded {summary['form_id']} version {summary['version']}: {questions} questions, {state}.",
        highlight=False,
    )


@app.command("features")
def features() -> None:
    """Which XLSForm features Boktor supports."""
    typer.echo(FEATURES)


@app.command("list")
def list_forms(as_json: bool = JSON_OPTION) -> None:
    """The stored form versions, the active one marked."""
    with database() as session:
        rows = [_summary(form) for form in forms.list_forms(session)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("No form is loaded; the shipped form is loaded when the survey is first opened.")
    for row in rows:
        mark = "*" if row["active"] else " "
        console.print(f"{mark} {row['form_id']} {row['version']}  {row['title']}", highlight=False)


@app.command("activate")
def activate(
    form_id: str = typer.Argument(..., help="The form_id on the settings sheet."),
    version: str | None = typer.Option(None, "--version", help="The version (default: the latest loaded)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a stored form version the active one."""
    with database() as session:
        form = forms.find_form(session, form_id, version)
        if form is None:
            fail(
                f"No stored form {form_id!r}{f' version {version!r}' if version else ''}; see `boktor survey list`."
            )
        forms.activate_form(session, form)
        summary = _summary(form)
    if as_json:
        print_json(summary)
    else:
        console.print(f"Active: {summary['form_id']} version {summary['version']}.", highlight=False)


@app.command("default-form")
def default_form(
    output: Path = typer.Argument(..., help="Where to write the workbook (.xlsx)."),
    version: str = typer.Option(..., "--version", help="The version to write on the settings sheet."),
) -> None:
    """Write the default form from this database's catalogue, to edit and load as a new version."""
    with database() as session:
        catalogue = catalogue_from_database(session)
    if not catalogue["organisations"]:
        catalogue = catalogue_from_toml()  # an empty database: the catalogue that ships with Boktor
    try:
        build_workbook(output, catalogue, version=version)
    except OSError as error:
        fail(f"Cannot write {output}: {error}")
    console.print(f"Wrote {output}; load it with `boktor survey load {output} --activate`.", highlight=False)
