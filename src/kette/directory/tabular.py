"""Bulk import and export of offers as CSV or XLSX in the documented template.

One row is one offer at one location (an offer with several locations has one
row per location, all carrying the same HSDS-ID; an offer without a location has
one row with empty address columns). The columns are `COLUMNS`; see
docs/offer-import.md for the template as users read it.

Reading accepts what spreadsheets produce: CSV in UTF-8 (with or without BOM),
UTF-16 with BOM or Windows-1252, separated by semicolons, commas or tabs, with
decimal commas or points; and XLSX, OpenDocument (ODS) or Excel 97–2003 (XLS)
workbooks (the sheet "Angebote", else the first). Import runs in three phases:

1. `read_table` turns the bytes into a header and rows, or raises
   `TabularFileError` with one German message (too large, empty, binary, wrong
   encoding, broken workbook);
2. `prepare_import` checks the header (required columns), parses and validates
   every row and matches rows against the municipality's existing offers
   (HSDS-ID, else same name and address), without writing anything; each
   problem carries row, column and reason;
3. `run_import` writes the plan in one transaction through the directory's
   services (so everything is audited and indexed): new offers are created,
   matched ones updated where a value differs, and identical ones left alone.

Nothing is written while a problem is left, unless the caller asks to skip
exactly the rows that have problems.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kette.core import bulk, spreadsheets
from kette.core.audit import BulkValidationError
from kette.core.fields import RememberingURLValidator
from kette.core.models import Municipality, User
from kette.core.spreadsheets import formula_safe, formula_unescaped
from kette.core.text import fold_german, german_decimal, unix_newlines
from kette.core.upload_store import max_bytes, megabytes, size_message
from kette.directory import languages, selectors, services
from kette.directory.bulk_models import ColumnMapping
from kette.directory.models import (
    MAX_AGE_MONTHS,
    MIN_AGE_MONTHS,
    Language,
    Location,
    LocationFeature,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTerm,
    TaxonomyTerm,
)

# Files above settings.KETTE_IMPORT_MAX_BYTES (default 20 MB, well over 50,000
# rows of the template) are refused before they are parsed.
MAX_ROWS = 100_000
# An XLSX or ODS file may unpack to at most this many times the upload limit
# (100,000 generated offers in XLSX: 17 MB packed, 142 MB unpacked).
UNPACKED_FACTOR = 25
# The widest sheet read (the template has 21 columns; calamine holds a sheet as
# a dense grid of rows × columns, so both are bounded).
MAX_COLUMNS = 200
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# The sheet of a workbook the offer import reads (else the first one).
OFFER_SHEET = "Angebote"
# The files the table imports read (offers, indicator values, the actor
# network), for the upload fields' file pickers and checks of the name.
TABLE_EXTENSIONS = (".csv", ".xlsx", ".ods", ".xls")
TABLE_ACCEPT = ",".join((*TABLE_EXTENSIONS, "text/csv"))

# Coordinates must lie in Germany's bounding box (WGS84).
LATITUDE_RANGE = (Decimal("47.2"), Decimal("55.1"))
LONGITUDE_RANGE = (Decimal("5.8"), Decimal("15.1"))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False


COLUMNS = [
    Column("name", "Angebot", required=True),
    Column("description", "Beschreibung"),
    Column("organization", "Träger", required=True),
    Column("street", "Straße"),
    Column("house_number", "Hausnummer"),
    Column("postal_code", "PLZ"),
    Column("city", "Ort"),
    Column("latitude", "Breitengrad"),
    Column("longitude", "Längengrad"),
    Column("min_age", "Alter von (Jahre)"),
    Column("max_age", "Alter bis (Jahre)"),
    Column("fields_of_action", "Handlungsfelder"),
    Column("languages", "Sprachen"),
    Column("is_free", "kostenfrei (ja/nein)"),
    Column("fees", "Kosten"),
    Column("accessibility", "Barrierefreiheit"),
    Column("phone", "Telefon"),
    Column("email", "E-Mail"),
    Column("website", "Website"),
    Column("status", "Status"),
    Column("last_verified", "zuletzt geprüft am"),
    Column("hsds_id", "HSDS-ID"),
]
HEADERS = [column.header for column in COLUMNS]
BY_KEY = {column.key: column for column in COLUMNS}

STATUS_LABELS = {
    ServiceStatus.DRAFT: "Entwurf",
    ServiceStatus.PUBLISHED: "veröffentlicht",
    ServiceStatus.ARCHIVED: "archiviert",
}
_STATUS_INPUT = {
    "entwurf": ServiceStatus.DRAFT,
    "draft": ServiceStatus.DRAFT,
    "veroeffentlicht": ServiceStatus.PUBLISHED,
    "published": ServiceStatus.PUBLISHED,
    "oeffentlich": ServiceStatus.PUBLISHED,
    "archiviert": ServiceStatus.ARCHIVED,
    "archived": ServiceStatus.ARCHIVED,
}
_YES = {"ja", "j", "yes", "y", "x", "1", "wahr", "true"}
_NO = {"nein", "n", "no", "0", "falsch", "false", ""}

# German names of common languages, accepted beside ISO 639 codes.
LANGUAGE_NAMES = {
    "deutsch": "de",
    "englisch": "en",
    "tuerkisch": "tr",
    "arabisch": "ar",
    "russisch": "ru",
    "polnisch": "pl",
    "ukrainisch": "uk",
    "franzoesisch": "fr",
    "spanisch": "es",
    "italienisch": "it",
    "persisch": "fa",
    "farsi": "fa",
    "kurdisch": "ku",
    "rumaenisch": "ro",
    "bulgarisch": "bg",
    "griechisch": "el",
    "kroatisch": "hr",
    "serbisch": "sr",
    "albanisch": "sq",
    "gebaerdensprache": "gsg",
}

# Cells that a spreadsheet would read as a formula are written with a leading
# apostrophe and read back without it (CSV injection).
_TEXT_KEYS = {
    "name",
    "description",
    "organization",
    "street",
    "house_number",
    "city",
    "fees",
    "fields_of_action",
    "languages",
    "accessibility",
    "phone",
    "email",
    "website",
}


class TabularFileError(Exception):
    """The file as a whole can't be read; `message` says why, in German."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet's row number (the header is row 1)
    column: str  # the template column's header, or "" for the whole row/file
    message: str


# ---------------------------------------------------------------------------
# Reading bytes into rows
# ---------------------------------------------------------------------------

