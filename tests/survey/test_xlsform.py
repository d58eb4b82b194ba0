"""An operator's XLSForm: what Boktor reads from it, and the clear refusals for what it cannot use."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from boktor.survey import xpath
from boktor.survey.default_form import SHIPPED_FORM
from boktor.survey.definition import FormDefinition
from boktor.survey.validation import check
from boktor.survey.xlsform import FEATURES, FormError, read_form
from tests.survey.workbooks import GOOD_CHOICES, GOOD_SETTINGS, GOOD_SURVEY, write_xlsform


def test_a_good_form_is_read_with_thai_labels_rules_and_attributes(tmp_path: Path) -> None:
    definition = read_form(write_xlsform(tmp_path / "form.xlsx"))
    assert (definition["form_id"], definition["version"], definition["title"]) == (
        "test_form",
        "1",
        "แบบทดสอบ",
    )
    assert definition["consent_version"] == "c-1"
    fields = {f["name"]: f for f in definition["fields"]}
    assert list(fields) == ["full_name", "province", "district", "is_leader", "village", "topics", "consent"]
    assert fields["full_name"]["label"] == "ชื่อ-นามสกุล"
    assert fields["full_name"]["required"] and fields["full_name"]["required_message"] == "กรุณากรอกชื่อ"
    assert fields["village"]["relevant"] == xpath.parse("${is_leader} = 'yes'")
    assert fields["village"]["attribute"] == "village_no" and fields["village"]["row"] == 6
    assert fields["district"]["choice_filter"] == xpath.parse("province = ${province}")
    assert fields["topics"]["type"] == "select_multiple" and not fields["topics"]["required"]
    assert definition["choices"]["district"][0] == {
        "name": "5709",
        "label": "แม่สาย",
        "data": {"province": "57"},
    }


def test_the_read_form_evaluates_relevant_constraint_and_choice_filter(tmp_path: Path) -> None:
    form = FormDefinition(1, read_form(write_xlsform(tmp_path / "form.xlsx")))
    district = form.by_name["district"]
    assert [name for name, _ in form.choices_for(district, {"province": "57"})] == ["5709", "5701"]
    assert form.choices_for(district, {"province": "50"}) == [("5001", "เมืองเชียงใหม่")]

    base = {"full_name": "สมชาย ใจดี", "province": "57", "district": "5709", "consent": True}
    # village is asked only of leaders: required then, discarded otherwise.
    assert check(form, {**base, "is_leader": "no", "village": "5"}).answers.get("village") is None
    assert check(form, {**base, "is_leader": "yes"}).errors == {"village": "กรุณาตอบข้อ “หมู่ที่”"}
    assert check(form, {**base, "is_leader": "yes", "village": "120"}).errors == {"village": "หมู่ที่ 1–99"}
    assert check(form, {**base, "is_leader": "yes", "village": "๗"}).answers["village"] == 7
    # a district of another province is not one of the offered choices
    wrong = check(form, {**base, "is_leader": "no", "district": "5001"})
    assert wrong.errors == {"district": "ตัวเลือกในข้อ “อำเภอ” ไม่อยู่ในรายการ กรุณาเลือกใหม่"}
    assert check(form, {**base, "is_leader": "no", "full_name": "สม"}).errors == {"full_name": "ชื่อสั้นเกินไป"}


def _with_row(**changes: str) -> list[dict]:
    survey = copy.deepcopy(GOOD_SURVEY)
    survey.insert(3, {"type": "text", "name": "extra", "label": "เพิ่มเติม", **changes})
    return survey


@pytest.mark.parametrize(
    ("survey", "choices", "settings", "message"),
    [
        (_with_row(type="begin_group"), None, None, "row 5: groups and repeats"),
        (_with_row(type="calculate"), None, None, "row 5: the question type 'calculate' is not supported"),
        (_with_row(type="geopoint"), None, None, "row 5: the question type 'geopoint' is not supported"),
        (_with_row(type="select_one yesno or_other"), None, None, "row 5: .*`or_other` is not supported"),
        (_with_row(**{"media::image": "a.png"}), None, None, "row 5: media columns"),
        (_with_row(default="x"), None, None, "row 5: the column 'default' is not supported"),
        (_with_row(relevant="today() > 1"), None, None, r"row 5: the relevant .* today\(\) is not supported"),
        (_with_row(constraint="${nowhere} = 1"), None, None, r"row : 5\] .*nowhere"),
        (_with_row(relevant="province = '57'"), None, None, r"row 5: .* names province without \$\{...\}"),
        (_with_row(required="${is_leader} = 'yes'"), None, None, "row 5: required must be yes or no"),
        (_with_row(boktor_attribute="salary"), None, None, "row 5: the member attribute 'salary' is not known"),
        (_with_row(boktor_attribute="province"), None, None, "row 5: .*'province' needs a question of type select_one"),
        (_with_row(type="select_multiple topic", choice_filter="x = 1"), None, None, "select_one questions only"),
        (_with_row(type="select_one district", choice_filter="region = ${province}"), None, None,
         "row 5: the choice_filter reads the column 'region'"),
        (None, None, {"form_id": "x"}, "settings sheet: version is missing"),
        (None, None, {"form_id": "x", "version": "1", "instance_name": "x"}, "settings sheet: the column 'instance_name'"),
    ],
)  # fmt: skip
def test_unsupported_features_are_refused_naming_the_row_and_the_feature(
    tmp_path: Path, survey, choices, settings, message: str
) -> None:
    path = write_xlsform(tmp_path / "form.xlsx", survey, choices or GOOD_CHOICES, settings or GOOD_SETTINGS)
    with pytest.raises(FormError, match=message):
        read_form(path)


def test_the_attribute_column_may_also_be_written_as_an_odk_bind(tmp_path: Path) -> None:
    survey = copy.deepcopy(GOOD_SURVEY)
    survey[0]["bind::boktor:attribute"] = survey[0].pop("boktor_attribute")
    definition = read_form(write_xlsform(tmp_path / "bind.xlsx", survey=survey))
    assert definition["fields"][0]["attribute"] == "full_name"


def test_a_file_that_is_not_a_workbook_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("name,label\n")
    with pytest.raises(FormError, match="cannot be read"):
        read_form(path)


def test_the_features_text_names_the_subset() -> None:
    for word in ("select_one", "choice_filter", "regex()", "boktor_attribute", "groups and repeats"):
        assert word in FEATURES


def test_the_shipped_default_form_asks_what_the_ministry_needs() -> None:
    definition = read_form(str(SHIPPED_FORM))
    form = FormDefinition(1, definition)
    attributes = {f["attribute"] for f in form.fields if f["attribute"]}
    assert attributes == {
        "full_name", "personnel_type", "organisation", "position", "position_text", "province", "district",
        "subdistrict", "village_no", "phone", "topics", "message_frequency", "consent",
    }  # fmt: skip
    lists = definition["choices"]
    assert (len(lists["province"]), len(lists["district"]), len(lists["subdistrict"])) == (77, 928, 7436)
    assert len(lists["topic"]) == 6 and len(lists["organisation"]) >= 19
    # the cascade: เชียงราย offers its 18 districts, แม่สาย its 8 subdistricts
    assert len(form.choices_for(form.by_name["district"], {"province": "57"})) == 18
    assert len(form.choices_for(form.by_name["subdistrict"], {"district": "5709"})) == 8
    # positions follow the organisation: a village headman is not offered to the Department of Lands
    offered_to_lands = {
        name for name, _ in form.choices_for(form.by_name["position"], {"organisation": "dol"})
    }
    assert (
        "land_officer" in offered_to_lands
        and "village_headman" not in offered_to_lands
        and "other" in offered_to_lands
    )
    notice = next(f for f in form.fields if f["name"] == "pdpa_notice")["label"]
    for part in ("วัตถุประสงค์", "ฐานทางกฎหมาย", "ระยะเวลาเก็บ", "ผู้รับข้อมูล", "ถอนความยินยอม"):
        assert part in notice
    assert definition["consent_version"] == "pdpa-2026-1"
