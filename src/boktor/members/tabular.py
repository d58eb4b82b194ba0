"""Reading CSV and Excel files as offices really keep them: find the header, skip titles and footers."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, NamedTuple

# How far down a file the header may be (title rows above it) and how much is read to find it.
HEADER_SEARCH_ROWS = 30
SAMPLE_BYTES = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024
CSV_DELIMITERS = (",", ";", "\t", "|")

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " ", "\r": " ", "\n": " "})
_INVISIBLE_IN_LINE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " "})
# Bracketed notes in headers ("โทรศัพท์ (มือถือ)") and punctuation do not change what a column is.
_HEADER_NOTE = re.compile(r"\(.*?\)|\[.*?\]")
_HEADER_NOISE = re.compile(r"[\s_\-.:*/\\'\"]+")
# Rows below the data that are not people: totals, signatures, notes, the date of the data.
_FOOTER = re.compile(
    r"^\s*(รวม(?=\s|\d|$|ทั้ง|จำนวน|อำเภอ|จังหวัด|ตำบล)|ลงชื่อ|ลงนาม|ผู้รายงาน|ผู้จัดทำ|ผู้รับรอง|ผู้ตรวจสอบ"
    r"|หมายเหตุ|ข้อมูล\s*ณ|ณ\s*วันที่|ตำแหน่ง|ที่มา|total\b|sum\b|grand total|\(.*\)\s*$|[.…_]{3,})",
    re.IGNORECASE,
)
_MERGE_CELL = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


class TabularError(ValueError):
    """The file cannot be read as a table; the message says why in plain words."""


def header_key(text: str) -> str:
    """A column title reduced for comparison: no notes in brackets, spaces, punctuation or case."""
    return _HEADER_NOISE.sub("", _HEADER_NOTE.sub("", text.translate(_INVISIBLE))).casefold()


def cell_text(value: Any) -> str:
    """A cell as text: Excel's 812345678.0 becomes "812345678", dates ISO, blanks ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.translate(_INVISIBLE).split())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


class Row(NamedTuple):
    """One data row: the line (or Excel row number) it came from and its cells by field name."""

    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class Table:
    """An open file: where its header was, which fields it has, and its data rows as an iterator."""

    header_line: int
    fields: list[str]
    ignored_columns: list[str]
    rows: Iterator[Row]
    progress: Callable[[], tuple[int, int | None]]
    sheet: str | None = None
    skipped: dict[str, int] = field(default_factory=lambda: {"blank": 0, "footer": 0, "header": 0})
    _close: Callable[[], None] = lambda: None

    def __iter__(self) -> Iterator[Row]:
        return self.rows

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._close()

    def require(self, *names: str) -> None:
        """Refuse the file if its header lacks any of `names`."""
        missing = [name for name in names if name not in self.fields]
        if missing:
            raise TabularError(
                f"The header (line {self.header_line}) has no column for {', '.join(missing)}. "
                f"Found columns for: {', '.join(self.fields) or 'nothing known'}."
            )


