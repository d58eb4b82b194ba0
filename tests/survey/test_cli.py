"""An operator manages the survey from the command line: load, list, activate, features, default form."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from boktor.cli import app
from tests.survey.workbooks import GOOD_SETTINGS, GOOD_SURVEY, write_xlsform

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["survey", *args])


def test_an_operator_loads_versions_and_chooses_the_active_one(env: dict, tmp_path: Path) -> None:
    loaded = run("load", str(write_xlsform(tmp_path / "v1.xlsx")), "--activate", "--json")
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output) | {"loaded_at": None} == {
        "form_id": "test_form", "version": "1", "title": "แบบทดสอบ", "active": True,
        "consent_version": "c-1", "loaded_at": None, "questions": 7,
    }  # fmt: skip

    again = run("load", str(write_xlsform(tmp_path / "again.xlsx")))
    assert again.exit_code == 1 and "version '1' is already loaded" in again.output

    assert run("load", "--default").exit_code == 0
    listed = json.loads(run("list", "--json").output)
    assert [(f["form_id"], f["version"], f["active"]) for f in listed] == [
        ("test_form", "1", True), ("boktor_signup", "2026.1", False),
    ]  # fmt: skip
    switched = run("activate", "boktor_signup", "--json")
    assert switched.exit_code == 0 and json.loads(switched.output)["active"] is True
    assert [f["active"] for f in json.loads(run("list", "--json").output)] == [False, True]
    assert run("activate", "no_such_form").exit_code == 1


def test_an_unsupported_form_is_refused_with_the_row_and_where_to_read_more(
    env: dict, tmp_path: Path
) -> None:
    survey = [*GOOD_SURVEY, {"type": "geopoint", "name": "where", "label": "ตำแหน่ง GPS"}]
    refused = run("load", str(write_xlsform(tmp_path / "gps.xlsx", survey=survey, settings=GOOD_SETTINGS)))
    assert refused.exit_code == 1
    assert "row 9" in refused.output and "geopoint" in refused.output and "survey features" in refused.output
    assert run("load", str(tmp_path / "missing.xlsx")).exit_code == 1
    assert run("load").exit_code == 1  # neither a file nor --default
    features = run("features")
    assert features.exit_code == 0 and "choice_filter" in features.output


def test_the_default_form_is_written_from_the_catalogue_to_edit_and_load(env: dict, tmp_path: Path) -> None:
    target = tmp_path / "ours.xlsx"
    written = run("default-form", str(target), "--version", "2026.2")
    assert written.exit_code == 0 and target.is_file()
    loaded = run("load", str(target), "--activate", "--json")
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["version"] == "2026.2"
