"""Writing small XLSForm workbooks for tests, as an operator would in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

TH = "Thai (th)"
SURVEY_HEADER = [
    "type", "name", f"label::{TH}", "required", f"required_message::{TH}", "relevant", "constraint",
    f"constraint_message::{TH}", "choice_filter", "boktor_attribute",
]  # fmt: skip

# A small form in the shape of the default one: name, cascade, a conditional question, topics, consent.
GOOD_SURVEY: list[dict[str, Any]] = [
    {"type": "text", "name": "full_name", "label": "ชื่อ-นามสกุล", "required": "yes",
     "required_message": "กรุณากรอกชื่อ", "constraint": "string-length(.) >= 4",
     "constraint_message": "ชื่อสั้นเกินไป", "boktor_attribute": "full_name"},
    {"type": "select_one province", "name": "province", "label": "จังหวัด", "required": "yes",
     "boktor_attribute": "province"},
    {"type": "select_one district", "name": "district", "label": "อำเภอ", "required": "yes",
     "choice_filter": "province = ${province}", "boktor_attribute": "district"},
    {"type": "select_one yesno", "name": "is_leader", "label": "เป็นผู้นำท้องที่หรือไม่", "required": "yes"},
    {"type": "integer", "name": "village", "label": "หมู่ที่", "required": "yes",
     "relevant": "${is_leader} = 'yes'", "constraint": ". >= 1 and . <= 99",
     "constraint_message": "หมู่ที่ 1–99", "boktor_attribute": "village_no"},
    {"type": "select_multiple topic", "name": "topics", "label": "เรื่องที่สนใจ", "boktor_attribute": "topics"},
    {"type": "acknowledge", "name": "consent", "label": "ยินยอม", "required": "yes", "boktor_attribute": "consent"},
]  # fmt: skip
GOOD_CHOICES: list[dict[str, Any]] = [
    {"list_name": "province", "name": "57", "label": "เชียงราย"},
    {"list_name": "province", "name": "50", "label": "เชียงใหม่"},
    {"list_name": "district", "name": "5709", "label": "แม่สาย", "province": "57"},
    {"list_name": "district", "name": "5701", "label": "เมืองเชียงราย", "province": "57"},
    {"list_name": "district", "name": "5001", "label": "เมืองเชียงใหม่", "province": "50"},
    {"list_name": "yesno", "name": "yes", "label": "ใช่"},
    {"list_name": "yesno", "name": "no", "label": "ไม่ใช่"},
    {"list_name": "topic", "name": "policy", "label": "นโยบายสำคัญ"},
    {"list_name": "topic", "name": "urgent", "label": "ข่าวด่วนและภัยพิบัติ"},
]
GOOD_SETTINGS = {"form_title": "แบบทดสอบ", "form_id": "test_form", "version": "1", "consent_version": "c-1"}


def write_xlsform(
    path: Path,
    survey: list[dict[str, Any]] | None = None,
    choices: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
) -> Path:
    """An .xlsx with survey, choices and settings sheets; row keys are column names (label -> label::Thai)."""
    translated = {"label", "required_message", "constraint_message", "hint"}

    def column(key: str) -> str:
        return f"{key}::{TH}" if key in translated else key

    def sheet(workbook: Workbook, title: str, rows: list[dict[str, Any]], first: bool = False) -> None:
        ws = workbook.active if first else workbook.create_sheet(title)
        ws.title = title
        header: list[str] = []
        for row in rows:
            header += [column(k) for k in row if column(k) not in header]
        ws.append(header)
        for row in rows:
            named = {column(k): v for k, v in row.items()}
            ws.append([named.get(h) for h in header])

    workbook = Workbook()
    sheet(workbook, "survey", GOOD_SURVEY if survey is None else survey, first=True)
    sheet(workbook, "choices", GOOD_CHOICES if choices is None else choices)
    sheet(workbook, "settings", [GOOD_SETTINGS if settings is None else settings])
    workbook.save(path)
    return path
