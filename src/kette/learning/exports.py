"""The registration list of a meeting as CSV (German Excel dialect) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kette.core.spreadsheets import formula_safe
from kette.learning.models import Registration


# Cells starting with these would run as formulas in a spreadsheet.
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


def _rows(registrations: Iterable[Registration]) -> Iterable[list[str]]:
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
                f"{timezone.localtime(r.created_at):%d.%m.%Y %H:%M}",
            )
        ]


def registrations_csv(registrations: Iterable[Registration]) -> bytes:
    """Semicolon-separated with a byte-order mark, as German Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_header())
    writer.writerows(_rows(registrations))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def registrations_xlsx(registrations: Iterable[Registration], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Anmeldungen")
    sheet.append(_header())
    for row in _rows(registrations):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
