"""The programme overview as PDF and as XLSX workbook."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kette.reports.selectors import ProgrammeOverview

PERCENT = "0%"


def overview_header(overview: ProgrammeOverview) -> list[str]:
    return [
        _("Municipality"),
        _("Type"),
        _("Cohort"),
        _("Funding periods"),
        _("Published offers"),
        _("Confirmed within the period"),
        _("Steering group: intersectorality"),
        _("Steering group: leadership level"),
        _("Learning network attendance"),
        *(f"{indicator.name} ({year})" for indicator, year in overview.key_indicators),
    ]


def overview_xlsx(overview: ProgrammeOverview) -> bytes:
    """One sheet, one row per municipality; shares as numbers formatted as percent,
    suppressed indicator values as "."."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Programme overview")[:31]
    sheet.append(overview_header(overview))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in overview.rows:
        values: list[object] = [
            row.municipality.name,
            row.municipality.get_kind_display(),
            row.municipality.cohort,
            row.funding,
            row.offers,
            row.fresh_share,
            row.steering_intersectorality,
            row.steering_high_rank,
            row.attendance_rate,
        ]
        for indicator, _year in overview.key_indicators:
            found = row.indicators.get(indicator.key)
            if found is None:
                values.append(None)
            else:
                value, display, _found_year = found
                values.append(value if value is not None else display)
        sheet.append(values)
        line = sheet.max_row
        for column in (6, 8, 9):
            sheet.cell(line, column).number_format = PERCENT
        sheet.cell(line, 7).number_format = "0.00"
    sheet.freeze_panes = "B2"
    for column, width in zip(
        "ABCDEFGHIJKL", (28, 18, 8, 22, 10, 12, 12, 12, 12, 16, 16, 16), strict=False
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def overview_pdf(overview: ProgrammeOverview) -> bytes:
    # Imported here: WeasyPrint takes about 0.6 s to import; only PDF requests pay it.
    from kette.core.pdf import render_pdf

    return render_pdf("reports/programme_report_pdf.html", {"overview": overview})
