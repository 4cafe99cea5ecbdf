"""Spreadsheet files for tests, built the way office programs write them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, int | float):
        kind = f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, dt.date):
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        kind = 'office:value-type="string"'
    return f"<table:table-cell {kind}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def ods_bytes(sheets: dict[str, list[list[Any]]], *, mimetype: str = "spreadsheet") -> bytes:
    """An OpenDocument spreadsheet as LibreOffice Calc writes one: the mimetype
    first and uncompressed, a manifest, and after the data a run of a million
    empty rows (formatting that reaches to the end of the sheet)."""
    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>"
            for row in rows
        )
        + '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>"
        for name, rows in sheets.items()
    )
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in ODF.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} '
        f'office:version="1.3"><office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    media_type = f"application/vnd.oasis.opendocument.{mimetype}"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", media_type, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def replaced(data: bytes, name: str, text: str) -> bytes:
    """The ZIP archive `data` with the entry `name` holding `text` instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, text if info.filename == name else source.read(info))
    return buffer.getvalue()


def xls_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An Excel 97–2003 workbook (.xls, BIFF8) as xlwt writes one; dates get a
    date format, as Excel shows them."""
    import xlwt  # a test dependency: kette reads .xls but never writes it

    workbook = xlwt.Workbook()
    date = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date)
                elif value is not None:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def renamed_stream(data: bytes, old: str, new: str) -> bytes:
    """The compound file `data` (an Office 97–2003 file) with its stream `old`
    named `new` in the directory: an .xls turned into what looks like a Word
    .doc ("WordDocument") to the reader."""
    entry = old.encode("utf-16-le") + b"\x00\x00"
    name = new.encode("utf-16-le") + b"\x00\x00"
    start = data.index(entry)
    # a directory entry: the name in 64 bytes, then its length in bytes
    field = name.ljust(64, b"\x00") + len(name).to_bytes(2, "little")
    return data[:start] + field + data[start + 66 :]
