"""Demo data: the programme "Kommunale Präventionsketten NRW" with its 40 municipalities
and one user per role. Later apps add their own steps with `register_step`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kette.core import services
from kette.core.models import Municipality, MunicipalityKind, Programme, Role

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "kette-demo-2026"  # noqa: S105 - printed for everyone on purpose
PROGRAMME_SLUG = "praeventionsketten-nrw"
KINDS = {
    "kreisfreie Stadt": MunicipalityKind.KREISFREIE_STADT,
    "kreisangehörige Stadt": MunicipalityKind.KREISANGEHOERIGE_GEMEINDE,
    "Kreis": MunicipalityKind.KREIS,
}
FUNDING_ENDS = dt.date(2018, 12, 31)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    municipality: str | None  # official key


DEMO_USERS = [
    DemoUser("admin", "Ada", "Admin", Role.PROGRAMME_ADMIN, None),
    DemoUser("lks", "Lena", "Koordinierungsstelle", Role.PROGRAMME_STAFF, None),
    DemoUser("koordination-koeln", "Kim", "Koordination", Role.COORDINATOR, "05315000"),
    DemoUser("redaktion-koeln", "Robin", "Redaktion", Role.EDITOR, "05315000"),
    DemoUser("traeger-koeln", "Toni", "Träger", Role.PROVIDER, "05315000"),
    DemoUser("lesen-koeln", "Luca", "Lesezugriff", Role.VIEWER, "05315000"),
    DemoUser("koordination-ahlen", "Alex", "Ahlen", Role.COORDINATOR, "05570004"),
]

Step = Callable[[Callable[[str], None]], None]
_steps: list[tuple[str, Step]] = []


def register_step(name: str, step: Step) -> None:
    """Add a demo step (called with a `report(text)` function) after the core data."""
    if name not in {n for n, _ in _steps}:
        _steps.append((name, step))


def steps() -> list[tuple[str, Step]]:
    return [("core", load_core), *_steps]


def programme() -> Programme:
    return Programme.objects.get(slug=PROGRAMME_SLUG)


def load_core(report: Callable[[str], None]) -> None:
    prog = services.programme_upsert(
        actor=None,
        slug=PROGRAMME_SLUG,
        name="Kommunale Präventionsketten NRW",
        former_name="Kein Kind zurücklassen!",
        state="Nordrhein-Westfalen",
        coordination_office=(
            "Landeskoordinierungsstelle Kommunale Präventionsketten NRW am Institut für "
            "Soziale Arbeit e. V. (ISA), Münster"
        ),
        description=(
            "Das Landesprogramm unterstützt Kommunen in Nordrhein-Westfalen dabei, "
            "Präventionsketten aufzubauen: Angebote für Kinder, Jugendliche und Familien "
            "werden entlang des Lebenslaufs verknüpft – von der Schwangerschaft bis zum "
            "Berufseinstieg –, damit kein Kind zurückgelassen wird."
        ),
        website="https://www.kommunale-praeventionsketten.de/",
    )
    outlines: dict[str, Any] = {
        feature["properties"]["official_key"]: feature["geometry"]
        for feature in json.loads(
            (DATA / "programme_nrw_boundaries.geojson").read_text(encoding="utf-8")
        )["features"]
    }
    with (DATA / "programme_nrw_municipalities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        cohort = int(row["cohort"])
        services.municipality_upsert(
            actor=None,
            programme=prog,
            name=row["name"],
            kind=KINDS[row["kind"]],
            official_key=row["official_key"],
            population=int(row["population_2018"]),
            population_date=dt.date(2018, 12, 31),
            boundary=outlines.get(row["official_key"]),
            cohort=cohort,
            funding_periods=[(dt.date(cohort, 1, 1), FUNDING_ENDS)],
        )
    report(f"{len(rows)} Programmkommunen")
    by_key = {m.official_key: m for m in Municipality.objects.filter(programme=prog)}
    for demo_user in DEMO_USERS:
        user = services.user_upsert(
            username=demo_user.username,
            email=f"{demo_user.username}@demo.kette.invalid",
            first_name=demo_user.first_name,
            last_name=demo_user.last_name,
            password=DEMO_PASSWORD,
            is_superuser=demo_user.role == Role.PROGRAMME_ADMIN,
        )
        services.membership_set(
            actor=None,
            user=user,
            programme=prog,
            municipality=by_key[demo_user.municipality] if demo_user.municipality else None,
            role=demo_user.role,
        )
    report(f"{len(DEMO_USERS)} Demo-Konten")
