"""The programme-wide default vocabularies and life phases of the directory.

Fields of action and accessibility features are HSDS taxonomies whose default
terms every municipality sees (municipalities may add their own); the default
life phases and transitions follow DESIGN.md §1 and are copied into each
municipality, which may change their boundaries.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_noop

# Stable HSDS ids for the default vocabularies, the same on every installation.
NAMESPACE = uuid.UUID("6f1d7a8e-5c3b-4f0e-9a51-2b7c4d0e8a61")


def default_uuid(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


TAXONOMIES = {
    "handlungsfelder": (
        gettext_noop("Handlungsfelder"),
        gettext_noop("Handlungsfelder kommunaler Präventionsketten"),
    ),
    "barrierefreiheit": (
        gettext_noop("Barrierefreiheit"),
        gettext_noop("Merkmale der Barrierefreiheit von Standorten"),
    ),
}

FIELDS_OF_ACTION = [
    ("gesundheit", gettext_noop("Gesundheit")),
    ("bildung", gettext_noop("Bildung")),
    ("erziehung-familie", gettext_noop("Erziehung und Familie")),
    ("sprache", gettext_noop("Sprache")),
    ("bewegung", gettext_noop("Bewegung")),
    ("teilhabe-armut", gettext_noop("Teilhabe und Armut")),
    ("kinderschutz", gettext_noop("Kinderschutz")),
    ("beratung", gettext_noop("Beratung")),
    ("freizeit", gettext_noop("Freizeit")),
    ("fruehe-hilfen", gettext_noop("Frühe Hilfen")),
    ("kultur", gettext_noop("Kultur")),
    ("uebergang-beruf", gettext_noop("Ausbildung und Beruf")),
]

ACCESSIBILITY_FEATURES = [
    ("stufenlos", gettext_noop("stufenloser Zugang")),
    ("rollstuhl-wc", gettext_noop("rollstuhlgerechtes WC")),
    ("aufzug", gettext_noop("Aufzug")),
    ("gebaerdensprache", gettext_noop("Gebärdensprache")),
    ("leichte-sprache", gettext_noop("Leichte Sprache")),
    ("induktionsschleife", gettext_noop("Induktionsschleife")),
    ("blindenleitsystem", gettext_noop("Blindenleitsystem")),
    ("wickelraum", gettext_noop("Wickelmöglichkeit")),
    ("parkplatz", gettext_noop("Behindertenparkplatz")),
]

# (code, name, from months inclusive, to months exclusive)
LIFE_PHASES = [
    ("schwangerschaft-geburt", gettext_noop("Schwangerschaft und Geburt"), -9, 0),
    ("fruehe-kindheit", gettext_noop("Frühe Kindheit (0–3 Jahre)"), 0, 36),
    ("kita", gettext_noop("Kita-Alter (3–6 Jahre)"), 36, 72),
    ("grundschule", gettext_noop("Grundschule (6–10 Jahre)"), 72, 120),
    ("weiterfuehrende-schule", gettext_noop("Weiterführende Schule (10–16 Jahre)"), 120, 192),
    ("schule-beruf", gettext_noop("Übergang Schule–Beruf (16–27 Jahre)"), 192, 324),
]

# (code, name, from phase code, to phase code)
TRANSITIONS = [
    ("familie-kita", gettext_noop("Familie – Kindertagesbetreuung"), "fruehe-kindheit", "kita"),
    ("kita-grundschule", gettext_noop("Kita – Grundschule"), "kita", "grundschule"),
    (
        "grundschule-weiterfuehrende-schule",
        gettext_noop("Grundschule – weiterführende Schule"),
        "grundschule",
        "weiterfuehrende-schule",
    ),
    (
        "schule-beruf",
        gettext_noop("Schule – Ausbildung und Beruf"),
        "weiterfuehrende-schule",
        "schule-beruf",
    ),
]
