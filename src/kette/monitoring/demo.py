"""Demo step: Köln's Stadtbezirke and Stadtteile with population figures 2005–2012,
the standard indicator catalogue and the Mindestsicherungsquote of every
programme municipality (IT.NRW)."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kette.core.models import Municipality
from kette.monitoring import services, sources, tables
from kette.monitoring.models import Direction, Unit

DATA = Path(__file__).resolve().parent / "data"
KOELN_KEY = "05315000"
# named on the maps of Köln's districts (ODbL asks for it where the data is used)
OUTLINE_SOURCE = f"{sources.KOELN_DISTRICTS.attribution} (ODbL)"


def load_monitoring_demo(report: Callable[[str], None]) -> None:
    report(f"{services.indicator_catalogue_sync(actor=None)} Standardindikatoren")
    load_itnrw(report)
    koeln = Municipality.objects.filter(official_key=KOELN_KEY).first()
    if koeln is None:
        report("Köln fehlt – übersprungen")
        return
    bezirke = services.districts_import(
        actor=None,
        municipality=koeln,
        collection=json.loads((DATA / "koeln_stadtbezirke_osm.geojson").read_text("utf-8")),
        code_property="ref",
        name_property="name",
        level="Stadtbezirk",
        source=OUTLINE_SOURCE,
    )
    teile = services.districts_import(
        actor=None,
        municipality=koeln,
        collection=json.loads((DATA / "koeln_stadtteile_osm.geojson").read_text("utf-8")),
        code_property="ref",
        name_property="name",
        level="Stadtteil",
        parent_level="Stadtbezirk",
        source=OUTLINE_SOURCE,
    )
    report(
        f"Köln: {bezirke.created + bezirke.updated + bezirke.unchanged} Stadtbezirke, "
        f"{teile.created + teile.updated + teile.unchanged} Stadtteile"
    )
    load_koeln_observations(koeln, report)


# Köln's population table: (tab_id, zei_id) -> indicator key
KOELN_COUNTS = {
    ("005", "10"): "einwohner",
    ("020", "10"): "kinder-0-3",
    ("020", "20"): "kinder-3-6",
    ("020", "30"): "kinder-6-10",
    ("020", "40"): "kinder-10-15",
    ("020", "50"): "jugendliche-15-18",
}
KOELN_SHARES = {("030", "10"): "migrationshintergrund", ("030", "50"): "auslaenderanteil"}
KOELN_SOURCE = "Stadt Köln, Amt für Stadtentwicklung und Statistik (CC BY)"


def _koeln_indicators(koeln: Municipality) -> None:
    own = [
        (
            "kinder-10-15",
            "Kinder von 10 bis unter 15 Jahren",
            Unit.COUNT,
            Direction.NEUTRAL,
            "10–15",
        ),
        (
            "jugendliche-15-18",
            "Jugendliche von 15 bis unter 18 Jahren",
            Unit.COUNT,
            Direction.NEUTRAL,
            "15–18",
        ),
        (
            "auslaenderanteil",
            "Ausländerinnen und Ausländer",
            Unit.PERCENT,
            Direction.HIGHER_IS_WORSE,
            "",
        ),
    ]
    for order, (key, name, unit, direction, age_band) in enumerate(own, start=50):
        services.indicator_upsert(
            actor=None,
            municipality=koeln,
            key=key,
            name=name,
            unit=unit,
            direction=direction,
            source=KOELN_SOURCE,
            age_band=age_band,
            sort_order=order,
            description="Köln gliedert die Altersgruppen anders als der Standardkatalog."
            if unit == Unit.COUNT
            else "Anteil an der Bevölkerung.",
        )


def _district_code(raum_id: str) -> str:
    # 000 is the city, 001–009 the Stadtbezirke (coded 1–9 in the boundaries), 101+ Stadtteile.
    number = int(raum_id)
    return "" if number == 0 else str(number)


def koeln_population_table() -> tables.Table:
    """Köln's population file as a long-form table of counts and shares."""
    counts: dict[tuple[str, str], float] = {}  # (raum, year) -> Einwohner
    rows: list[list[Any]] = []
    shares: list[tuple[str, str, str, float]] = []
    with (DATA / "koeln_bevoelkerung_2005-2012.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["tab_id"], row["zei_id"])
            code = _district_code(row["raum_id"])
            number = float(row["zahl"])
            if key == ("005", "10"):
                counts[(code, row["jahr"])] = number
            if key in KOELN_COUNTS:
                rows.append([code, KOELN_COUNTS[key], row["jahr"], number, "", ""])
            elif key in KOELN_SHARES:
                shares.append((code, KOELN_SHARES[key], row["jahr"], number))
    for code, indicator, year, number in shares:
        total = counts[(code, year)]
        rows.append([code, indicator, year, "", number, total])
    header = ["Sozialraum", "Indikator", "Jahr", "Wert", "Zähler", "Nenner"]
    return tables.Table(header, [(n, row) for n, row in enumerate(rows, start=2)])


def load_koeln_observations(koeln: Municipality, report: Callable[[str], None]) -> None:
    _koeln_indicators(koeln)
    started = time.perf_counter()
    result = services.observations_import(
        actor=None, municipality=koeln, table=koeln_population_table()
    )
    seconds = time.perf_counter() - started
    report(
        f"Köln: {result.created} neue, {result.updated} geänderte, {result.unchanged} "
        f"unveränderte Werte ({seconds:.1f} s)"
    )
    services.need_index_weights_set(
        actor=None,
        municipality=koeln,
        weights={"migrationshintergrund": 1.0, "auslaenderanteil": 1.0},
    )


def load_itnrw(report: Callable[[str], None]) -> None:
    regional = tables.read_itnrw((DATA / "itnrw_22811-01i_2023.csv").read_bytes())
    result = services.observations_import_itnrw(
        actor=None, regional=regional, indicator_key="mindestsicherungsquote"
    )
    report(f"Mindestsicherungsquote {regional.year} für {len(result.municipalities)} Kommunen")
