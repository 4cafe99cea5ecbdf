"""The datasets kette ships, with source, licence and attribution.

The data-sources page lists every entry; apps that ship data register theirs in
AppConfig.ready.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSource:
    key: str
    title: str
    used_for: str
    source: str
    licence: str
    licence_url: str
    attribution: str
    changes: str = ""


BOUNDARIES = DataSource(
    key="boundaries",
    title="Verwaltungsgrenzen und Einwohnerzahlen der Programmkommunen",
    used_for="Gebietsgrenzen, amtliche Schlüssel und Einwohnerzahlen (31.12.2018) der 40 "
    "Kommunen des Demo-Programms",
    source="BKG Verwaltungsgebiete 1:250 000 (Stand 2013) mit Einwohnerzahlen von Destatis, "
    "exportiert über opendatalab.de (geojson-utilities); GitHub-Repositorien "
    "Christ-Kevin/NRW (Gemeinden NRW) und ztNFny/geocaching_geojson_generator (Kreise)",
    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
    licence_url="https://www.govdata.de/dl-de/by-2-0",
    attribution="© GeoBasis-DE / BKG 2013 (Daten verändert); Einwohnerzahlen: © Statistisches "
    "Bundesamt (Destatis), 2019",
    changes="Auf die 40 Programmkommunen beschränkt, Geometrien vereinfacht "
    "(Toleranz 0,001°) und Koordinaten auf 5 Nachkommastellen gerundet.",
)

_registry: dict[str, DataSource] = {}


def register(source: DataSource) -> None:
    _registry[source.key] = source


def registered() -> list[DataSource]:
    return sorted(_registry.values(), key=lambda s: s.title)
