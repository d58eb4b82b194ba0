"""Reports as Excel workbooks: coverage (totals per area, who is missing with their invite link) and one
announcement's acknowledgements (counts per area, who has not acknowledged)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from boktor.config import Settings
from boktor.db import utcnow
from boktor.reports import messages
from boktor.reports.acknowledgements import AcknowledgementReport, AcknowledgementRow
from boktor.reports.coverage import Coverage, CoverageRow, MissingPerson
from boktor.survey.links import survey_url
from boktor.thai import thai_datetime

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_PERCENT = "0.0%"
# Excel refuses sheet names longer than 31 characters.
_SHEET_NAME_LIMIT = 31


def _cell(sheet: Worksheet, value, *, bold: bool = False, fill: PatternFill | None = None, fmt: str = ""):
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    if fill:
        cell.fill = fill
    if fmt:
        cell.number_format = fmt
    return cell


def _headings(sheet: Worksheet, names) -> list:
    return [_cell(sheet, name, bold=True, fill=_HEADER_FILL) for name in names]


def _fraction(part: int, whole: int) -> float | None:
    # Stored as a fraction with a percent format, so Excel can still sum and sort it.
    return part / whole if whole else None


def _summary_row(sheet: Worksheet, row: CoverageRow, *, bold: bool = False) -> list:
    values = [
        (row.code, ""),
        (row.name, ""),
        (row.expected, ""),
        (row.joined, ""),
        (_fraction(row.joined, row.expected), _PERCENT),
        (row.surveyed, ""),
        (_fraction(row.surveyed, row.expected), _PERCENT),
        (row.acknowledging, ""),
        (_fraction(row.acknowledging, row.joined), _PERCENT),
        (row.not_on_roster, ""),
    ]
    return [_cell(sheet, value, bold=bold, fmt=fmt) for value, fmt in values]


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def coverage_workbook(
    settings: Settings, report: Coverage, missing: list[MissingPerson], *, now: datetime | None = None
) -> bytes:
    """An .xlsx of `report` (one sheet of totals) and `missing` (one sheet of people with invite links)."""
    workbook = Workbook(write_only=True)
    made = messages.made_on(thai_datetime(now or utcnow()))

    summary = workbook.create_sheet(f"สรุปราย{messages.BREAKDOWN[report.breakdown]}"[:_SHEET_NAME_LIMIT])
    _widths(summary, [10, 34, 16, 14, 12, 16, 12, 18, 14, 18])
    summary.freeze_panes = "A4"
    summary.append([_cell(summary, f"{messages.TITLE} {report.scope.title}", bold=True)])
    summary.append([made])
    summary.append(
        _headings(
            summary,
            (
                messages.CODE,
                messages.BREAKDOWN[report.breakdown],
                messages.EXPECTED,
                messages.JOINED,
                messages.JOINED_PCT,
                messages.SURVEYED,
                messages.SURVEYED_PCT,
                messages.acknowledging(report.days),
                messages.ACKNOWLEDGING_PCT,
                messages.NOT_ON_ROSTER,
            ),
        )
    )
    for row in report.rows:
        summary.append(_summary_row(summary, row))
    summary.append(_summary_row(summary, report.total, bold=True))

    people = workbook.create_sheet(messages.MISSING_SHEET[:_SHEET_NAME_LIMIT])
    _widths(people, [7, 30, 30, 26, 40, 13, 20, 11, 50])
    people.freeze_panes = "A4"
    people.append([_cell(people, f"{messages.MISSING_SHEET} {report.scope.title}", bold=True)])
    people.append([made])
    people.append(_headings(people, messages.MISSING_HEADINGS))
    for number, person in enumerate(missing, start=1):
        link = survey_url(settings, person.invite_code) if person.invite_code else ""
        link_cell = _cell(people, link)
        if link:
            link_cell.hyperlink = link
            link_cell.font = Font(color="0563C1", underline="single")
        people.append(
            [
                number,
                person.full_name,
                person.organisation,
                person.position,
                person.area,
                person.phone or "",
                person.status,
                person.invite_code or "",
                link_cell,
            ]
        )
    if not missing:
        people.append([_cell(people, messages.NONE_MISSING, bold=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _acknowledgement_row(sheet: Worksheet, row: AcknowledgementRow, *, bold: bool = False) -> list:
    values = [
        (row.code, ""),
        (row.name, ""),
        (row.received, ""),
        (row.acknowledged, ""),
        (_fraction(row.acknowledged, row.received), _PERCENT),
        (row.relayed, ""),
        (_fraction(row.relayed, row.received), _PERCENT),
        (row.not_acknowledged, ""),
    ]
    return [_cell(sheet, value, bold=bold, fmt=fmt) for value, fmt in values]


def acknowledgements_workbook(report: AcknowledgementReport, *, now: datetime | None = None) -> bytes:
    """An .xlsx of one announcement in a scope: counts per area, and who has not acknowledged it (to chase)."""
    workbook = Workbook(write_only=True)
    announcement = report.announcement
    deadline = announcement.ack_deadline
    made = messages.made_on(thai_datetime(now or utcnow()))
    made += " · " + (messages.deadline(thai_datetime(deadline)) if deadline else messages.NO_DEADLINE)
    title = messages.acknowledgements_title(announcement.title, report.scope.title)

    summary = workbook.create_sheet(f"สรุปราย{messages.BREAKDOWN[report.breakdown]}"[:_SHEET_NAME_LIMIT])
    _widths(summary, [10, 34, 14, 14, 12, 14, 12, 16])
    summary.freeze_panes = "A4"
    summary.append([_cell(summary, title, bold=True)])
    summary.append([made])
    summary.append(
        _headings(summary, (messages.CODE, messages.BREAKDOWN[report.breakdown], *messages.ACK_COUNT_HEADINGS))
    )
    for row in report.rows:
        summary.append(_acknowledgement_row(summary, row))
    summary.append(_acknowledgement_row(summary, report.total, bold=True))

    people = workbook.create_sheet(messages.UNACKNOWLEDGED_SHEET[:_SHEET_NAME_LIMIT])
    _widths(people, [7, 30, 30, 26, 40, 13, 20, 12, 16])
    people.freeze_panes = "A4"
    people.append([_cell(people, title, bold=True)])
    people.append([made])
    people.append(_headings(people, messages.UNACKNOWLEDGED_HEADINGS))
    overdue = messages.PAST_DEADLINE if report.past_deadline else (messages.BEFORE_DEADLINE if deadline else "")
    for number, person in enumerate(report.unacknowledged, start=1):
        people.append(
            [
                number,
                person.full_name,
                person.organisation,
                person.position,
                person.area,
                person.phone or "",
                person.status,
                person.reminders,
                overdue,
            ]
        )
    if not report.unacknowledged:
        people.append([_cell(people, messages.NONE_UNACKNOWLEDGED, bold=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
