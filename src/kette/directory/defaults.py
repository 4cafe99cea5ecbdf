"""The programme-wide default vocabularies and life phases of the directory.

Fields of action and accessibility features are HSDS taxonomies whose default
terms every municipality sees (municipalities may add their own); the default
life phases and transitions follow DESIGN.md §1 and are copied into each
municipality, which may change their boundaries. The names are German data
(the directory's content is German), not interface texts.
"""

from __future__ import annotations

import uuid

# Stable HSDS ids for the default vocabularies, the same on every installation.
NAMESPACE = uuid.UUID("6f1d7a8e-5c3b-4f0e-9a51-2b7c4d0e8a61")


def default_uuid(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


TAXONOMIES = {
    "handlungsfelder": (
        "Handlungsfelder",
        "Handlungsfelder kommunaler Präventionsketten",
    ),
    "barrierefreiheit": (
        "Barrierefreiheit",
        "Merkmale der Barrierefreiheit von Standorten",
    ),
}

FIELDS_OF_ACTION = [
    ("gesundheit", "Gesundheit"),
    ("bildung", "Bildung"),
    ("erziehung-familie", "Erziehung und Familie"),
    ("sprache", "Sprache"),
    ("bewegung", "Bewegung"),
    ("teilhabe-armut", "Teilhabe und Armut"),
    ("kinderschutz", "Kinderschutz"),
    ("beratung", "Beratung"),
    ("freizeit", "Freizeit"),
    ("fruehe-hilfen", "Frühe Hilfen"),
    ("kultur", "Kultur"),
    ("uebergang-beruf", "Ausbildung und Beruf"),
]

ACCESSIBILITY_FEATURES = [
    ("stufenlos", "stufenloser Zugang"),
    ("rollstuhl-wc", "rollstuhlgerechtes WC"),
    ("aufzug", "Aufzug"),
    ("gebaerdensprache", "Gebärdensprache"),
    ("leichte-sprache", "Leichte Sprache"),
    ("induktionsschleife", "Induktionsschleife"),
    ("blindenleitsystem", "Blindenleitsystem"),
    ("wickelraum", "Wickelmöglichkeit"),
    ("parkplatz", "Behindertenparkplatz"),
]

# (code, name, from months inclusive, to months exclusive)
LIFE_PHASES = [
    ("schwangerschaft-geburt", "Schwangerschaft und Geburt", -9, 0),
    ("fruehe-kindheit", "Frühe Kindheit (0–3 Jahre)", 0, 36),
    ("kita", "Kita-Alter (3–6 Jahre)", 36, 72),
    ("grundschule", "Grundschule (6–10 Jahre)", 72, 120),
    ("weiterfuehrende-schule", "Weiterführende Schule (10–16 Jahre)", 120, 192),
    ("schule-beruf", "Übergang Schule–Beruf (16–27 Jahre)", 192, 324),
]

# (code, name, from phase code, to phase code)
TRANSITIONS = [
    ("familie-kita", "Familie – Kindertagesbetreuung", "fruehe-kindheit", "kita"),
    ("kita-grundschule", "Kita – Grundschule", "kita", "grundschule"),
    (
        "grundschule-weiterfuehrende-schule",
        "Grundschule – weiterführende Schule",
        "grundschule",
        "weiterfuehrende-schule",
    ),
    (
        "schule-beruf",
        "Schule – Ausbildung und Beruf",
        "weiterfuehrende-schule",
        "schule-beruf",
    ),
]
