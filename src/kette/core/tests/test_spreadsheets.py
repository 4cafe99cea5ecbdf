"""Formula-like cells in exports, and the extent of workbook sheets, measured
without building them."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from kette.core import spreadsheets
from kette.testing.spreadsheets import ods_bytes, replaced


def archive(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def xlsx(**cells) -> bytes:
    workbook = Workbook()
    workbook.active.title = "Hinweise"
    workbook.active["A1"] = "nichts"
    sheet = workbook.create_sheet("Angebote")
    sheet.append(["Angebot", "Träger"])
    for reference, value in cells.items():
        sheet[reference] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("letters", "number"),
    [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("GR", 200), ("XFD", 16384)],
)
def test_column_numbers(letters, number):
    assert spreadsheets.column_number(letters) == number


def test_the_extent_of_an_xlsx_sheet_is_its_farthest_reference():
    data = xlsx(C5="x", XFD1048576="far away")
    assert spreadsheets.xlsx_sheet_parts(archive(data)) == {
        "Hinweise": "xl/worksheets/sheet1.xml",
        "Angebote": "xl/worksheets/sheet2.xml",
    }
    assert spreadsheets.xlsx_sheet_extents(archive(data), "Angebote") == (1048576, 16384)
    assert spreadsheets.xlsx_sheet_extents(archive(data), "Hinweise") == (1, 1)
    # quoted with ' instead of ", as XML allows
    part = (
        archive(data)
        .read("xl/worksheets/sheet2.xml")
        .decode()
        .replace('r="XFD1048576"', "r='XFD1048576'")
    )
    quoted = replaced(data, "xl/worksheets/sheet2.xml", part)
    assert spreadsheets.xlsx_sheet_extents(archive(quoted), "Angebote") == (1048576, 16384)


def test_without_a_readable_workbook_part_every_sheet_counts():
    data = replaced(xlsx(B7="x"), "xl/workbook.xml", "<kaputt")
    assert spreadsheets.xlsx_sheet_parts(archive(data)) == {}
    assert spreadsheets.xlsx_sheet_extents(archive(data), "Angebote") == (7, 2)


def test_the_extent_of_an_ods_table_counts_repetitions_but_not_empty_runs_at_the_end():
    data = ods_bytes(
        {"Hinweise": [["nichts"]], "Angebote": [["Angebot", "Träger"], [None, None, "x"]]}
    )
    assert spreadsheets.ods_extents(archive(data)) == {"Hinweise": (1, 1), "Angebote": (2, 3)}
    wide = data_with_cell_after_gap()
    assert spreadsheets.ods_extents(archive(wide))["Angebote"] == (1, 16002)


def data_with_cell_after_gap() -> bytes:
    data = ods_bytes({"Angebote": [["Angebot"]]})
    content = archive(data).read("content.xml").decode()
    far = (
        '<table:table-cell table:number-columns-repeated="16000"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    )
    content = content.replace(
        "<text:p>Angebot</text:p></table:table-cell>",
        "<text:p>Angebot</text:p></table:table-cell>" + far,
        1,
    )
    return replaced(data, "content.xml", content)


@pytest.mark.parametrize("text", ["=1+1", "+49 221 1", "-Treff", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_exported_with_an_apostrophe_and_read_back_without(text):
    assert spreadsheets.formula_safe(text) == "'" + text
    assert spreadsheets.formula_unescaped("'" + text) == text


def test_other_cells_are_exported_and_read_as_they_are():
    for value in ("Jugendamt", "'Zitat'", "", 3, None):
        assert spreadsheets.formula_safe(value) == value
    assert spreadsheets.formula_unescaped("'Zitat'") == "'Zitat'"
