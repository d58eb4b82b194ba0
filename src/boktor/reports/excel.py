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


def _sheet(workbook: Workbook, name: str, title: str, made: str, headings, widths: list[int]) -> Worksheet:
    """A sheet begun as every report sheet is: its title, when it was made, and bold column headings."""
    sheet = workbook.create_sheet(name[:_SHEET_NAME_LIMIT])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A4"
    sheet.append([_cell(sheet, title, bold=True)])
    sheet.append([made])
    sheet.append([_cell(sheet, heading, bold=True, fill=_HEADER_FILL) for heading in headings])
    return sheet


def _summary_sheet(workbook: Workbook, breakdown: str, title: str, made: str, figures, widths: list[int]):
    """The sheet of figures per area or organisation, headed by code, group and the figures' headings."""
    group = messages.BREAKDOWN[breakdown]
    return _sheet(workbook, f"สรุปราย{group}", title, made, (messages.CODE, group, *figures), widths)


def _fraction(part: int, whole: int) -> float | None:
    # Stored as a fraction with a percent format, so Excel can still sum and sort it.
    return part / whole if whole else None


def _figures(sheet: Worksheet, code: str | None, name: str, *figures: int | float | None, bold: bool) -> list:
    """A summary row: code, name, then the figures: counts (int) as they are, fractions (or None) as percents."""
    return [_cell(sheet, code, bold=bold), _cell(sheet, name, bold=bold)] + [
        _cell(sheet, value, bold=bold, fmt="" if isinstance(value, int) else _PERCENT) for value in figures
    ]


def _coverage_row(sheet: Worksheet, row: CoverageRow, *, bold: bool = False) -> list:
    return _figures(
        sheet, row.code, row.name, row.expected, row.joined, _fraction(row.joined, row.expected), row.surveyed,
        _fraction(row.surveyed, row.expected), row.acknowledging, _fraction(row.acknowledging, row.joined),
        row.not_on_roster, bold=bold,
    )  # fmt: skip


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def coverage_workbook(
    settings: Settings, report: Coverage, missing: list[MissingPerson], *, now: datetime | None = None
) -> bytes:
    """An .xlsx of `report` (one sheet of totals) and `missing` (one sheet of people with invite links)."""
    workbook = Workbook(write_only=True)
    made = messages.made_on(thai_datetime(now or utcnow()))

    summary = _summary_sheet(
        workbook, report.breakdown, f"{messages.TITLE} {report.scope.title}", made,
        (messages.EXPECTED, messages.JOINED, messages.JOINED_PCT, messages.SURVEYED, messages.SURVEYED_PCT,
         messages.acknowledging(report.days), messages.ACKNOWLEDGING_PCT, messages.NOT_ON_ROSTER),
        [10, 34, 16, 14, 12, 16, 12, 18, 14, 18],
    )  # fmt: skip
    for row in report.rows:
        summary.append(_coverage_row(summary, row))
    summary.append(_coverage_row(summary, report.total, bold=True))

    people = _sheet(
        workbook, messages.MISSING_SHEET, f"{messages.MISSING_SHEET} {report.scope.title}", made,
        messages.MISSING_HEADINGS, [7, 30, 30, 26, 40, 13, 20, 11, 50],
    )  # fmt: skip
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
    return _workbook_bytes(workbook)


def _acknowledgement_row(sheet: Worksheet, row: AcknowledgementRow, *, bold: bool = False) -> list:
    return _figures(
        sheet, row.code, row.name, row.received, row.acknowledged, _fraction(row.acknowledged, row.received),
        row.relayed, _fraction(row.relayed, row.received), row.not_acknowledged, bold=bold,
    )  # fmt: skip


def acknowledgements_workbook(report: AcknowledgementReport, *, now: datetime | None = None) -> bytes:
    """An .xlsx of one announcement in a scope: counts per area, and who has not acknowledged it (to chase)."""
    workbook = Workbook(write_only=True)
    announcement = report.announcement
    deadline = announcement.ack_deadline
    made = messages.made_on(thai_datetime(now or utcnow()))
    made += " · " + (messages.deadline(thai_datetime(deadline)) if deadline else messages.NO_DEADLINE)
    title = messages.acknowledgements_title(announcement.title, report.scope.title)

    summary = _summary_sheet(
        workbook, report.breakdown, title, made, messages.ACK_COUNT_HEADINGS, [10, 34, 14, 14, 12, 14, 12, 16]
    )
    for row in report.rows:
        summary.append(_acknowledgement_row(summary, row))
    summary.append(_acknowledgement_row(summary, report.total, bold=True))

    people = _sheet(
        workbook, messages.UNACKNOWLEDGED_SHEET, title, made, messages.UNACKNOWLEDGED_HEADINGS,
        [7, 30, 30, 26, 40, 13, 20, 12, 16],
    )  # fmt: skip
    overdue = (
        messages.PAST_DEADLINE if report.past_deadline else (messages.BEFORE_DEADLINE if deadline else "")
    )
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
    return _workbook_bytes(workbook)
