"""The programme-wide default vocabularies and life phases of the directory.

Fields of action and accessibility features are HSDS taxonomies whose default
terms every municipality sees (municipalities may add their own); the default
life phases and transitions follow DESIGN.md §1 and are copied into each
municipality, which may change their boundaries. The names are German data
(the directory's content is German) and stay so in the database, the search
and the HSDS API.

The interface shows the defaults in its own language: `shown_name` looks an
entry's name up by kind and code (`ENGLISH_NAMES`, English msgids whose German
msgstr is the German name below) as long as it still has its default German
name. A municipality's own terms and renamed defaults are shown as stored, and
the templates mark them `lang="de"` in a non-German interface.
"""

from __future__ import annotations

import uuid

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

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

# Kinds of vocabulary entries that have defaults (`shown_name`).
TAXONOMY = "taxonomy"  # a default vocabulary itself, by its slug
TERM = "term"  # a default taxonomy term (field of action, accessibility feature)
LIFE_PHASE = "life_phase"
TRANSITION = "transition"

# The defaults' names in the interface, by kind and code: English msgids, the
# German catalogue gives back exactly the German names above (a test holds
# them together). Term codes are unique across both taxonomies.
ENGLISH_NAMES: dict[str, dict[str, Promise]] = {
    TAXONOMY: {
        "handlungsfelder": pgettext_lazy("vocabulary", "Fields of action"),
        "barrierefreiheit": pgettext_lazy("vocabulary", "Accessibility features"),
    },
    TERM: {
        "gesundheit": pgettext_lazy("field of action", "Health"),
        "bildung": pgettext_lazy("field of action", "Education"),
        "erziehung-familie": pgettext_lazy("field of action", "Parenting and family"),
        # not "Language": the guide's language filter is the offer's language
        "sprache": pgettext_lazy("field of action", "Language support"),
        "bewegung": pgettext_lazy("field of action", "Physical activity"),
        "teilhabe-armut": pgettext_lazy("field of action", "Participation and poverty"),
        "kinderschutz": pgettext_lazy("field of action", "Child protection"),
        "beratung": pgettext_lazy("field of action", "Counselling"),
        "freizeit": pgettext_lazy("field of action", "Leisure"),
        "fruehe-hilfen": pgettext_lazy("field of action", "Early childhood intervention"),
        "kultur": pgettext_lazy("field of action", "Culture"),
        "uebergang-beruf": pgettext_lazy("field of action", "Vocational training and work"),
        "stufenlos": pgettext_lazy("accessibility feature", "Step-free access"),
        "rollstuhl-wc": pgettext_lazy("accessibility feature", "Wheelchair-accessible toilet"),
        "aufzug": pgettext_lazy("accessibility feature", "Lift"),
        "gebaerdensprache": pgettext_lazy("accessibility feature", "Sign language"),
        "leichte-sprache": pgettext_lazy("accessibility feature", "Easy-to-read language"),
        "induktionsschleife": pgettext_lazy("accessibility feature", "Induction loop"),
        "blindenleitsystem": pgettext_lazy("accessibility feature", "Tactile guidance system"),
        "wickelraum": pgettext_lazy("accessibility feature", "Baby changing facilities"),
        "parkplatz": pgettext_lazy("accessibility feature", "Disabled parking space"),
    },
    LIFE_PHASE: {
        "schwangerschaft-geburt": pgettext_lazy("life phase", "Pregnancy and birth"),
        "fruehe-kindheit": pgettext_lazy("life phase", "Early childhood (0–3 years)"),
        "kita": pgettext_lazy("life phase", "Day-care age (3–6 years)"),
        "grundschule": pgettext_lazy("life phase", "Primary school (6–10 years)"),
        "weiterfuehrende-schule": pgettext_lazy("life phase", "Secondary school (10–16 years)"),
        "schule-beruf": pgettext_lazy("life phase", "From school to work (16–27 years)"),
    },
    TRANSITION: {
        "familie-kita": pgettext_lazy("transition", "Family – day care"),
        "kita-grundschule": pgettext_lazy("transition", "Day care – primary school"),
        "grundschule-weiterfuehrende-schule": pgettext_lazy(
            "transition", "Primary school – secondary school"
        ),
        "schule-beruf": pgettext_lazy("transition", "School – vocational training and work"),
    },
}

GERMAN_NAMES: dict[str, dict[str, str]] = {
    TAXONOMY: {slug: name for slug, (name, _description) in TAXONOMIES.items()},
    TERM: dict(FIELDS_OF_ACTION + ACCESSIBILITY_FEATURES),
    LIFE_PHASE: {code: name for code, name, _start, _end in LIFE_PHASES},
    TRANSITION: {code: name for code, name, _source, _target in TRANSITIONS},
}


def shown_name(kind: str, code: str, name: str) -> tuple[str, bool]:
    """The name to show for a vocabulary entry of `kind` in the active language,
    and whether it is a translation: a default (by code) that still has its
    default German name is looked up in the catalogue; anything else (a
    municipality's own entry, a renamed default) is shown as stored, (name,
    False). A caller passes a taxonomy term's code only when it is a
    programme-wide default (`municipality` empty)."""
    if GERMAN_NAMES[kind].get(code) != name:
        return name, False
    shown = str(ENGLISH_NAMES[kind][code])
    return shown, shown != name
