"""Reading tabular input: CSV (UTF-8 or Windows-1252, `;` `,` or tab), XLSX and ODS,
German number formats, and the raw exports of the Landesdatenbank NRW (IT.NRW).
No database access here; the services validate the content."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kette.directory import tabular

# Statistical offices' markers: "-" nothing there (zero), "." unknown or secret,
# "x" not sensible, "…" not yet available; empty cells count as missing too.
ZERO_MARKERS = {"-", "–"}
MISSING_MARKERS = {"", ".", "x", "X", "…", "...", "k.A.", "k. A.", "/"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_YEAR = re.compile(r"^(?:\d{2}\.\d{2}\.)?((?:19|20)\d{2})$")
_REGION_KEY = re.compile(r"^\d{2,8}$")


class TableError(ValueError):
    """Unreadable input; the message is German and user-facing."""


class Missing:
    """A cell holding a statistical marker for a missing or secret value."""


MISSING = Missing()


def parse_number(cell: Any) -> float | Missing:
    """A German-formatted number ("1.234,5", "12,5", "1.234", "12.5", "3 %").

    Raises ValueError for text that is no number; returns MISSING for markers."""
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell or "").replace("\u00a0", "").replace(" ", "").strip()
    if text.endswith("%"):
        text = text[:-1]
    if text in MISSING_MARKERS:
        return MISSING
    if text in ZERO_MARKERS:
        return 0.0
    if _THOUSANDS.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if _PLAIN.match(text):
        return float(text.replace(",", "."))
    raise ValueError(text)


def format_number(value: float, decimals: int = 1) -> str:
    """A figure for display in the active language, thousands grouped: "1.234,5"
    in German, "1,234.5" in English (a fixed German format read as decimals
    in the English interface); negative with a minus sign ("−0,5", as the
    method texts write it), never "−0,0". Files use `core.text.german_decimal`."""
    rounded = round(value, decimals) or 0.0  # -0.0 → 0.0
    text = number_format(rounded, decimals, use_l10n=True, force_grouping=True)
    return text.replace("-", "\u2212")


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells)


def read_table(data: bytes, filename: str = "") -> Table:
    """The first sheet of an XLSX, ODS or XLS file or a CSV file, header in the first row,
    recognised by content. The file checks (size, empty, binary, encoding,
    broken XLSX) are the offer import's; they raise TableError in German."""
    if filename.lower().endswith((".xlsx", ".xlsm")) and not data.startswith(b"PK\x03\x04"):
        raise TableError(
            _("The Excel file cannot be read (%(error)s).") % {"error": _("no XLSX content")}
        )
    try:
        lines = tabular.read_rows(data, sheet=None)
    except tabular.TabularFileError as error:
        raise TableError(error.message) from error
    numbered = [
        (number, row)
        for number, row in enumerate(lines, start=1)
        if any(str(cell).strip() for cell in row)
    ]
    if not numbered:
        raise TableError(_("The file is empty."))
    header = [cell.strip() for cell in numbered[0][1]]
    return Table(header, numbered[1:])


@dataclass
class RegionalValue:
    line: int
    key: str
    name: str
    value: float | Missing


@dataclass
class RegionalTable:
    """An IT.NRW export reduced to one value per region key."""

    title: str
    year: int
    column: str
    values: list[RegionalValue]


def read_itnrw(data: bytes, *, column: int | None = None) -> RegionalTable:
    """Parse a Landesdatenbank NRW export (Latin-1, `;`, header and footer lines).

    Data lines are those with a region key (2–8 digits) followed by the
    indented name. The year comes from a date/year cell before the key or from
    a header line; `column` (1-based, counted after the name) picks a value
    column when the table has several."""
    text = data.decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("latin-1")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    title = lines[0][0].removeprefix("Tabelle:").strip() if lines and lines[0] else ""
    key_column: int | None = None
    data_lines: list[tuple[int, list[str]]] = []
    header_lines: list[list[str]] = []
    for number, cells in enumerate(lines, start=1):
        if key_column is None:
            for index in (0, 1):
                if (
                    len(cells) > index + 2
                    and _REGION_KEY.match(cells[index].strip())
                    and cells[index + 1].strip()
                    and not _REGION_KEY.match(cells[index + 1].strip())
                ):
                    key_column = index
                    break
            if key_column is None:
                header_lines.append(cells)
                continue
        if len(cells) > key_column + 2 and _REGION_KEY.match(cells[key_column].strip()):
            data_lines.append((number, cells))
    if key_column is None or not data_lines:
        raise TableError(
            _(
                "No data rows with a region key found – "
                "is this an export of the Landesdatenbank NRW?"
            )
        )
    width = max(len(cells) for _line, cells in data_lines) - key_column - 2
    if column is None:
        if width != 1:
            raise TableError(
                _("The table has %(width)s value columns; please choose one of 1 … %(width)s.")
                % {"width": width}
            )
        column = 1
    if not 1 <= column <= width:
        raise TableError(
            _("There is no column %(column)s (1 … %(width)s).") % {"column": column, "width": width}
        )
    value_index = key_column + 1 + column
    labels = [
        cells[value_index].strip()
        for cells in header_lines
        if len(cells) > value_index and cells[value_index].strip()
    ]
    year = _year_of(data_lines[0][1][:key_column]) or _year_of(
        [cell for cells in header_lines for cell in cells]
    )
    if year is None:
        raise TableError(_("The year of the table cannot be recognised."))
    values = []
    for number, cells in data_lines:
        raw = cells[value_index] if len(cells) > value_index else ""
        try:
            value = parse_number(raw)
        except ValueError as error:
            raise TableError(
                _("Row %(line)s: “%(raw)s” is not a number.") % {"line": number, "raw": raw}
            ) from error
        values.append(
            RegionalValue(number, cells[key_column].strip(), cells[key_column + 1].strip(), value)
        )
    return RegionalTable(title, year, " / ".join(labels), values)


def _year_of(cells: list[str]) -> int | None:
    for cell in cells:
        match = _YEAR.match(cell.strip())
        if match:
            return int(match.group(1))
    return None
