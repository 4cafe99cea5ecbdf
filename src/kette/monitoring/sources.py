"""The datasets the monitoring app ships (see data/README.md)."""

from kette.core.datasources import DataSource

KOELN_DISTRICTS = DataSource(
    key="koeln_districts",
    title="Stadtteile und Stadtbezirke von Köln",
    used_for="Grenzen der 86 Stadtteile und 9 Stadtbezirke Kölns im Demo-Monitoring",
    source="OpenStreetMap (admin_level 9 und 10), aufbereitet im GitHub-Repositorium "
    "weberius/boundariesosmkoeln @ 67d650a (stadtteile_10.json, stadtbezirke_10.json)",
    licence="Open Database License (ODbL) 1.0",
    licence_url="https://opendatacommons.org/licenses/odbl/1-0/",
    attribution="© OpenStreetMap contributors",
    changes="Für die Karte vereinfacht (Toleranz 0,0001°, gemeinsame Grenzen erhalten) und "
    "auf 5 Nachkommastellen gerundet.",
)

KOELN_POPULATION = DataSource(
    key="koeln_population",
    title="Bevölkerung in Köln nach Stadtteilen 2005–2012",
    used_for="Kinder nach Altersgruppen, Ausländeranteil und Anteil mit "
    "Migrationshintergrund je Stadtteil im Demo-Monitoring",
    source="Stadt Köln, Offene Daten Köln (offenedaten-koeln.de), über GitHub KoelnAPI/data "
    "@ 08b0255 (data/structure/bevoelkerung/bevoelkerung.csv)",
    licence="Creative Commons Namensnennung (CC BY)",
    licence_url="https://creativecommons.org/licenses/by/3.0/de/",
    attribution="Stadt Köln – Amt für Stadtentwicklung und Statistik",
    changes="Auf die Tabellen Einwohner, Alter und Migrationshintergrund (insgesamt, "
    "Ausländer) beschränkt; Anteile daraus berechnet.",
)

ITNRW_MINDESTSICHERUNG = DataSource(
    key="itnrw_22811",
    title="Mindestsicherungsquote der Gemeinden in NRW 2023 (IT.NRW 22811-01i)",
    used_for="Mindestsicherungsquote der Programmkommunen und aller Kommunen in NRW im "
    "Vergleich der Landeskoordinierungsstelle",
    source="Landesdatenbank NRW, Tabelle 22811-01i, über GitHub "
    "Inab1993/Regressionsmodelle_fuer_EGH-Leistungen @ 74b2931",
    licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
    licence_url="https://www.govdata.de/dl-de/by-2-0",
    attribution="© IT.NRW, Düsseldorf, 2025",
)

ALL = [KOELN_DISTRICTS, KOELN_POPULATION, ITNRW_MINDESTSICHERUNG]
