"""Demo step: Köln's Stadtbezirke and Stadtteile with population figures 2005–2012,
the standard indicator catalogue and the Mindestsicherungsquote of every
programme municipality (IT.NRW)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kette.core.models import Municipality
from kette.monitoring import services

DATA = Path(__file__).resolve().parent / "data"
KOELN_KEY = "05315000"


def load_monitoring_demo(report: Callable[[str], None]) -> None:
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
    )
    teile = services.districts_import(
        actor=None,
        municipality=koeln,
        collection=json.loads((DATA / "koeln_stadtteile_osm.geojson").read_text("utf-8")),
        code_property="ref",
        name_property="name",
        level="Stadtteil",
        parent_level="Stadtbezirk",
    )
    report(
        f"Köln: {bezirke.created + bezirke.updated + bezirke.unchanged} Stadtbezirke, "
        f"{teile.created + teile.updated + teile.unchanged} Stadtteile"
    )
