"""Demo offers: real facilities of Köln from OpenStreetMap and a handful of sample
offers, clearly marked as such, for Ahlen and Dinslaken.

Köln: the named OSM points (January 2014, ODbL) inside the city's boundary,
mapped as follows (ages in years, "bis unter"):

- kindergarten → 3–6 (Kita), Bildung; Sprache
- school, by name: Grundschule/GGS/KGS → 6–10; Gymnasium, Realschule,
  Gesamtschule, Hauptschule, Sekundarschule → 10–19; Berufskolleg → 16–21
  (Bildung; Ausbildung und Beruf); any other school → 6–19; all Bildung
- youth centre → 10–27, Freizeit; Teilhabe und Armut
- social facility and community centre → families (0–27), Beratung; Teilhabe
  und Armut; facilities for the elderly or sheltered workshops are left out

OSM has no addresses or operators: the address stays empty (city Köln, with
coordinates) and the facility itself is its provider. Every offer is
published, with a "last checked" date spread over the past two years, so some
are stale. The step goes through the bulk import (kette.directory.tabular) and
is idempotent: each offer's HSDS-ID is a uuid5 of its kind, name and
coordinates, and a rerun leaves the check dates of existing offers alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape

from kette.core.datasources import DataSource
from kette.core.models import Membership, Municipality, Role
from kette.directory import services, tabular
from kette.directory.models import Organization, Service

DATA = Path(__file__).resolve().parent / "data"
NAMESPACE = uuid.UUID("0b7f4c52-8d7e-4a3c-9a61-5e2f1d6c3b90")
KOELN = "05315000"
AHLEN = "05570004"
DINSLAKEN = "05170008"
# The organisation whose offers the demo's provider accounts in Köln keep.
PROVIDER_ORGANIZATION = "AWO KiTa Schatzinsel"
KINDS = ["kindergarten", "school", "youth_centre", "social_facility", "community_centre"]

OSM_KOELN = DataSource(
    key="koeln_osm_amenities",
    title=_("Facilities in Köln from OpenStreetMap"),
    used_for=_(
        "Demo offers for Köln: day-care centres, schools, youth centres, social facilities "
        "and community centres with name and location"
    ),
    source=_(
        "OpenStreetMap, points with amenity=kindergarten, school, youth_centre, "
        "social_facility and community_centre around Köln, extracted in January 2014 by "
        "KoelnAPI/data (GitHub, commit 08b0255)"
    ),
    licence="Open Database License (ODbL) 1.0",
    licence_url="https://opendatacommons.org/licenses/odbl/1-0/",
    attribution="© OpenStreetMap contributors",
    licence_lang="en",
    attribution_lang="en",
    changes=_(
        "Points without a name, outside Köln's city limits and facilities for older people "
        "left out; age groups and fields of action derived from the kind of facility."
    ),
)

DESCRIPTIONS = {
    "kindergarten": "Kindertageseinrichtung",
    "school": "Schule",
    "youth_centre": "Jugendzentrum / Offene Tür",
    "social_facility": "Soziale Einrichtung",
    "community_centre": "Bürger- und Gemeindezentrum",
}
SOURCE_NOTE = (
    "Daten aus OpenStreetMap (Stand Januar 2014, © OpenStreetMap contributors, ODbL); "
    "Träger und Adresse sind dort nicht erfasst."
)
_PRIMARY = re.compile(r"grundschule|\bggs\b|\bkgs\b|\bgs\b|primarschule", re.IGNORECASE)
_SECONDARY = re.compile(
    r"gymnasium|realschule|gesamtschule|hauptschule|sekundarschule|gymnasien", re.IGNORECASE
)
_VOCATIONAL = re.compile(r"berufskolleg|berufsschule", re.IGNORECASE)
_NOT_FOR_FAMILIES = re.compile(r"alten|senior|pflege|werkst[aä]tt", re.IGNORECASE)


def school_profile(name: str) -> tuple[str, str, str]:
    """(age from, age to, fields of action) for a school by its name."""
    if _VOCATIONAL.search(name):
        return "16", "21", "Bildung; Ausbildung und Beruf"
    if _PRIMARY.search(name):
        return "6", "10", "Bildung"
    if _SECONDARY.search(name):
        return "10", "19", "Bildung"
    return "6", "19", "Bildung"


def profile(kind: str, name: str) -> tuple[str, str, str] | None:
    """(age from, age to, fields of action) of an OSM facility; None to leave it out."""
    if kind == "kindergarten":
        return "3", "6", "Bildung; Sprache"
    if kind == "school":
        return school_profile(name)
    if kind == "youth_centre":
        return "10", "27", "Freizeit; Teilhabe und Armut"
    if _NOT_FOR_FAMILIES.search(name):
        return None
    return "0", "27", "Beratung; Teilhabe und Armut"


def hsds_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def checked_on(key: str, today: dt.date) -> str:
    """A stable spread of "last checked" dates over the past two years."""
    days = uuid.UUID(key).int % 720
    return (today - dt.timedelta(days=days)).strftime("%d.%m.%Y")


def koeln_rows(boundary: dict[str, Any] | None, today: dt.date) -> list[dict[str, str]]:
    """Template rows (by column key) of the Köln facilities."""
    area = shape(boundary) if boundary else None
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for kind in KINDS:
        features = json.loads(
            (DATA / f"koeln_osm_amenity_{kind}.geojson").read_text(encoding="utf-8")
        )["features"]
        for feature in features:
            name = " ".join(str(feature["properties"].get("tags/name") or "").split())
            lon, lat = feature["geometry"]["coordinates"]
            if not name or (area is not None and not area.covers(Point(lon, lat))):
                continue
            ages = profile(kind, name)
            if ages is None:
                continue
            position = (f"{lat:.6f}", f"{lon:.6f}")
            if (name.casefold(), f"{lat:.4f}", f"{lon:.4f}") in seen:
                continue
            seen.add((name.casefold(), f"{lat:.4f}", f"{lon:.4f}"))
            key = hsds_id("osm", kind, name, *position)
            rows.append(
                {
                    "name": name,
                    "description": f"{DESCRIPTIONS[kind]} in Köln. {SOURCE_NOTE}",
                    "organization": name,
                    "city": "Köln",
                    "latitude": position[0],
                    "longitude": position[1],
                    "min_age": ages[0],
                    "max_age": ages[1],
                    "fields_of_action": ages[2],
                    "is_free": "nein",
                    "status": "veröffentlicht",
                    "last_verified": checked_on(key, today),
                    "hsds_id": key,
                }
            )
    return rows


SAMPLE_NOTE = (
    "Beispielangebot: ein erfundener Eintrag, der zeigt, wie Angebote im Familienwegweiser "
    "aussehen. Kein echtes Angebot."
)
# (municipality key, name, provider, from, to, fields, lat, lon, free, languages)
SAMPLES = [
    (AHLEN, "Willkommensbesuch für Neugeborene", "Familienbüro", "0", "1",
     "Frühe Hilfen; Beratung", "51.7634", "7.8915", "ja", "de, tr"),
    (AHLEN, "Elterncafé in der Kita", "Familienzentrum", "3", "6",
     "Sprache; Erziehung und Familie", "51.7581", "7.8853", "ja", "de, ar"),
    (AHLEN, "Hausaufgabenhilfe im Stadtteilzentrum", "Stadtteilzentrum", "6", "16",
     "Bildung; Teilhabe und Armut", "51.7702", "7.8961", "ja", "de"),
    (AHLEN, "Ausbildungslotsen", "Jugendberufshilfe", "15", "25",
     "Ausbildung und Beruf; Beratung", "51.7655", "7.8890", "ja", "de, tr, ru"),
    (DINSLAKEN, "Hebammensprechstunde", "Familienbildungsstätte", "-0,75", "1",
     "Gesundheit; Frühe Hilfen", "51.5627", "6.7431", "ja", "de"),
    (DINSLAKEN, "Bewegungsgruppe für Kleinkinder", "Sportverein", "1", "3",
     "Bewegung", "51.5660", "6.7370", "nein", "de"),
    (DINSLAKEN, "Offener Treff für Jugendliche", "Jugendzentrum", "12", "18",
     "Freizeit; Teilhabe und Armut", "51.5590", "6.7502", "ja", "de, pl"),
]  # fmt: skip


def sample_rows(
    official_key: str, municipality: Municipality, today: dt.date
) -> list[dict[str, str]]:
    rows = []
    for key, name, provider, low, high, fields, lat, lon, free, languages in SAMPLES:
        if key != official_key:
            continue
        ident = hsds_id("sample", official_key, name)
        rows.append(
            {
                "name": f"{name} (Beispielangebot)",
                "description": SAMPLE_NOTE,
                "organization": f"{provider} {municipality.name} (Beispielträger)",
                "city": municipality.name,
                "latitude": lat,
                "longitude": lon,
                "min_age": low,
                "max_age": high,
                "fields_of_action": fields,
                "languages": languages,
                "is_free": free,
                "status": "veröffentlicht",
                "last_verified": checked_on(ident, today),
                "hsds_id": ident,
            }
        )
    return rows


def import_rows(municipality: Municipality, rows: list[dict[str, str]]) -> tabular.ImportSummary:
    """Import template rows; rows of offers that exist already leave out the check
    date, so a rerun on another day changes nothing."""
    existing = {
        str(i)
        for i in Service.objects.for_municipality(municipality).values_list("id_hsds", flat=True)
    }
    total = tabular.ImportSummary()
    for fresh in (True, False):
        part = [row for row in rows if (row["hsds_id"] not in existing) is fresh]
        if not part:
            continue
        keys = [c.key for c in tabular.COLUMNS if any(c.key in row for row in part)]
        if not fresh:
            keys.remove("last_verified")
        table = [[tabular.BY_KEY[k].header for k in keys]]
        table += [[row.get(k, "") for k in keys] for row in part]
        plan = tabular.prepare_import(municipality, table)
        if plan.problems:
            first = plan.problems[0]
            raise RuntimeError(
                f"demo rows invalid: row {first.row} {first.column}: {first.message}"
            )
        summary = tabular.run_import(plan, actor=None)
        total.created += summary.created
        total.updated += summary.updated
        total.unchanged += summary.unchanged
    return total


def grant_provider_access(municipality: Municipality, report: Callable[[str], None]) -> None:
    """Let the municipality's provider accounts keep the offers of
    PROVIDER_ORGANIZATION (without it a demo provider sees nothing to edit)."""
    organization = (
        Organization.objects.for_municipality(municipality)
        .filter(name=PROVIDER_ORGANIZATION)
        .first()
    )
    if organization is None:
        return
    for membership in Membership.objects.filter(
        municipality=municipality, role=Role.PROVIDER
    ).select_related("user"):
        services.provider_access_grant(actor=None, user=membership.user, organization=organization)
        report(f"{membership.user.username} pflegt die Angebote von „{organization.name}“")


def load_directory_demo(report: Callable[[str], None]) -> None:
    started = time.perf_counter()
    today = dt.date.today()
    by_key = {
        m.official_key: m
        for m in Municipality.objects.filter(official_key__in=[KOELN, AHLEN, DINSLAKEN])
    }
    koeln = by_key.get(KOELN)
    if koeln is not None:
        summary = import_rows(koeln, koeln_rows(koeln.boundary, today))
        report(
            f"Köln: {summary.created} Angebote aus OpenStreetMap angelegt, "
            f"{summary.updated} aktualisiert, {summary.unchanged} unverändert"
        )
        grant_provider_access(koeln, report)
    for key in (AHLEN, DINSLAKEN):
        municipality = by_key.get(key)
        if municipality is not None:
            summary = import_rows(municipality, sample_rows(key, municipality, today))
            report(
                f"{municipality.name}: {summary.created} Beispielangebote angelegt, "
                f"{summary.unchanged + summary.updated} vorhanden"
            )
    report(f"Angebote in {time.perf_counter() - started:.1f} s")