class _Header:
    """Known column names (field -> aliases in Thai or English), and finding them in a row."""

    def __init__(self, aliases: Mapping[str, Sequence[str]]) -> None:
        self.by_key: dict[str, str] = {}
        for name, names in aliases.items():
            for alias in (name, *names):
                self.by_key.setdefault(header_key(alias), name)
        self.examples = [names[0] if names else name for name, names in aliases.items()]

    def score(self, cells: Sequence[Any]) -> int:
        found = {self.by_key.get(header_key(cell_text(c))) for c in cells if c not in (None, "")}
        found.discard(None)
        return len(found)

    def columns(self, cells: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for index, cell in enumerate(cells):
            text = cell_text(cell)
            name = self.by_key.get(header_key(text)) if text else None
            if name and name not in columns:
                columns[name] = index
            elif text:
                ignored.append(text)
        return columns, ignored

    def find(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, Sequence[Any], int] | None:
        """The first row with the most known column names within the first rows: (line, cells, score)."""
        best: tuple[int, Sequence[Any], int] | None = None
        for count, (line, cells) in enumerate(rows):
            if count >= HEADER_SEARCH_ROWS:
                break
            score = self.score(cells)
            if score and (best is None or score > best[2]):
                best = (line, cells, score)
        return best

    def no_header_error(self, where: str) -> TabularError:
        return TabularError(
            f"No header row found in the first {HEADER_SEARCH_ROWS} rows of {where}: expected column titles "
            f"such as {', '.join(self.examples[:6])}."
        )


def _csv_cell(value: str) -> str:
    """A CSV cell (its line already cleaned of invisible characters) with spacing tidied."""
    value = value.strip()
    if "  " in value or "\n" in value:
        value = " ".join(value.split())
    return value


def _data_rows(
    raw_rows: Iterator[tuple[int, Sequence[Any]]],
    columns: dict[str, int],
    header_cells: Sequence[Any],
    skipped: dict[str, int],
    text: Callable[[Any], str] = cell_text,
) -> Iterator[Row]:
    positions = list(columns.items())
    first_name, first_index = positions[0]
    header_texts = [text(cell) for cell in header_cells]
    signed = False
    for line, cells in raw_rows:
        width = len(cells)
        values = {name: text(cells[index]) if index < width else "" for name, index in positions}
        filled = sum(map(bool, values.values()))
        if not filled:
            skipped["blank"] += 1
            continue
        if filled <= 3:
            texts = [t for t in (text(c) for c in cells) if t]
            if len(texts) <= 3 and (signed or _FOOTER.match(texts[0])):
                # Below a signature line come the signer's name and position: not people on the list.
                signed = signed or texts[0].startswith(("ลงชื่อ", "ลงนาม"))
                skipped["footer"] += 1
                continue
        if values[first_name] == header_texts[first_index] and [text(c) for c in cells] == header_texts:
            skipped["header"] += 1  # the header repeated on each printed page
            continue
        yield Row(line, values)


def open_table(
    source: str | Path | IO[bytes], aliases: Mapping[str, Sequence[str]], *, filename: str | None = None
) -> Table:
    """Open a CSV or XLSX file (by content, not name) and find its header among `aliases` (field -> titles)."""
    header = _Header(aliases)
    if isinstance(source, str | Path):
        path = Path(source)
        filename = filename or path.name
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as error:
            raise TabularError(f"Cannot open {path}: {error.strerror or error}.") from error
        owned = True
    else:
        stream, owned = source, False
        filename = filename or "the file"
    try:
        magic = stream.read(8)
        stream.seek(0)
        if not magic:
            raise TabularError(f"{filename} is empty.")
        if magic.startswith(_XLS_MAGIC):
            raise TabularError(
                f"{filename} is in the old Excel 97–2003 (.xls) format. Open it in Excel and save it as "
                "Excel Workbook (.xlsx) or CSV UTF-8, then try again."
            )
        if magic.startswith(_XLSX_MAGIC):
            table = _open_xlsx(stream, header, filename)
        else:
            table = _open_csv(stream, header, filename)
    except BaseException:
        if owned:
            stream.close()
        raise
    if owned:
        inner = table._close

        def close() -> None:
            inner()
            stream.close()

        table._close = close
    return table


# --- CSV ---------------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Passes bytes through and counts them, for a progress bar by bytes read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _encoding(sample: bytes, filename: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"
    if b"\x00" in sample:
        raise TabularError(f"{filename} is not a CSV or Excel (.xlsx) file: it looks like binary data.")
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3 and len(sample) == SAMPLE_BYTES:
            return "utf-8"  # the sample cut a Thai character in half
    # Excel on Thai Windows saves "CSV (Comma delimited)" as Windows-874 (TIS-620 plus a few signs).
    return "cp874"


def _lines(text: IO[str], filename: str) -> Iterator[str]:
    number = 0
    while True:
        line = text.readline(MAX_LINE_CHARS)
        if not line:
            return
        number += 1
        if len(line) >= MAX_LINE_CHARS and not line.endswith("\n"):
            raise TabularError(
                f"Line {number} of {filename} is longer than {MAX_LINE_CHARS // 1024} KB: "
                "this does not look like a CSV file."
            )
        if "\u200b" in line or "\ufeff" in line or "\u00a0" in line:
            line = line.translate(_INVISIBLE_IN_LINE)
        yield line


def _csv_rows(lines: Iterator[str], delimiter: str, filename: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise TabularError(f"Line {start} of {filename} cannot be read as CSV: {error}.") from error
    except UnicodeDecodeError as error:
        raise TabularError(
            f"{filename} mixes text encodings after line {start}; save it again as CSV UTF-8 from Excel "
            "(rows before that line were read)."
        ) from error


def _open_csv(stream: IO[bytes], header: _Header, filename: str) -> Table:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if not sample.strip():
        raise TabularError(f"{filename} has no rows.")
    encoding = _encoding(sample, filename)
    sample_text = sample.decode(encoding, errors="ignore")
    sample_lines = sample_text.splitlines(keepends=True)[: HEADER_SEARCH_ROWS * 2]
    if len(sample) == SAMPLE_BYTES and len(sample_lines) > 1:
        sample_lines = sample_lines[:-1]  # the last line of a cut sample is incomplete
    best: tuple[str, tuple[int, Sequence[Any], int]] | None = None
    for delimiter in CSV_DELIMITERS:
        try:
            found = header.find(_csv_rows(iter(sample_lines), delimiter, filename))
        except TabularError:
            continue
        if found and (best is None or found[2] > best[1][2]):
            best = (delimiter, found)
    if best is None:
        raise header.no_header_error(filename)
    delimiter, (header_line, header_cells, _score) = best
    columns, ignored = header.columns(header_cells)

    counter = _CountingReader(stream)
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, newline="")
    raw = _csv_rows(_lines(text, filename), delimiter, filename)
    for line, _cells in raw:
        if line >= header_line:
            break
    skipped = {"blank": 0, "footer": 0, "header": 0}
    return Table(
        header_line=header_line,
        fields=list(columns),
        ignored_columns=ignored,
        rows=_data_rows(raw, columns, header_cells, skipped, _csv_cell),
        progress=lambda: (min(counter.count, size), size),
        skipped=skipped,
        _close=text.detach,
    )


# --- XLSX --------------------------------------------------------------------------------------


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _merged_ranges(worksheet: Any) -> list[tuple[int, int, int, int]]:
    """Merged cell ranges (min_row, min_col, max_row, max_col), read from the sheet's XML as a stream."""
    ranges = []
    tail = b""
    with worksheet._get_source() as source:  # read-only sheets do not expose merged cells themselves
        while chunk := source.read(1 << 20):
            data = tail + chunk
            if b"<mergeCell " in data:
                for match in _MERGE_CELL.finditer(data):
                    c1, r1, c2, r2 = match.groups()
                    ranges.append((int(r1), _column_number(c1), int(r2), _column_number(c2)))
                tail = b""
            else:
                tail = data[-200:]
    return ranges


def _with_merged_values(
    rows: Iterator[tuple[int, Sequence[Any]]], ranges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, Sequence[Any]]]:
    """Every cell of a merged range carries the value of its top-left cell, as people read it."""
    if not ranges:
        yield from rows
        return
    by_first_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for merged in ranges:
        by_first_row.setdefault(merged[0], []).append(merged)
    active: list[tuple[int, int, int, Any]] = []  # (last row, first col, last col, value)
    for line, cells in rows:
        cells = list(cells)
        for _r1, c1, r2, c2 in by_first_row.get(line, ()):
            value = cells[c1 - 1] if c1 - 1 < len(cells) else None
            active.append((r2, c1, c2, value))
        active = [a for a in active if a[0] >= line]
        for _r2, c1, c2, value in active:
            if len(cells) < c2:
                cells.extend([None] * (c2 - len(cells)))
            for column in range(c1 - 1, c2):
                if cells[column] in (None, ""):
                    cells[column] = value
        yield line, cells


