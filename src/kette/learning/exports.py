"""The registration list of a meeting as CSV (German Excel dialect) and XLSX, in
the interface language: headers and choices translated, dates in the language's
short format (31.12.2026 14:05; in English 31 Dec 2026, 14:05)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from kette.core.spreadsheets import formula_safe
from kette.learning.models import Registration

# The XLSX keeps the registration time as a date (sortable, filterable), shown
# like SHORT_DATETIME_FORMAT of the interface language (kette/formats/en).
XLSX_DATETIME_FORMATS = {"de": "DD.MM.YYYY HH:MM", "en": "D MMM YYYY, HH:MM"}


def _header() -> list[str]:
    return [
        _("name"),
        _("e-mail address"),
        _("municipality"),
        _("organisation"),
        _("working group"),
        _("status"),
        _("attendance"),
        _("accessibility or dietary needs"),
        _("registered on"),
    ]


def _rows(registrations: Iterable[Registration]) -> Iterable[list[Any]]:
    """The cells of each registration; the last is the local, naive time of
    registration."""
    for r in registrations:
        yield [
            formula_safe(value)
            for value in (
                r.person_name,
                r.email,
                r.municipality.name if r.municipality else "",
                r.organisation,
                r.working_group.title if r.working_group else "",
                r.get_status_display(),
                r.get_attendance_display() if r.attendance else "",
                r.needs,
                timezone.localtime(r.created_at).replace(tzinfo=None),
            )
        ]


def registrations_csv(registrations: Iterable[Registration]) -> bytes:
    """Semicolon-separated with a byte-order mark, as German Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_header())
    for row in _rows(registrations):
        writer.writerow(
            [
                date_format(value, "SHORT_DATETIME_FORMAT")
                if isinstance(value, dt.datetime)
                else value
                for value in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def registrations_xlsx(registrations: Iterable[Registration], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or _("Registrations")[:31])
    sheet.append(_header())
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    number_format = XLSX_DATETIME_FORMATS.get(language, XLSX_DATETIME_FORMATS["de"])
    for row in _rows(registrations):
        cells: list[Any] = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = number_format
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
