"""The datasets kette ships, with source, licence and attribution.

The data-sources page lists every entry; apps that ship data register theirs in
AppConfig.ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Descriptions are lazily translated (English msgids, German catalogue); the
# licence name and the attribution are quoted as their owners publish them.
Text = str | Promise  # a str or a lazy translation


@dataclass(frozen=True)
class DataSource:
    key: str
    title: Text
    used_for: Text
    source: Text
    licence: str
    licence_url: str
    attribution: str
    changes: Text = ""
    # the language the licence name and the attribution are published in (their
    # elements carry it, so that a screen reader reads them right in either UI)
    licence_lang: str = "de"
    attribution_lang: str = "de"


BOUNDARIES = DataSource(
    key="boundaries",
    title=_("Administrative boundaries and population of the programme municipalities"),
    used_for=_(
        "Boundaries, official keys and population (31 Dec 2018) of the 40 municipalities "
        "of the demo programme"
    ),
    source=_(
        "BKG administrative areas 1:250 000 (as of 2013) with population figures from "
        "Destatis, exported through opendatalab.de (geojson-utilities); GitHub repositories "
        "Christ-Kevin/NRW (municipalities of NRW) and ztNFny/geocaching_geojson_generator "
        "(Kreise)"
    ),
    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
    licence_url="https://www.govdata.de/dl-de/by-2-0",
    attribution="© GeoBasis-DE / BKG 2013 (Daten verändert); Einwohnerzahlen: © Statistisches "
    "Bundesamt (Destatis), 2019",
    changes=_(
        "Limited to the 40 programme municipalities, geometries simplified "
        "(tolerance 0.001°) and coordinates rounded to 5 decimal places."
    ),
)

_registry: dict[str, DataSource] = {}


def register(source: DataSource) -> None:
    _registry[source.key] = source


def registered() -> list[DataSource]:
    return sorted(_registry.values(), key=lambda s: str(s.title))