def _open_xlsx(stream: IO[bytes], header: _Header, filename: str) -> Table:
    import openpyxl  # imported here: CSV imports do not pay for it

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise TabularError(
            f"{filename} cannot be read as an Excel workbook (.xlsx): {error}. "
            "Save it again from Excel as .xlsx or CSV UTF-8."
        ) from error
    sheets = [workbook.active, *[s for s in workbook.worksheets if s is not workbook.active]]
    for sheet in sheets:
        if sheet is None or not hasattr(sheet, "iter_rows"):
            continue
        try:
            found = header.find(enumerate(sheet.iter_rows(values_only=True), start=1))
        except Exception as error:  # openpyxl raises many kinds on damaged sheets
            raise TabularError(f"Sheet {sheet.title!r} of {filename} cannot be read: {error}.") from error
        if found is None:
            continue
        header_line, header_cells, _score = found
        columns, ignored = header.columns(header_cells)
        ranges = _merged_ranges(sheet)
        total = sheet.max_row
        done = [header_line]

        def numbered(sheet: Any = sheet, done: list[int] = done) -> Iterator[tuple[int, Sequence[Any]]]:
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                done[0] = line
                yield line, cells

        raw = _with_merged_values(numbered(), ranges)
        for line, _cells in raw:
            if line >= header_line:
                break
        skipped = {"blank": 0, "footer": 0, "header": 0}
        return Table(
            header_line=header_line,
            fields=list(columns),
            ignored_columns=ignored,
            rows=_data_rows(raw, columns, header_cells, skipped),
            progress=lambda done=done, total=total: (done[0], total),
            sheet=sheet.title,
            skipped=skipped,
            _close=workbook.close,
        )
    workbook.close()
    raise header.no_header_error(f"any sheet of {filename}")
