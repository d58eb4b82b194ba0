"""The survey page's HTML: LINE's LIFF SDK in production, Boktor's stand-in in demo, labels always escaped."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from boktor.config import Settings
from boktor.survey.definition import FormDefinition
from boktor.survey.page import LIFF_SDK_URL, render_survey_page
from boktor.survey.xlsform import read_form
from tests.survey.workbooks import GOOD_SURVEY, write_xlsform


def _form(tmp_path: Path, survey=None) -> FormDefinition:
    return FormDefinition(7, read_form(write_xlsform(tmp_path / "form.xlsx", survey=survey)))


def test_production_loads_line_sdk_with_the_liff_id(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        BOKTOR_MODE="production",
        LIFF_ID="2000000000-abcdefgh",
        BOKTOR_DATABASE_URL="sqlite://",
    )
    html = render_survey_page(_form(tmp_path), settings)
    assert f'<script src="{LIFF_SDK_URL}"' in html and 'data-liff-id="2000000000-abcdefgh"' in html
    assert "liff-demo.js" not in html


def test_demo_loads_nothing_from_outside_boktor(tmp_path: Path) -> None:
    html = render_survey_page(_form(tmp_path), Settings(_env_file=None, BOKTOR_MODE="demo"))
    assert '<script src="/static/liff-demo.js"' in html
    assert not re.search(r'(?:src|href)="https?://', html)


def test_the_page_shows_conditional_questions_hidden_and_cascades_waiting(tmp_path: Path) -> None:
    html = render_survey_page(_form(tmp_path), Settings(_env_file=None, BOKTOR_MODE="demo"))
    assert re.search(r'<div class="q" data-name="village" hidden>', html)  # asked of leaders only
    assert re.search(r'<select id="f-district" name="district" [^>]*disabled>', html)
    assert '<option value="5709">' not in html  # districts come with the province chosen
    spec = json.loads(re.search(r'id="spec">(.*?)</script>', html).group(1))
    district = next(f for f in spec["fields"] if f["name"] == "district")
    assert spec["form"] == 7 and district["deps"] == ["province"]


def test_labels_cannot_inject_markup_or_scripts(tmp_path: Path) -> None:
    survey = copy.deepcopy(GOOD_SURVEY)
    survey[0]["label"] = "</script><script>alert(1)</script><b>ชื่อ</b>"
    survey[0]["required_message"] = "</script><img src=x onerror=alert(1)>"
    html = render_survey_page(_form(tmp_path, survey), Settings(_env_file=None, BOKTOR_MODE="demo"))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    spec = json.loads(re.search(r'id="spec">(.*?)</script>', html).group(1))
    assert spec["fields"][0]["msg"]["required"] == "</script><img src=x onerror=alert(1)>"
