"""Spreadsheet helpers shared by the importers and exporters: cells that a
spreadsheet would run as formulas, and how far the sheets of an XLSX or ODS
workbook reach, read from the XML without building the grid.

Formulas: a text cell that starts with = + - @, a tab or a carriage return is
run as a formula by Excel and LibreOffice, from CSV as from XLSX (openpyxl
itself writes a string starting with "=" as a formula). A provider could so put
a live `=HYPERLINK(…)` into a coordinator's workbook. Exports write such text
with a leading apostrophe (`formula_safe`) and imports read it back without
it (`formula_unescaped`), so a file imports back unchanged.

Extents:

python-calamine builds a sheet as one dense grid of rows × columns, from the
first to the last cell that holds anything. One stray entry far down or to
the right (a 5 KB file with a cell in XFD1048576) made it ask for 512 GB and
abort the whole process, which Python cannot catch. So the importers measure
a sheet's extent here first and refuse what is too large (see
`kette.directory.tabular`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, ElementTree

# A cell's or row's reference: r="AB12" on `<c>`, r="12" on `<row>` (the only
# elements of a worksheet with an attribute r). The patterns start with the
# literal `r=`, which the regex engine searches for fast (with `\s` in front the
# scan of a 142 MB sheet took 1.6 instead of 0.9 s); an attribute whose name
# merely ends in r (`header="0.3"`) can only add small numbers.
_REF_COLUMN = re.compile(rb"""r=["']([A-Z]+)""")
_REF_ROW = re.compile(rb"""r=["'][A-Z]*([0-9]+)""")
_CHUNK = 1 << 22

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_TABLE = f"{{{_TABLE}}}table"
_ODS_ROW = f"{{{_TABLE}}}table-row"
_ODS_CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
_ODS_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_ODS_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
_ODS_NAME = f"{{{_TABLE}}}name"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """A cell value for a CSV or XLSX export: text that would start a formula gets a
    leading apostrophe; anything else (numbers, dates, other text) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def formula_unescaped(text: str) -> str:
    """A text cell as an import reads it: the apostrophe `formula_safe` put in
    front of a formula-like text is taken off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def column_number(letters: str) -> int:
    """1 for A, 26 for Z, 27 for AA, 16384 for XFD."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def xlsx_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The last row and column (1-based) that a worksheet part references.
    A cell or row without reference follows the one before it, so only the
    references can place one far away."""
    rows: set[bytes] = set()
    columns: set[bytes] = set()
    with archive.open(part) as stream:
        tail = b""
        while chunk := stream.read(_CHUNK):
            block = tail + chunk
            cut = block.rfind(b">") + 1  # no tag is cut in two
            block, tail = block[:cut], block[cut:]
            rows.update(_REF_ROW.findall(block))
            columns.update(_REF_COLUMN.findall(block))
    last_row = max((int(row) for row in rows), default=0)
    last_column = max((column_number(c.decode()) for c in columns), default=0)
    return last_row, last_column


def xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part (`xl/worksheets/sheet1.xml`), from the
    workbook and its relationships; empty when they cannot be read."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ParseError, DefusedXmlException, zipfile.BadZipFile):
        return {}
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in relations
        if _local(relation.tag) == "Relationship"
    }
    parts = {}
    for element in book.iter():
        if _local(element.tag) != "sheet":
            continue
        key = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        target = targets.get(key)
        if target:
            parts[element.get("name", "")] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
    return parts


def xlsx_sheet_extents(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int]:
    """The extent of the sheet named `sheet`; when the workbook does not say
    which part that is, the largest extent of all its worksheets."""
    part = xlsx_sheet_parts(archive).get(sheet)
    if part is not None and part in archive.namelist():
        return xlsx_extent(archive, part)
    extents = [
        xlsx_extent(archive, name)
        for name in archive.namelist()
        if name.startswith("xl/worksheets/") and name.endswith(".xml")
    ]
    return (
        max((row for row, _column in extents), default=0),
        max((column for _row, column in extents), default=0),
    )


def ods_extents(archive: zipfile.ZipFile) -> dict[str, tuple[int, int]]:
    """Table name → the last row and column (1-based) holding anything, counting
    the repetitions ODS uses for runs of equal rows and cells (empty runs at the
    end, as Calc writes them up to the last row of a sheet, do not count)."""
    return dict(_ods_tables(archive))


def _ods_tables(archive: zipfile.ZipFile) -> Iterator[tuple[str, tuple[int, int]]]:
    name = ""
    row = last_row = last_column = 0
    column = row_last_column = 0
    with archive.open("content.xml") as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _ODS_TABLE:
                    name = element.get(_ODS_NAME, "")
                    row = last_row = last_column = 0
                elif tag == _ODS_ROW:
                    column = row_last_column = 0
                continue
            if tag in _ODS_CELLS:
                repeated = int(element.get(_ODS_COLUMNS_REPEATED) or 1)
                if element.get(_ODS_VALUE_TYPE) or len(element):
                    row_last_column = column + repeated
                column += repeated
                element.clear()
            elif tag == _ODS_ROW:
                repeated = int(element.get(_ODS_ROWS_REPEATED) or 1)
                if row_last_column:
                    last_row = row + repeated
                    last_column = max(last_column, row_last_column)
                row += repeated
                element.clear()
            elif tag == _ODS_TABLE:
                yield name, (last_row, last_column)
                element.clear()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
