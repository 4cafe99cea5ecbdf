"""Timings of the monitoring imports, run inside a transaction that is rolled back.

    DEBUG=true .venv/bin/kette shell -c "exec(open('bench/monitoring_imports.py').read())"

Needs the demo (Köln). Prints: a fresh import of Köln's 86 Stadtteile, the
GeoJSON payload of the Stadtteile map, and a 100,000-row long-form CSV import
(DESIGN §6: ≤ 60 s), each with the figure beside it.
"""

import io
import json
import time
from pathlib import Path

from django.db import transaction

from kette.core.models import District, Municipality
from kette.monitoring import selectors, services, tables
from kette.monitoring.models import Indicator

DATA = Path("src/kette/monitoring/data")


class Rollback(Exception):
    pass


def run() -> None:
    koeln = Municipality.objects.get(slug="koeln")
    try:
        with transaction.atomic():
            District.objects.for_municipality(koeln).delete()
            for name, level, parent in [
                ("koeln_stadtbezirke_osm.geojson", "Stadtbezirk", None),
                ("koeln_stadtteile_osm.geojson", "Stadtteil", "Stadtbezirk"),
            ]:
                started = time.perf_counter()
                report = services.districts_import(
                    actor=None,
                    municipality=koeln,
                    collection=json.loads((DATA / name).read_text("utf-8")),
                    code_property="ref",
                    name_property="name",
                    level=level,
                    parent_level=parent,
                )
                print(
                    f"fresh import {name}: {report.created} districts in "
                    f"{time.perf_counter() - started:.2f} s"
                )
            payload = json.dumps(
                selectors.districts_geojson(koeln, level="Stadtteil"), separators=(",", ":")
            ).encode()
            print(f"Stadtteile GeoJSON: {len(payload):,} bytes (target ≤ 300,000)")

            codes = list(
                District.objects.for_municipality(koeln)
                .filter(level="Stadtteil")
                .values_list("code", flat=True)
            )
            keys = list(
                Indicator.objects.filter(municipality__isnull=True, unit="count").values_list(
                    "key", flat=True
                )
            )
            buffer = io.StringIO()
            buffer.write("Sozialraum;Indikator;Jahr;Wert\n")
            rows = 0
            year = 1900
            while rows < 100_000:
                for code in codes:
                    for key in keys:
                        buffer.write(
                            f"{code};{key};{year};{(rows * 7) % 5000 + 3:,}\n".replace(",", ".")
                        )
                        rows += 1
                year += 1
            data = buffer.getvalue().encode("utf-8")
            started = time.perf_counter()
            table = tables.read_table(data, "bench.csv")
            parsed = time.perf_counter() - started
            report = services.observations_import(actor=None, municipality=koeln, table=table)
            total = time.perf_counter() - started
            print(
                f"CSV long form: {rows:,} rows, {report.created:,} created in {total:.1f} s "
                f"(read {parsed:.1f} s; target ≤ 60 s)"
            )
            raise Rollback
    except Rollback:
        pass


run()
