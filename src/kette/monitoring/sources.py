"""The datasets the monitoring app ships (see data/README.md)."""

from django.utils.translation import gettext_lazy as _

from kette.core.datasources import DataSource

KOELN_DISTRICTS = DataSource(
    key="koeln_districts",
    title=_("Districts and boroughs of Köln"),
    used_for=_("Boundaries of Köln's 86 districts and 9 boroughs in the demo monitoring"),
    source=_(
        "OpenStreetMap (admin_level 9 and 10), prepared in the GitHub repository "
        "weberius/boundariesosmkoeln @ 67d650a (stadtteile_10.json, stadtbezirke_10.json)"
    ),
    licence="Open Database License (ODbL) 1.0",
    licence_url="https://opendatacommons.org/licenses/odbl/1-0/",
    attribution="© OpenStreetMap contributors",
    licence_lang="en",
    attribution_lang="en",
    changes=_(
        "Simplified for the map (tolerance 0.0001°, shared borders kept) and rounded to 5 "
        "decimal places."
    ),
)

KOELN_POPULATION = DataSource(
    key="koeln_population",
    title=_("Population of Köln by district 2005–2012"),
    used_for=_(
        "Children by age group, share of foreign nationals and share with a migration "
        "background per district in the demo monitoring"
    ),
    source=_(
        "City of Köln, Offene Daten Köln (offenedaten-koeln.de), via GitHub KoelnAPI/data "
        "@ 08b0255 (data/structure/bevoelkerung/bevoelkerung.csv)"
    ),
    licence="Creative Commons Namensnennung (CC BY)",
    licence_url="https://creativecommons.org/licenses/by/3.0/de/",
    attribution="Stadt Köln – Amt für Stadtentwicklung und Statistik",
    changes=_(
        "Limited to the tables of inhabitants, age and migration background (total, foreign "
        "nationals); shares computed from them."
    ),
)

ITNRW_MINDESTSICHERUNG = DataSource(
    key="itnrw_22811",
    title=_("Minimum income benefit rate of the municipalities of NRW 2023 (IT.NRW 22811-01i)"),
    used_for=_(
        "Minimum income benefit rate of the programme municipalities and of every "
        "municipality of NRW in the coordination office's comparison"
    ),
    source=_(
        "Landesdatenbank NRW, table 22811-01i, via GitHub "
        "Inab1993/Regressionsmodelle_fuer_EGH-Leistungen @ 74b2931"
    ),
    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
    licence_url="https://www.govdata.de/dl-de/by-2-0",
    attribution="© IT.NRW, Düsseldorf, 2025",
)

ALL = [KOELN_DISTRICTS, KOELN_POPULATION, ITNRW_MINDESTSICHERUNG]
