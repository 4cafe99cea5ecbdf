"""Benchmark: the demo's Köln annual report (issue 8: within 5 seconds).

Times, on the database of the quick start (run `scripts/start` or `kette demo`
first; set DATABASE_URL for PostgreSQL),

- data: every section computed from the selectors (report_data),
- html: the preview's body rendered from that data,
- pdf: the whole report as tagged PDF (data + template + WeasyPrint),

and as the baseline WeasyPrint alone on the finished HTML of the same report
(the floor no report code can go below). Prints kette's figures beside the
baseline and the absolute target.

    .venv/bin/python bench/report_koeln.py [YEAR] [REPEAT]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, "src")
sys.path.insert(0, "bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kette.settings")

import django

django.setup()

from common import measure, side_by_side  # noqa: E402
from django.db import transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402

from kette.core.models import Municipality  # noqa: E402
from kette.core.pdf import html_to_pdf  # noqa: E402
from kette.reports import selectors, services  # noqa: E402

TARGET_SECONDS = 5.0


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2025
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    translation.activate("de")
    koeln = Municipality.objects.filter(slug="koeln").first()
    if koeln is None:
        sys.exit("No Köln in this database: run `kette demo` first.")
    with transaction.atomic():
        report = services.report_open(actor=None, municipality=koeln, year=year)
        data = selectors.report_data(report)
        html = render_to_string("reports/report_pdf.html", {"data": data, "LANGUAGE_CODE": "de"})
        pdf = html_to_pdf(html)
        data_t = measure(
            "data (all sections)", lambda: selectors.report_data(report), repeat=repeat, warmup=1
        )
        html_t = measure(
            "data + HTML",
            lambda: render_to_string(
                "reports/report_pdf.html",
                {"data": selectors.report_data(report), "LANGUAGE_CODE": "de"},
            ),
            repeat=repeat,
            warmup=1,
        )
        pdf_t = measure(
            "data + HTML + PDF (whole report)",
            lambda: services.report_render_pdf(report),
            repeat=repeat,
            warmup=1,
        )
        base = measure(
            "WeasyPrint on the finished HTML", lambda: html_to_pdf(html), repeat=repeat, warmup=1
        )
        transaction.set_rollback(True)  # leave the database as it was
    print(
        side_by_side(
            f"Köln annual report {year}: {len(pdf) // 1024} KB PDF, {len(html) // 1024} KB HTML",
            [(data_t, base), (html_t, base), (pdf_t, base)],
        )
    )
    verdict = "ok" if pdf_t.median / 1000 <= TARGET_SECONDS else "OVER TARGET"
    seconds = pdf_t.median / 1000
    print(f"\nwhole report: median {seconds:.2f} s (target ≤ {TARGET_SECONDS:.0f} s): {verdict}")


if __name__ == "__main__":
    main()