_BINARY_SIGNATURES = {
    b"\x89PNG": "PNG",
    b"%PDF": "PDF",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
}
# An Office 97–2003 file (a compound file): an Excel .xls is read, and the
# names of its streams tell a Word or PowerPoint file chosen by mistake.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY_DOCUMENTS = [
    ("WordDocument", "Word 97–2003 (.doc)"),
    ("PowerPoint Document", "PowerPoint 97–2003 (.ppt)"),
]
# Bytes that Windows-1252 leaves undefined.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# UTF-8 read as Windows-1252 ("Ã¤" for "ä"): the sign of a file in two encodings.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152-\u017e\u02c6\u02dc]")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        # with a decimal comma, as German spreadsheets show it: "12.345" would
        # read as twelve thousand three hundred and forty-five wherever German
        # number formats are accepted (the indicator import); no exponent
        # ("1e-05" is no number there)
        return german_decimal(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_workbook(
    data: bytes, archive: zipfile.ZipFile | None, kind: str, sheet_name: str | None
) -> list[list[str]]:
    """The rows of the sheet `sheet_name` if the workbook has it, else of its
    first sheet, of an XLSX, ODS or XLS file (`kind` "xlsx"/"ods"/"xls"; the
    first two with their `archive`) as text cells."""
    # python-calamine (Rust) reads a sheet of 100,000 offers in about 2 s, where
    # openpyxl's read-only mode took 23 s: the difference between meeting the
    # import's time target and missing it. Cells holding an Excel error (#NV,
    # #DIV/0!) come back empty.
    from python_calamine import CalamineWorkbook

    try:
        if archive is not None:  # calamine reads an ODS whole when opened
            _check_extent(archive, kind, sheet_name)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except TabularFileError:
        raise
    except Exception as error:  # calamine raises many kinds for broken files
        raise TabularFileError(broken_workbook(kind)) from error
    try:
        names = workbook.sheet_names
        chosen = sheet_name if sheet_name is not None and sheet_name in names else names[0]
        sheet = workbook.get_sheet_by_name(chosen)
        # calamine holds the cells from the first used one on; the rows below
        # are a grid from A1 to the last (an .xls is bounded by 65,536 × 256,
        # which is still 16 million cells for one stray entry)
        if sheet.end is not None:
            _refuse_beyond(chosen, sheet.end[0] + 1, sheet.end[1] + 1)
        return [
            [value if type(value) is str else _cell_text(value) for value in row]
            for row in sheet.to_python(skip_empty_area=False)
        ]
    except TabularFileError:
        raise
    except Exception as error:
        raise TabularFileError(broken_workbook(kind)) from error
    finally:
        workbook.close()


def _check_extent(archive: zipfile.ZipFile, kind: str, preferred: str | None) -> None:
    """Refuse the sheet to be read (`preferred` if the workbook has it, else the
    first) when it reaches beyond MAX_ROWS rows or MAX_COLUMNS columns, before
    calamine builds its grid (see `kette.core.spreadsheets`)."""
    if kind == "ods":
        extents = spreadsheets.ods_extents(archive)
        sheet = preferred if preferred is not None and preferred in extents else ""
        sheet = sheet or next(iter(extents), "")
        rows, columns = extents.get(sheet, (0, 0))
    else:
        names = list(spreadsheets.xlsx_sheet_parts(archive))
        sheet = preferred if preferred is not None and preferred in names else ""
        sheet = sheet or next(iter(names), "")
        rows, columns = spreadsheets.xlsx_sheet_extents(archive, sheet)
    _refuse_beyond(sheet, rows, columns)


def _refuse_beyond(sheet: str, rows: int, columns: int) -> None:
    """Refuse a sheet that reaches beyond MAX_ROWS rows or MAX_COLUMNS columns."""
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
        raise TabularFileError(
            _(
                "The sheet “%(sheet)s” reaches to row %(rows)s and column %(columns)s; at most "
                "%(max_rows)s rows and %(max_columns)s columns can be read. Often a single "
                "entry or formatting lies far below or to the right of the data: please "
                "delete the rows and columns after the data, or save the sheet as CSV."
            )
            % {
                "sheet": sheet,
                "rows": f"{rows:,}".replace(",", "."),
                "columns": f"{columns:,}".replace(",", "."),
                "max_rows": f"{MAX_ROWS + 1:,}".replace(",", "."),
                "max_columns": MAX_COLUMNS,
            }
        )


def _workbook_kind(archive: zipfile.ZipFile) -> str | None:
    """ "xlsx" or "ods" for a ZIP archive that holds a workbook, else None."""
    names = archive.namelist()
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if "content.xml" in names and _odf_mimetype(archive) == ODS_MIMETYPE:
        return "ods"
    return None


def _odf_mimetype(archive: zipfile.ZipFile) -> bytes:
    """The `mimetype` entry of an OpenDocument file (b"" without a short one)."""
    info = next((i for i in archive.infolist() if i.filename == "mimetype"), None)
    if info is None or info.file_size >= 100:
        return b""
    try:
        return archive.read(info).strip()
    except (zipfile.BadZipFile, NotImplementedError, OSError):
        return b""


# Other documents that are ZIP archives: (entry prefix or ODF mimetype, kind).
_ZIPPED_DOCUMENTS = [
    ("word/", "Word (.docx)"),
    ("ppt/", "PowerPoint (.pptx)"),
    ("application/vnd.oasis.opendocument.text", "OpenDocument (.odt)"),
    ("application/vnd.oasis.opendocument.presentation", "OpenDocument (.odp)"),
    ("application/vnd.oasis.opendocument.graphics", "OpenDocument (.odg)"),
]


def _document_kind(archive: zipfile.ZipFile) -> str | None:
    """The kind of an office document that is no spreadsheet (a letter or slides
    chosen by mistake), for the message, else None."""
    names = archive.namelist()
    mimetype = _odf_mimetype(archive)
    for marker, kind in _ZIPPED_DOCUMENTS:
        if marker.startswith("application/"):
            if mimetype == marker.encode():
                return kind
        elif any(name.startswith(marker) for name in names):
            return kind
    return None


def no_table(kind: str) -> str:
    """The message for a file of another kind than a table (PDF, Word, …)."""
    return _("The file is no table but a %(kind)s file. Please upload CSV, XLSX or ODS.") % {
        "kind": kind
    }


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """A ZIP whose contents would unpack far beyond the upload limit (a "ZIP
    bomb", or a sheet with millions of empty formatted cells) is refused before
    anything is unpacked: the sizes its directory declares are summed."""
    unpacked = sum(info.file_size for info in archive.infolist())
    limit = UNPACKED_FACTOR * max_bytes()
    if unpacked > limit:
        raise TabularFileError(
            _(
                "The spreadsheet unpacks to %(size)s MB; at most %(limit)s MB can be read. "
                "Please split it or save it as CSV."
            )
            % {"size": megabytes(unpacked), "limit": megabytes(limit)}
        )


def broken_workbook(kind: str) -> str:
    """The German message for an unreadable "xlsx", "ods" or "xls" file."""
    # calamine's and zipfile's reasons are English and technical: not shown
    if kind == "xls":
        return _(
            "The file is not a readable Excel 97–2003 file (.xls): it is damaged, incomplete "
            "or protected by a password. Please save it again as XLSX or CSV."
        )
    if kind == "ods":
        return _(
            "The file is not a readable OpenDocument spreadsheet (.ods): it is damaged or "
            "incomplete. Please save it again, or as CSV or XLSX."
        )
    return _(
        "The file is not a readable Excel file (.xlsx): it is damaged or incomplete. "
        "Please save it again from Excel, or as CSV."
    )


def _too_many_rows() -> str:
    return _("The file has more than %(count)s rows; please split it.") % {
        "count": f"{MAX_ROWS:,}".replace(",", ".")
    }


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise TabularFileError(_wrong_encoding()) from error
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as error:
            raise TabularFileError(_wrong_encoding()) from error
    if b"\x00" in data:
        raise TabularFileError(
            _(
                "The file is not a text file (it contains binary data). Please upload CSV, "
                "XLSX or ODS."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _CP1252_UNDEFINED.search(data):
        raise TabularFileError(_wrong_encoding())
    text = data.decode("cp1252")
    if _MOJIBAKE.search(text):
        raise TabularFileError(_wrong_encoding())
    return text


def _utf16_without_bom(data: bytes) -> str:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text without byte order mark (saved
    so by some tools): mostly Latin text, so nearly every second byte is zero."""
    sample = data[:4096]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return ""


def _check_swallowed_lines(rows: list[list[str]], starts: list[int], delimiter: str) -> None:
    """A quotation mark that is never closed makes the csv module read the
    following lines into one cell, silently: those rows would be lost. A cell
    with a line break whose further lines hold about as many separators as a row
    is taken for that and refused (a text with line breaks has few or none)."""
    columns = len(rows[0]) if rows else 0
    if columns < 2:
        return
    needed = max(2, (columns - 1) // 2)
    for values, line in zip(rows, starts, strict=True):
        for cell in values:
            if "\n" in cell and any(
                part.count(delimiter) >= needed for part in cell.split("\n")[1:]
            ):
                raise TabularFileError(
                    _(
                        "The CSV file could not be read: a quotation mark in the row starting "
                        "on line %(line)s is not closed, so the lines after it were read into "
                        "one cell. Please close the quotation mark (or remove it) and try again."
                    )
                    % {"line": line}
                )


def _wrong_encoding() -> str:
    return _(
        "The file's character encoding could not be recognised. Please save it as "
        "CSV in UTF-8 or as CSV (semicolon-separated) from Excel, or as XLSX."
    )


# Markup that some programs save as an "Excel" file (.xls): a web page with a
# table, or Excel 2003's XML spreadsheet. Read as CSV it would give rows of tags.
_MARKUP = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|head|body|meta"
    r"|\?mso-application|workbook)\b",
    re.IGNORECASE | re.DOTALL,
)


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if _MARKUP.match(text[:4096]):
        raise TabularFileError(
            _(
                "The file is no CSV table but a web page or XML document (some programs "
                "save their “Excel” exports so). Please open it in Excel or LibreOffice "
                "and save it as XLSX or CSV."
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    start = 1  # the line the record being read starts on (a quoted cell may span lines)
    starts: list[int] = []
    try:
        for values in reader:
            rows.append(values)
            starts.append(start)
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 1:
                raise TabularFileError(_too_many_rows())
        _check_swallowed_lines(rows, starts, delimiter)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            message = _(
                "The CSV file could not be read: line %(line)s holds a cell of more than "
                "%(limit)s characters (perhaps a quotation mark that is never closed)."
            ) % {"line": start, "limit": f"{csv.field_size_limit():,}".replace(",", ".")}
        else:  # the csv module's reason is English and technical: not shown
            message = _(
                "The CSV file could not be read (line %(line)s): the line does not follow "
                "the CSV format."
            ) % {"line": start}
        raise TabularFileError(message) from error
    return rows


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """The rows of a CSV, XLSX, ODS or XLS file, recognised by content rather than
    by name: the first row that holds anything is the header. Empty rows before
    and among the data stay (so that each row's position is its line in the
    file, as `prepare_import` reports it), empty rows at the end do not. Raises
    TabularFileError with a German message."""
    rows = read_rows(data)
    while rows and not _holds_anything(rows[-1]):
        rows.pop()
    if not rows:
        raise TabularFileError(_("The file is empty."))
    return rows


def _holds_anything(row: Sequence[str]) -> bool:
    return any(cell.strip() for cell in row)


def read_rows(data: bytes, *, sheet: str | None = OFFER_SHEET) -> list[list[str]]:
    """Every row of a CSV, XLSX, ODS or XLS file as text cells, empty rows included
    (so a row's position is its line in the file); the checks of `read_table`
    for size, empty, binary and wrongly encoded files and broken workbooks. Of
    a workbook, the sheet `sheet` is read if it has one, else the first."""
    if len(data) > max_bytes():
        raise TabularFileError(size_message(len(data)))
    if not data.strip():
        raise TabularFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as error:
            raise TabularFileError(broken_workbook("xlsx")) from error
        kind = _workbook_kind(archive)
        if kind is None and (document := _document_kind(archive)):
            raise TabularFileError(no_table(document))
        if kind is None:
            raise TabularFileError(
                _(
                    "The file is a ZIP archive but no spreadsheet (Excel .xlsx or "
                    "OpenDocument .ods)."
                )
            )
        _check_unpacked_size(archive)
        rows = _read_workbook(data, archive, kind, sheet)
    elif data.startswith(_COMPOUND_FILE):
        if document := _legacy_document_kind(data):
            raise TabularFileError(no_table(document))
        rows = _read_workbook(data, None, "xls", sheet)
    else:
        for signature, kind in _BINARY_SIGNATURES.items():
            if data.startswith(signature):
                raise TabularFileError(no_table(kind))
        rows = _read_csv(data)
    return rows


def _legacy_document_kind(data: bytes) -> str | None:
    """The kind of an Office 97–2003 file that is no workbook (it has no
    "Workbook" or "Book" stream but a Word or PowerPoint one), else None. The
    compound file's directory holds the streams' names in UTF-16."""
    if any(name.encode("utf-16-le") + b"\x00\x00" in data for name in ("Workbook", "Book")):
        return None
    for stream, kind in _LEGACY_DOCUMENTS:
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            return kind
    return None


# ---------------------------------------------------------------------------
# Parsing values
# ---------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _fold(value: str) -> str:
    return " ".join(fold_german(value).split())


def _text(value: str) -> str:
    return formula_unescaped(unix_newlines(value.strip()))


def parse_decimal(value: str) -> Decimal:
    """A number with decimal comma or point ("50,9375", "50.9375", "1.234,5")."""
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from error
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    return number


def parse_coordinate(value: str, low: Decimal, high: Decimal) -> Decimal:
    number = parse_decimal(value)
    if not low <= number <= high:
        raise CellError(
            _("%(value)s lies outside Germany (allowed: %(low)s to %(high)s).")
            % {"value": value, "low": _german_number(low), "high": _german_number(high)}
        )
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# The parsers below are pure and their results immutable; the rows of a file
# share ages, dates and addresses, so each remembers what it read (errors are
# raised anew each time, in the language of the moment).
@functools.lru_cache(maxsize=4096)
def parse_age(value: str) -> int:
    try:
        years = parse_decimal(value)
    except CellError as error:
        raise CellError(
            _("“%(value)s” is no age in years (e.g. 3 or 1,5).") % {"value": value}
        ) from error
    months = int((years * 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not MIN_AGE_MONTHS <= months <= MAX_AGE_MONTHS:
        raise CellError(_("The age %(value)s lies outside −0,75 to 99 years.") % {"value": value})
    return months


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y")


@functools.lru_cache(maxsize=4096)
def parse_date(value: str) -> dt.date:
    text = value.strip()
    if " " in text:
        text = text.split(" ", 1)[0]  # "24.11.2026 00:00" from some spreadsheets
    if "T" in text and text[:4].isdigit():
        text = text.split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date (expected e.g. 31.12.2026).") % {"value": value})


def parse_bool(value: str) -> bool:
    folded = _fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError(_("“%(value)s”: please write “ja” or “nein”.") % {"value": value})


def parse_postal_code(value: str) -> str:
    text = value.strip().replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 4 and text.isdigit():
        text = "0" + text  # a spreadsheet dropped the leading zero
    if not (len(text) == 5 and text.isdigit()):
        raise CellError(_("“%(value)s” is not a five-digit postal code.") % {"value": value})
    return text


def parse_status(value: str) -> str:
    folded = _fold(value).replace("ö", "oe")
    if folded in _STATUS_INPUT:
        return _STATUS_INPUT[folded]
    raise CellError(
        _("“%(value)s” is no status (allowed: Entwurf, veröffentlicht, archiviert).")
        % {"value": value}
    )


def split_list(value: str) -> list[str]:
    parts = (
        re.split(r"[;|\n]", value)
        if (";" in value or "\n" in value or "|" in value)
        else (value.split(","))
    )
    return [part.strip() for part in parts if part.strip()]


def parse_languages(value: str) -> list[str]:
    codes: list[str] = []
    for part in split_list(value):
        folded = _fold(part)
        code = LANGUAGE_NAMES.get(folded, folded)
        if not languages.known(code):
            raise CellError(
                _("“%(value)s” is no language code (ISO 639, e.g. de, tr, ar).") % {"value": part}
            )
        if code not in codes:
            codes.append(code)
    return codes


@functools.lru_cache(maxsize=4096)
def parse_email(value: str) -> str:
    try:
        EmailValidator()(value)
    except ValidationError as error:
        raise CellError(_("“%(value)s” is not an e-mail address.") % {"value": value}) from error
    return value


WEB_ADDRESS = RememberingURLValidator(schemes=["http", "https"])


def parse_website(value: str) -> str:
    url = value if "://" in value else f"https://{value}"
    try:
        WEB_ADDRESS(url)
    except ValidationError as error:
        raise CellError(_("“%(value)s” is not a web address.") % {"value": value}) from error
    return url


def parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError as error:
        raise CellError(
            _("“%(value)s” is not an HSDS-ID (a UUID such as 3f2b…-…).") % {"value": value}
        ) from error


def _german_number(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


# ---------------------------------------------------------------------------
# Preparing an import: header, rows, matching
# ---------------------------------------------------------------------------


@dataclass
class OfferRow:
    number: int
    values: dict[str, Any]
    service: Service | None = None  # the existing offer this row updates
    new_key: str = ""  # rows creating the same new offer share a key
    location: Location | None = None  # the existing location this row updates
    hsds_id: uuid.UUID | None = None


@dataclass
class ImportPlan:
    municipality: Municipality
    columns: list[str]  # keys of the template columns present in the file
    rows: list[OfferRow]
    problems: list[Problem]
    ignored_columns: list[str] = field(default_factory=list)
    total_rows: int = 0

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.row is not None}

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is None]

    @property
    def valid_rows(self) -> list[OfferRow]:
        bad = self.bad_rows
        return [row for row in self.rows if row.number not in bad]

    @property
    def new_offers(self) -> int:
        rows = self.valid_rows
        return len({row.new_key for row in rows if row.service is None})

    @property
    def matched_offers(self) -> int:
        return len({row.service.pk for row in self.valid_rows if row.service is not None})


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    organizations_created: int = 0
    dry_run: bool = False


def _header_key(header: str) -> str:
    return _fold(header.replace("\ufeff", ""))


_TEMPLATE_BY_FOLDED = {_header_key(c.header): c.key for c in COLUMNS}


def _mapped_header(header: str, mapping: dict[str, str]) -> str:
    folded = {_header_key(source): target for source, target in mapping.items()}
    return folded.get(_header_key(header), header)


def mapping_problems(mapping: dict[str, str]) -> list[str]:
    """German messages for targets of a column mapping that are no template column."""
    return [
        _("“%(target)s” is not a column of the template.") % {"target": target}
        for target in mapping.values()
        if _header_key(str(target)) not in _TEMPLATE_BY_FOLDED
    ]


def _address_key(values: dict[str, Any], location: Location | None = None) -> tuple[Any, ...]:
    if location is not None:
        street = location.address_1
        postal, city = location.postal_code, location.city
        lat, lon = location.latitude, location.longitude
    else:
        street = _join_address(values.get("street", ""), values.get("house_number", ""))
        postal, city = values.get("postal_code", ""), values.get("city", "")
        lat, lon = values.get("latitude"), values.get("longitude")
    street_key = _fold(street).replace("strasse", "str.").replace("str ", "str. ")
    coords: tuple[Any, ...] = ()
    if not street_key and lat is not None and lon is not None:
        coords = (round(Decimal(lat), 4), round(Decimal(lon), 4))
    return (street_key, postal or "", _fold(city or ""), *coords)


def _join_address(street: str, number: str) -> str:
    return " ".join(part for part in (street.strip(), number.strip()) if part)


_HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\S)\s+(?P<number>\d+\s?[a-zA-Z]?(?:\s?[-–/]\s?\d+\s?[a-zA-Z]?)?)$"
)


def split_address(address_1: str) -> tuple[str, str]:
    """ "Marktplatz 12a" → ("Marktplatz", "12a"); without a number the street only."""
    match = _HOUSE_NUMBER.match(address_1.strip())
    if not match:
        return address_1.strip(), ""
    return match["street"], match["number"]


class _TermIndex:
    def __init__(self, terms: Iterable[TaxonomyTerm], what: str) -> None:
        self.what = what  # for messages: "fields of action", …
        self.by_name: dict[str, TaxonomyTerm] = {}
        for term in terms:
            self.by_name.setdefault(_fold(term.name), term)
            self.by_name.setdefault(_fold(term.code), term)

    def parse(self, value: str) -> list[TaxonomyTerm]:
        found: list[TaxonomyTerm] = []
        unknown: list[str] = []
        for part in split_list(value):
            term = self.by_name.get(_fold(part))
            if term is None:
                unknown.append(part)
            elif term not in found:
                found.append(term)
        if unknown:
            raise CellError(
                _("Unknown %(what)s: %(names)s. Known are: %(known)s.")
                % {
                    "what": self.what,
                    "names": ", ".join(f"„{name}“" for name in unknown),
                    "known": ", ".join(sorted({t.name for t in self.by_name.values()})),
                }
            )
        return found


def _parse_row(
    raw: dict[str, str], fields: _TermIndex, features: _TermIndex, today: dt.date
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []

    def run(key: str, parser: Callable[[str], Any], *, empty: Any = "") -> None:
        if key not in raw:
            return
        text = _text(raw[key]) if key in _TEXT_KEYS else raw[key].strip()
        if not text:
            values[key] = empty
            return
        try:
            values[key] = parser(text)
        except CellError as error:
            errors.append((key, str(error)))

    for key in ("name", "organization"):
        if key in raw:
            text = _text(raw[key])
            if not text:
                errors.append((key, _("This column must not be empty.")))
            elif len(text) > 300:
                errors.append((key, _("At most 300 characters, please.")))
            else:
                values[key] = text
    for key in ("description", "street", "house_number", "city", "fees"):
        run(key, lambda text: text)
    run("postal_code", parse_postal_code)
    run("latitude", lambda t: parse_coordinate(t, *LATITUDE_RANGE), empty=None)
    run("longitude", lambda t: parse_coordinate(t, *LONGITUDE_RANGE), empty=None)
    run("min_age", parse_age, empty=None)
    run("max_age", parse_age, empty=None)
    run("fields_of_action", fields.parse, empty=[])
    run("languages", parse_languages, empty=[])
    run("is_free", parse_bool, empty=False)
    run("accessibility", features.parse, empty=[])
    run("phone", split_list, empty=[])
    run("email", parse_email)
    run("website", parse_website)
    run("status", parse_status, empty=None)
    run("last_verified", parse_date, empty=None)
    if values.get("last_verified") and values["last_verified"] > today:
        errors.append(("last_verified", _("The date lies in the future.")))
    run("hsds_id", parse_uuid, empty=None)

    if (values.get("latitude") is None) != (values.get("longitude") is None) and not any(
        key in dict(errors) for key in ("latitude", "longitude")
    ):
        missing = "latitude" if values.get("latitude") is None else "longitude"
        errors.append((missing, _("Latitude and longitude go together; one is missing.")))
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and high <= low:
        errors.append(("max_age", _("“Alter bis” must be greater than “Alter von”.")))
    if len(values.get("street", "")) + len(values.get("house_number", "")) > 290:
        errors.append(("street", _("At most 300 characters, please.")))
    return values, errors


def prepare_import(
    municipality: Municipality,
    table: Sequence[Sequence[str]],
    *,
    mapping: dict[str, str] | None = None,
) -> ImportPlan:
    """Check the header and every row of `table` (as `read_table` returns it) and
    match the rows against the municipality's offers. Writes nothing."""
    mapping = mapping or {}
    # the header is the first row that holds anything; rows keep their lines
    first = next((i for i, cells in enumerate(table) if _holds_anything(cells)), 0)
    header = [_mapped_header(cell, mapping) for cell in table[first]] if table else []
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        key = _TEMPLATE_BY_FOLDED.get(_header_key(cell))
        if key is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if key in positions:
            problems.append(
                Problem(None, BY_KEY[key].header, _("The column appears twice in the header."))
            )
        positions[key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        problems.append(
            Problem(
                None,
                ", ".join(missing),
                _(
                    "Required columns are missing: %(columns)s. The first row must hold the "
                    "column names of the template."
                )
                % {"columns": ", ".join(f"„{name}“" for name in missing)},
            )
        )
    plan = ImportPlan(
        municipality=municipality,
        columns=list(positions),
        rows=[],
        problems=problems,
        ignored_columns=ignored,
        total_rows=sum(1 for cells in table[first + 1 :] if _holds_anything(cells)),
    )
    if missing or problems:
        return plan
    if not plan.total_rows:
        plan.problems.append(Problem(None, "", _("The file holds column names but no offers.")))
        return plan

    fields = _TermIndex(selectors.fields_of_action(municipality), _("fields of action"))
    features = _TermIndex(
        selectors.accessibility_features(municipality), _("accessibility features")
    )
    today = timezone.localdate()
    # Every parsed row stays alive until written; the cyclic garbage collector
    # would scan them all again and again (see kette.core.bulk.collector_paused).
    with bulk.collector_paused():
        for number, cells in enumerate(table[first + 1 :], start=first + 2):
            raw = {key: (cells[i] if i < len(cells) else "") for key, i in positions.items()}
            if not any(value.strip() for value in raw.values()):
                continue
            values, errors = _parse_row(raw, fields, features, today)
            for key, message in errors:
                plan.problems.append(Problem(number, BY_KEY[key].header, message))
            plan.rows.append(OfferRow(number=number, values=values, hsds_id=values.get("hsds_id")))
    _match(plan)
    plan.problems.sort(
        key=lambda p: (p.row or 0, HEADERS.index(p.column) if p.column in HEADERS else 0)
    )
    return plan


def _match(plan: ImportPlan) -> None:
    """Find the existing offer and location of each row; flag repeated rows."""
    municipality = plan.municipality
    existing = {
        s.id_hsds: s
        for s in Service.objects.for_municipality(municipality).select_related("organization")
    }
    locations_of: dict[int, list[Location]] = {}
    by_name_address: dict[tuple[Any, ...], tuple[Service, Location | None]] = {}
    links = ServiceAtLocation.objects.for_municipality(municipality).select_related("location")
    for link in links.order_by("pk"):
        locations_of.setdefault(link.service_id, []).append(link.location)
    for service in existing.values():
        name = _fold(service.name)
        for location in locations_of.get(service.pk, []):
            by_name_address.setdefault((name, *_address_key({}, location)), (service, location))
        if service.pk not in locations_of:
            by_name_address.setdefault((name, *_address_key({})), (service, None))
    ids_in_file = {row.hsds_id for row in plan.rows if row.hsds_id}
    foreign = set(
        Service.objects.filter(id_hsds__in=ids_in_file)
        .exclude(municipality=municipality)
        .values_list("id_hsds", flat=True)
    )
    rows_per_service: dict[Any, int] = {}
    seen: dict[tuple[Any, ...], int] = {}
    first_with_id: dict[Any, OfferRow] = {}
    for row in plan.rows:
        first = first_with_id.setdefault(row.hsds_id, row) if row.hsds_id else row
        if first is not row and _fold(first.values.get("name", "")) != _fold(
            row.values.get("name", "")
        ):
            # rows sharing an id are one offer at several addresses: one name
            plan.problems.append(
                Problem(
                    row.number,
                    BY_KEY["hsds_id"].header,
                    _(
                        "The same HSDS-ID as row %(row)s, but another name: rows with one "
                        "HSDS-ID are one offer at several addresses."
                    )
                    % {"row": first.number},
                )
            )
            continue
        if row.hsds_id in foreign:
            plan.problems.append(
                Problem(
                    row.number,
                    BY_KEY["hsds_id"].header,
                    _("This HSDS-ID belongs to an offer of another municipality."),
                )
            )
            continue
        address = _address_key(row.values)
        name_key = (_fold(row.values.get("name", "")), *address)
        if name_key in seen:
            plan.problems.append(
                Problem(
                    row.number,
                    BY_KEY["name"].header,
                    _("Same name and address as row %(row)s (a duplicate).")
                    % {"row": seen[name_key]},
                )
            )
            continue
        seen[name_key] = row.number
        if row.hsds_id is not None and row.hsds_id in existing:
            row.service = existing[row.hsds_id]
        elif row.hsds_id is None and name_key in by_name_address:
            row.service, row.location = by_name_address[name_key]
        else:
            row.new_key = str(row.hsds_id or f"row-{row.number}")
        identity = row.service.pk if row.service else row.new_key
        rows_per_service[identity] = rows_per_service.get(identity, 0) + 1
    for row in plan.rows:
        if row.service is not None and ("min_age" in row.values) != ("max_age" in row.values):
            # one age column in the file: the other bound stays as stored
            low = row.values.get("min_age", row.service.min_age_months)
            high = row.values.get("max_age", row.service.max_age_months)
            if low is not None and high is not None and high <= low:
                key = "max_age" if "max_age" in row.values else "min_age"
                plan.problems.append(
                    Problem(
                        row.number,
                        BY_KEY[key].header,
                        _(
                            "“Alter bis” must be greater than “Alter von”; the offer keeps "
                            "its stored “%(other)s” of %(years)s years."
                        )
                        % {
                            "other": "Alter von" if key == "max_age" else "Alter bis",
                            "years": str(_years(low if key == "max_age" else high)).replace(
                                ".", ","
                            ),
                        },
                    )
                )
        if row.service is None or row.location is not None:
            continue
        mine = locations_of.get(row.service.pk, [])
        address = _address_key(row.values)
        row.location = next((loc for loc in mine if _address_key({}, loc) == address), None)
        if row.location is None and len(mine) == 1 and rows_per_service[row.service.pk] == 1:
            row.location = mine[0]  # the offer's only location moved


# ---------------------------------------------------------------------------
# Running an import
# ---------------------------------------------------------------------------


BULK_OFFERS = 1000  # new offers written per batch (memory stays flat for large files)
LOCATION_KEYS = {"street", "house_number", "postal_code", "city", "latitude", "longitude"}


def _location_fields(row: OfferRow) -> dict[str, Any]:
    """The location fields the row gives (street and number joined into address_1,
    completed from the row's existing location when the file has only one)."""
    values = row.values
    fields: dict[str, Any] = {}
    if "street" in values or "house_number" in values:
        old_street, old_number = split_address(row.location.address_1 if row.location else "")
        fields["address_1"] = _join_address(
            values.get("street", old_street), values.get("house_number", old_number)
        )
    for key in ("postal_code", "city", "latitude", "longitude"):
        if key in values:
            fields[key] = values[key]
    return fields


def _delete(instance: Any, *, actor: User | None) -> None:
    instance._history_user = actor
    instance.delete()


class _Writer:
    def __init__(self, plan: ImportPlan, actor: User | None, summary: ImportSummary) -> None:
        self.plan = plan
        self.actor = actor
        self.summary = summary
        self.municipality = plan.municipality
        self.organizations: dict[str, Organization] = {}
        for org in Organization.objects.for_municipality(self.municipality).order_by("pk"):
            self.organizations.setdefault(_fold(org.name), org)
        self.touched: dict[int, bool] = {}  # service pk → changed
        self._snapshot()

    def _snapshot(self) -> None:
        """Load the related values the comparison needs for all matched offers at
        once, so an unchanged row costs no query. An offer (or location) that this
        import changes is dropped from the snapshot and read fresh afterwards."""
        municipality = self.municipality
        self.terms: dict[int, set[int]] = defaultdict(set)
        for service_id, term_id in ServiceTerm.objects.for_municipality(municipality).values_list(
            "service_id", "term_id"
        ):
            self.terms[service_id].add(term_id)
        self.languages: dict[int, set[str]] = defaultdict(set)
        for service_id, code in (
            Language.objects.for_municipality(municipality)
            .filter(service__isnull=False)
            .values_list("service_id", "code")
        ):
            self.languages[service_id].add(code)
        self.phones: dict[int, list[str]] = defaultdict(list)
        for service_id, number in (
            Phone.objects.for_municipality(municipality)
            .filter(service__isnull=False, location__isnull=True, contact__isnull=True)
            .order_by("pk")
            .values_list("service_id", "number")
        ):
            self.phones[service_id].append(number)
        self.features: dict[int, set[int]] = defaultdict(set)
        for location_id, term_id in LocationFeature.objects.for_municipality(
            municipality
        ).values_list("location_id", "term_id"):
            self.features[location_id].add(term_id)
        self.links = set(
            ServiceAtLocation.objects.for_municipality(municipality).values_list(
                "service_id", "location_id"
            )
        )
        self.dirty_services: set[int] = set()
        self.dirty_locations: set[int] = set()

    def term_ids(self, service: Service) -> set[int]:
        if service.pk in self.dirty_services:
            return set(service.term_links.values_list("term_id", flat=True))
        return self.terms[service.pk]

    def language_codes(self, service: Service) -> set[str]:
        if service.pk in self.dirty_services:
            return set(service.languages.values_list("code", flat=True))
        return self.languages[service.pk]

    def phone_numbers(self, service: Service) -> list[str]:
        if service.pk in self.dirty_services:
            return list(
                Phone.objects.filter(service=service, location__isnull=True, contact__isnull=True)
                .order_by("pk")
                .values_list("number", flat=True)
            )
        return self.phones[service.pk]

    def feature_ids(self, location: Location) -> set[int]:
        if location.pk in self.dirty_locations:
            return set(location.feature_links.values_list("term_id", flat=True))
        return self.features[location.pk]

    def linked(self, service: Service, location: Location) -> bool:
        if service.pk in self.dirty_services:
            return ServiceAtLocation.objects.filter(service=service, location=location).exists()
        return (service.pk, location.pk) in self.links

    def organization(self, name: str) -> Organization:
        key = _fold(name)
        if key not in self.organizations:
            self.organizations[key] = services.organization_create(
                actor=self.actor, municipality=self.municipality, name=name
            )
            self.summary.organizations_created += 1
        return self.organizations[key]

    def create_organizations(self, names: Iterable[str]) -> None:
        """Create the providers among `names` that don't exist yet, all at once."""
        new: dict[str, str] = {}
        for name in names:
            key = _fold(name)
            if key not in self.organizations:
                new.setdefault(key, name)
        try:
            created = services.organizations_create_bulk(
                actor=self.actor, municipality=self.municipality, names=list(new.values())
            )
        except BulkValidationError as error:
            name = list(new.values())[error.index]
            row = next(r for r in self.plan.valid_rows if r.values.get("organization") == name)
            raise RowError(row.number, error) from error
        self.organizations |= dict(zip(new, created, strict=True))
        self.summary.organizations_created += len(created)

    def service_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        pairs = [
            ("name", "name"),
            ("description", "description"),
            ("min_age", "min_age_months"),
            ("max_age", "max_age_months"),
            ("is_free", "is_free"),
            ("fees", "fees_description"),
            ("email", "email"),
            ("website", "url"),
        ]
        for key, attribute in pairs:
            if key in values:
                fields[attribute] = values[key]
        return fields

    def create(
        self, rows: list[OfferRow], *, progress: Callable[[int], None] | None = None
    ) -> None:
        """Create the new offers of `rows`, many at a time (rows sharing a key are one
        offer at several addresses; a later row's values win, as when written one
        by one)."""
        groups: dict[str, list[OfferRow]] = {}
        for row in rows:
            groups.setdefault(row.new_key, []).append(row)
        self.create_organizations(row.values["organization"] for row in rows)
        ordered = list(groups.values())
        for start in range(0, len(ordered), BULK_OFFERS):
            chunk = ordered[start : start + BULK_OFFERS]
            try:
                with bulk.collector_paused():
                    drafts = [self.draft(group) for group in chunk]
                    created = services.services_create_bulk(
                        actor=self.actor, municipality=self.municipality, drafts=drafts
                    )
            except services.DraftError as error:
                raise RowError(chunk[error.index][0].number, error) from error
            self.summary.created += len(created)
            if progress:
                progress(sum(len(group) for group in chunk))

    def draft(self, group: list[OfferRow]) -> services.OfferDraft:
        values: dict[str, Any] = {}
        for row in group:
            values |= row.values
        verified = [row.values["last_verified"] for row in group if row.values.get("last_verified")]
        locations = []
        for row in group:
            fields, features = _location_fields(row), row.values.get("accessibility") or []
            if any(fields.values()) or features:
                locations.append(services.LocationDraft(fields, features))
        return services.OfferDraft(
            organization=self.organization(values["organization"]),
            name=values["name"],
            status=values.get("status") or ServiceStatus.DRAFT,
            fields={k: v for k, v in self.service_fields(values).items() if k != "name"},
            terms=values.get("fields_of_action", []),
            languages=values.get("languages", []),
            locations=locations,
            phones=list(values.get("phone", [])),
            id_hsds=group[0].hsds_id,
            verified_at=_noon(verified[-1]) if verified else None,
        )

    def write(self, row: OfferRow) -> None:
        values = row.values
        service = row.service
        assert service is not None  # new offers go through `create`
        changed = self.update_service(service, values)
        changed |= self.write_location(service, row)
        changed |= self.write_phones(service, values)
        changed |= self.write_verified(service, values)
        if service.pk not in self.touched:
            self.touched[service.pk] = changed
        elif changed:
            self.touched[service.pk] = True

    def update_service(self, service: Service, values: dict[str, Any]) -> bool:
        changes: dict[str, Any] = {
            key: value
            for key, value in self.service_fields(values).items()
            if getattr(service, key) != value
        }
        kwargs: dict[str, Any] = {}
        if "organization" in values and _fold(service.organization.name) != _fold(
            values["organization"]
        ):
            kwargs["organization"] = self.organization(values["organization"])
        if "fields_of_action" in values:
            wanted = {term.pk for term in values["fields_of_action"]}
            if wanted != self.term_ids(service):
                kwargs["terms"] = values["fields_of_action"]
        if "languages" in values and set(values["languages"]) != self.language_codes(service):
            kwargs["languages"] = values["languages"]
        changed = bool(changes or kwargs)
        if changed:
            self.dirty_services.add(service.pk)
            services.service_update(actor=self.actor, service=service, **kwargs, **changes)
        status = values.get("status")
        if status and status != service.status:
            action = {
                ServiceStatus.PUBLISHED: services.service_publish,
                ServiceStatus.ARCHIVED: services.service_archive,
                ServiceStatus.DRAFT: services.service_unpublish,
            }[status]
            action(actor=self.actor, service=service)
            changed = True
        return changed

    def write_location(self, service: Service, row: OfferRow) -> bool:
        if not (LOCATION_KEYS | {"accessibility"}) & set(row.values):
            return False
        fields = _location_fields(row)
        features = row.values.get("accessibility")
        location = row.location
        if location is None:
            if not any(fields.values()) and not features:
                return False  # no address: an offer without a location
            location = services.location_create(
                actor=self.actor,
                municipality=self.municipality,
                organization=service.organization,
                accessibility=features or [],
                **fields,
            )
            services.service_add_location(actor=self.actor, service=service, location=location)
            self.dirty_locations.add(location.pk)
            return True
        changes = {key: value for key, value in fields.items() if getattr(location, key) != value}
        feature_change = features is not None and {t.pk for t in features} != self.feature_ids(
            location
        )
        if changes or feature_change:
            services.location_update(
                actor=self.actor,
                location=location,
                accessibility=features if feature_change else None,
                **changes,
            )
        if changes or feature_change:
            self.dirty_locations.add(location.pk)
        if not self.linked(service, location):
            services.service_add_location(actor=self.actor, service=service, location=location)
            self.dirty_services.add(service.pk)
            return True
        return bool(changes or feature_change)

    def write_phones(self, service: Service, values: dict[str, Any]) -> bool:
        if "phone" not in values:
            return False
        wanted = list(values["phone"])
        if sorted(wanted) == sorted(self.phone_numbers(service)):
            return False
        self.dirty_services.add(service.pk)
        changed = False
        for phone in Phone.objects.filter(
            service=service, location__isnull=True, contact__isnull=True
        ).order_by("pk"):
            if phone.number in wanted:
                wanted.remove(phone.number)
            else:
                _delete(phone, actor=self.actor)
                changed = True
        for number in wanted:
            services.phone_add(actor=self.actor, number=number, service=service)
            changed = True
        return changed

    def write_verified(self, service: Service, values: dict[str, Any]) -> bool:
        if "last_verified" not in values:
            return False
        day: dt.date | None = values["last_verified"]
        current = service.last_verified_at
        if day is None:
            return False  # an empty cell never withdraws a confirmation
        if current is not None and timezone.localdate(current) == day:
            return False
        services.service_confirm_current(actor=self.actor, service=service, when=_noon(day))
        return True


def _noon(day: dt.date) -> dt.datetime:
    return _noon_in(day, timezone.get_current_timezone())


@functools.lru_cache(maxsize=4096)
def _noon_in(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    # (cached: the rows of an import share their dates of verification, and
    # making a time zone-aware datetime cost more than the rest of a draft)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)), zone)


def run_import(
    plan: ImportPlan,
    *,
    actor: User | None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write the plan in one transaction. Refuses (ValueError) while problems are
    left unless `skip_invalid` (then exactly the rows with problems are left out;
    problems with the file itself always refuse). `dry_run` rolls everything back
    and reports what would have happened."""
    if plan.file_problems or (plan.problems and not skip_invalid):
        raise ValueError("the import plan has problems")
    summary = ImportSummary(skipped_rows=sorted(plan.bad_rows), dry_run=dry_run)
    rows = plan.valid_rows
    with transaction.atomic():
        writer = _Writer(plan, actor, summary)
        writer.create([row for row in rows if row.service is None], progress=progress)
        for row in rows:
            if row.service is None:
                continue
            try:
                writer.write(row)
            except ValidationError as error:
                raise RowError(row.number, error) from error
            if progress:
                progress(1)
        for changed in writer.touched.values():
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
    return summary


class RowError(Exception):
    """A row passed validation but the database refused it (e.g. an age range that
    clashes with a value the file leaves out); the whole import was rolled back."""

    def __init__(self, row: int, error: ValidationError) -> None:
        self.row = row
        self.messages = error.messages
        super().__init__(f"row {row}: {'; '.join(error.messages)}")

    @property
    def message(self) -> str:
        return _("Row %(row)s could not be saved: %(reason)s. Nothing was imported.") % {
            "row": self.row,
            "reason": " ".join(self.messages),
        }


def summary_text(summary: ImportSummary) -> str:
    """The summary of an import in one German sentence."""
    text = _(
        "%(created)s offer(s) created, %(updated)s updated, %(unchanged)s unchanged, "
        "%(skipped)s row(s) skipped, %(organizations)s new provider(s)."
    ) % {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": len(summary.skipped_rows),
        "organizations": summary.organizations_created,
    }
    if summary.dry_run:
        text = _("Dry run, nothing was saved: %(summary)s") % {"summary": text}
    return text


def mapping_named(municipality: Municipality, name: str) -> dict[str, str]:
    """The saved column mapping `name` of the municipality; TabularFileError if none."""
    mapping = ColumnMapping.objects.for_municipality(municipality).filter(name=name).first()
    if mapping is None:
        raise TabularFileError(_("There is no column mapping named “%(name)s”.") % {"name": name})
    return {str(k): str(v) for k, v in mapping.mapping.items()}


@transaction.atomic
def column_mapping_save(
    *, actor: User | None, municipality: Municipality, name: str, mapping: dict[str, str]
) -> ColumnMapping:
    """Create or replace the municipality's column mapping `name`."""
    problems = mapping_problems(mapping)
    if problems:
        raise ValidationError(problems)
    saved, _created = ColumnMapping.objects.update_or_create(
        municipality=municipality, name=name, defaults={"mapping": mapping}
    )
    return saved


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _years(months: int | None) -> Decimal | None:
    if months is None:
        return None
    years = (Decimal(months) / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return years.normalize() if years != years.to_integral() else years.quantize(Decimal(1))


# Offers read per query while exporting (SQLite's default limit of host
# parameters is far above; kette's `__any` lookup sends one parameter anyway).
EXPORT_CHUNK = 2000


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows (key, *values) as {key: [values, …]}, each list sorted (in Python, so
    that both databases give the same order whatever their collation)."""
    grouped: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for key, *values in rows:
        grouped[key].append(tuple(values))
    for values in grouped.values():
        values.sort()
    return grouped


def export_rows(municipality: Municipality) -> Iterator[list[Any]]:
    """The municipality's offers as template rows (typed values: str, Decimal,
    date, None), one per offer and location, ordered by name. Read as plain
    values, a chunk of offers and their places, terms, languages and phones at
    a time (100,000 offers as model instances with prefetches took a minute)."""
    ids = list(
        Service.objects.for_municipality(municipality)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        offers = {
            row[0]: row
            for row in Service.objects.filter(pk__any=chunk).values_list(
                "pk",
                "name",
                "description",
                "organization__name",
                "min_age_months",
                "max_age_months",
                "is_free",
                "fees_description",
                "email",
                "url",
                "status",
                "last_verified_at",
                "id_hsds",
            )
        }
        terms = _grouped(
            ServiceTerm.objects.filter(service_id__any=chunk).values_list(
                "service_id", "term__position", "term__name"
            )
        )
        languages = _grouped(
            Language.objects.filter(service_id__any=chunk).values_list("service_id", "code")
        )
        phones = _grouped(
            Phone.objects.filter(
                service_id__any=chunk, location__isnull=True, contact__isnull=True
            ).values_list("service_id", "pk", "number")
        )
        places = _grouped(
            ServiceAtLocation.objects.filter(service_id__any=chunk).values_list(
                "service_id",
                "pk",
                "location_id",
                "location__address_1",
                "location__postal_code",
                "location__city",
                "location__latitude",
                "location__longitude",
            )
        )
        features = _grouped(
            LocationFeature.objects.filter(
                location_id__any=list({place[1] for rows in places.values() for place in rows})
            ).values_list("location_id", "term__position", "term__name")
        )
        for pk in chunk:
            if pk not in offers:  # deleted while the export ran
                continue
            (_pk, name, description, organization, min_age, max_age, is_free, fees) = offers[pk][:8]
            email, url, status, verified, id_hsds = offers[pk][8:]
            service_values = {
                "name": name,
                "description": description,
                "organization": organization,
                "min_age": _years(min_age),
                "max_age": _years(max_age),
                "fields_of_action": "; ".join(term for _position, term in terms.get(pk, ())),
                "languages": ", ".join(code for (code,) in languages.get(pk, ())),
                "is_free": "ja" if is_free else "nein",
                "fees": fees,
                "phone": "; ".join(number for _pk, number in phones.get(pk, ())),
                "email": email,
                "website": url,
                "status": STATUS_LABELS.get(status, status),
                "last_verified": timezone.localdate(verified) if verified else None,
                "hsds_id": str(id_hsds),
            }
            own: list[tuple[Any, ...] | None] = [*places.get(pk, ())] or [None]
            for place in own:
                values = dict(service_values)
                if place is not None:
                    _link, location_id, address_1, postal_code, city, latitude, longitude = place
                    street, number = split_address(address_1)
                    values.update(
                        street=street,
                        house_number=number,
                        postal_code=postal_code,
                        city=city,
                        latitude=latitude,
                        longitude=longitude,
                        accessibility="; ".join(
                            term for _position, term in features.get(location_id, ())
                        ),
                    )
                yield [values.get(column.key) for column in COLUMNS]


def _csv_cell(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",") if value else "0"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    return formula_safe(text) if key in _TEXT_KEYS else text


def export_csv(municipality: Municipality, rows: Iterable[list[Any]] | None = None) -> bytes:
    """The template as CSV the way German Excel reads it: UTF-8 with BOM,
    semicolons, decimal commas, dates as DD.MM.YYYY, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(municipality) if rows is None else rows:
        writer.writerow([_csv_cell(v, c.key) for v, c in zip(row, COLUMNS, strict=True)])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def export_xlsx(municipality: Municipality, rows: Iterable[list[Any]] | None = None) -> bytes:
    """The template as an Excel workbook with one sheet "Angebote"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(OFFER_SHEET)
    sheet.freeze_panes = "A2"
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in export_rows(municipality) if rows is None else rows:
        cells = []
        for value, column in zip(row, COLUMNS, strict=True):
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral() else float(value)
            elif column.key in _TEXT_KEYS:
                value = formula_safe(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "DD.MM.YYYY"
            elif column.key in ("postal_code", "hsds_id", "phone", "house_number"):
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_template(fmt: str) -> bytes:
    """An empty template (header only) in "csv" or "xlsx"."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = OFFER_SHEET
        sheet.append(HEADERS)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    return codecs.BOM_UTF8 + (";".join(HEADERS) + "\r\n").encode("utf-8")


def export_offers(municipality: Municipality, fmt: str) -> bytes:
    """The municipality's offers in the template as "csv" or "xlsx"."""
    return export_table(municipality, fmt)[0]


def export_table(municipality: Municipality, fmt: str) -> tuple[bytes, int]:
    """The export and its number of rows (without the header)."""
    rows = list(export_rows(municipality))
    writer = export_xlsx if fmt == "xlsx" else export_csv
    return writer(municipality, rows), len(rows)


def format_from_name(filename: str) -> str:
    """ "csv" or "xlsx" from a file name; ValueError for anything else."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    raise ValueError(filename)
