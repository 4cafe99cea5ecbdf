"""The programme-wide standard indicators of a prevention chain's monitoring.

Names are data (stored in the database, German like the statistics they come
from); municipalities add their own indicators beside these."""

from __future__ import annotations

from dataclasses import dataclass

from kette.monitoring.models import Direction, Unit

WORSE = Direction.HIGHER_IS_WORSE
BETTER = Direction.HIGHER_IS_BETTER
NEUTRAL = Direction.NEUTRAL
MELDEREGISTER = "Einwohnermelderegister der Kommune"
BA = "Statistik der Bundesagentur für Arbeit"
SEU = "Schuleingangsuntersuchung des Gesundheitsamts"


@dataclass(frozen=True)
class StandardIndicator:
    key: str
    name: str
    unit: str
    direction: str
    source: str
    age_band: str = ""
    description: str = ""


STANDARD_INDICATORS = [
    StandardIndicator(
        "einwohner", "Einwohnerinnen und Einwohner", Unit.COUNT, NEUTRAL, MELDEREGISTER
    ),
    StandardIndicator(
        "kinder-0-3", "Kinder unter 3 Jahren", Unit.COUNT, NEUTRAL, MELDEREGISTER, "0–3"
    ),
    StandardIndicator(
        "kinder-3-6", "Kinder von 3 bis unter 6 Jahren", Unit.COUNT, NEUTRAL, MELDEREGISTER, "3–6"
    ),
    StandardIndicator(
        "kinder-6-10",
        "Kinder von 6 bis unter 10 Jahren",
        Unit.COUNT,
        NEUTRAL,
        MELDEREGISTER,
        "6–10",
    ),
    StandardIndicator(
        "kinder-10-16",
        "Kinder und Jugendliche von 10 bis unter 16 Jahren",
        Unit.COUNT,
        NEUTRAL,
        MELDEREGISTER,
        "10–16",
    ),
    StandardIndicator(
        "junge-menschen-16-27",
        "Junge Menschen von 16 bis unter 27 Jahren",
        Unit.COUNT,
        NEUTRAL,
        MELDEREGISTER,
        "16–27",
    ),
    StandardIndicator(
        "sgb2-quote-u15",
        "SGB-II-Quote unter 15 Jahren",
        Unit.PERCENT,
        WORSE,
        BA,
        "unter 15",
        "Anteil der Kinder unter 15 Jahren in Bedarfsgemeinschaften nach dem SGB II.",
    ),
    StandardIndicator(
        "mindestsicherungsquote",
        "Mindestsicherungsquote",
        Unit.PERCENT,
        WORSE,
        "IT.NRW, Sozialberichterstattung in der amtlichen Statistik",
        "",
        "Anteil der Bevölkerung mit Leistungen der sozialen Mindestsicherung "
        "(SGB II, SGB XII, AsylbLG).",
    ),
    StandardIndicator(
        "alleinerziehende",
        "Haushalte Alleinerziehender",
        Unit.PERCENT,
        WORSE,
        MELDEREGISTER,
        "",
        "Anteil an allen Haushalten mit minderjährigen Kindern.",
    ),
    StandardIndicator(
        "seu-sprachfoerderbedarf",
        "Sprachförderbedarf bei der Schuleingangsuntersuchung",
        Unit.PERCENT,
        WORSE,
        SEU,
        "5–6",
    ),
    StandardIndicator(
        "seu-uebergewicht",
        "Übergewicht bei der Schuleingangsuntersuchung",
        Unit.PERCENT,
        WORSE,
        SEU,
        "5–6",
    ),
    StandardIndicator(
        "seu-u8-u9",
        "Teilnahme an den Früherkennungsuntersuchungen U8/U9",
        Unit.PERCENT,
        BETTER,
        SEU,
        "5–6",
    ),
    StandardIndicator(
        "kita-quote-u3",
        "Betreuungsquote unter 3 Jahren",
        Unit.PERCENT,
        BETTER,
        "Kinder- und Jugendhilfestatistik",
        "0–3",
    ),
    StandardIndicator(
        "uebergang-gymnasium",
        "Übergangsquote auf das Gymnasium",
        Unit.PERCENT,
        BETTER,
        "Schulstatistik",
        "10–11",
    ),
    StandardIndicator("arbeitslosenquote", "Arbeitslosenquote", Unit.PERCENT, WORSE, BA),
    StandardIndicator(
        "migrationshintergrund",
        "Bevölkerung mit Migrationshintergrund",
        Unit.PERCENT,
        WORSE,
        MELDEREGISTER,
        "",
        "Anteil an der Bevölkerung. Sozialmonitorings nutzen ihn als Hinweis auf Bedarf an "
        "Sprachförderung und Zugängen in mehreren Sprachen – nicht als Defizit der Menschen.",
    ),
]
