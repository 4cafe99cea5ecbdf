"""Bulk import and export of offers in the CSV/XLSX template."""

import codecs
import csv
import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from kette.core import audit
from kette.directory import services, tabular
from kette.directory.models import Location, Organization, Service, ServiceStatus, TaxonomyTerm
from kette.testing.spreadsheets import ods_bytes, renamed_stream, replaced, xls_bytes

pytestmark = pytest.mark.django_db


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code, municipality=None)


def history_count() -> int:
    return sum(entry.model.history.model.objects.count() for entry in audit.registered())


@pytest.fixture
def offers(world, coordinator):
    """Three offers of A: one at two locations, one without a location."""
    family = services.organization_create(
        actor=coordinator, municipality=world.a, name="Familienzentrum Nord e. V."
    )
    city = services.organization_create(actor=coordinator, municipality=world.a, name="Stadt")
    course = services.service_create(
        actor=coordinator,
        organization=family,
        name="Eltern-Kind-Kurs „Früh übt sich“",
        description="Spielen, singen; bewegen.\nZweite Zeile.",
        status=ServiceStatus.PUBLISHED,
        min_age_months=6,
        max_age_months=42,
        terms=[term("bewegung"), term("fruehe-hilfen")],
        languages=["de", "tr"],
        is_free=False,
        fees_description="5 € je Termin",
        email="kurs@familienzentrum.example",
        url="https://familienzentrum.example/kurs",
    )
    north = services.location_create(
        actor=coordinator,
        municipality=world.a,
        organization=family,
        address_1="Marktplatz 12a",
        postal_code="01067",
        city="Dresden",
        latitude=Decimal("51.050400"),
        longitude=Decimal("13.737300"),
        accessibility=[term("stufenlos"), term("wickelraum")],
    )
    south = services.location_create(
        actor=coordinator,
        municipality=world.a,
        organization=family,
        address_1="Südring",
        city="Dresden",
    )
    services.service_add_location(actor=coordinator, service=course, location=north)
    services.service_add_location(actor=coordinator, service=course, location=south)
    services.phone_add(actor=coordinator, number="0351 123456", service=course)
    services.phone_add(actor=coordinator, number="+49 351 999", service=course)
    services.service_confirm_current(
        actor=coordinator,
        service=course,
        when=timezone.make_aware(dt.datetime(2026, 3, 14, 9, 30)),
    )
    hotline = services.service_create(
        actor=coordinator,
        organization=city,
        name="=Elterntelefon",  # looks like a formula to a spreadsheet
        status=ServiceStatus.DRAFT,
        min_age_months=-9,
        max_age_months=216,
        is_free=True,
        terms=[term("beratung")],
    )
    club = services.service_create(
        actor=coordinator,
        organization=city,
        name="Jugendtreff",
        status=ServiceStatus.ARCHIVED,
        min_age_months=125,
        max_age_months=324,
    )
    services.service_add_location(
        actor=coordinator,
        service=club,
        location=services.location_create(
            actor=coordinator,
            municipality=world.a,
            address_1="Am Bahnhof 3-5",
            postal_code="50667",
            city="Köln",
        ),
    )
    return {"course": course, "hotline": hotline, "club": club}


def import_bytes(municipality, data, *, name="offers.csv", actor=None, **options):
    table = tabular.read_table(data, name)
    plan = tabular.prepare_import(municipality, table, mapping=options.pop("mapping", None))
    return plan, (
        tabular.run_import(plan, actor=actor, **options)
        if not plan.problems or options.get("skip_invalid")
        else None
    )


def csv_bytes(rows, *, delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def template_row(**values):
    by_header = {column.header: "" for column in tabular.COLUMNS}
    names = {column.key: column.header for column in tabular.COLUMNS}
    for key, value in values.items():
        by_header[names[key]] = value
    return [by_header[h] for h in tabular.HEADERS]


# --- export ------------------------------------------------------------------


def test_export_writes_one_row_per_offer_and_location_in_excel_csv(world, offers):
    data = tabular.export_csv(world.a)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == tabular.HEADERS
    assert len(rows) == 1 + 4  # course at two locations, hotline, club
    course = [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if "Kurs" in row[0]]
    first = course[0]
    assert first["Straße"] == "Marktplatz"
    assert first["Hausnummer"] == "12a"
    assert first["PLZ"] == "01067"
    assert first["Breitengrad"] == "51,0504"
    assert first["Alter von (Jahre)"] == "0,5"
    assert first["Alter bis (Jahre)"] == "3,5"
    assert first["Handlungsfelder"] == "Bewegung; Frühe Hilfen"
    assert first["Sprachen"] == "de, tr"
    assert first["Barrierefreiheit"] == "stufenloser Zugang; Wickelmöglichkeit"
    assert first["Telefon"] == "0351 123456; +49 351 999"
    assert first["Status"] == "veröffentlicht"
    assert first["zuletzt geprüft am"] == "14.03.2026"
    assert first["HSDS-ID"] == str(offers["course"].id_hsds)
    assert course[1]["Straße"] == "Südring"
    hotline = next(row for row in rows if "Elterntelefon" in row[0])
    assert hotline[0] == "'=Elterntelefon"  # no formula for Excel
    assert hotline[rows[0].index("Alter von (Jahre)")] == "-0,75"


def test_export_reads_chunks_of_offers_with_six_queries_each(
    world, offers, monkeypatch, django_assert_num_queries
):
    whole = tabular.export_csv(world.a)
    monkeypatch.setattr(tabular, "EXPORT_CHUNK", 2)
    with django_assert_num_queries(1 + 2 * 6):  # the ids, then two chunks of 2 and 1
        chunked = tabular.export_csv(world.a)
    assert chunked == whole


def test_export_command_writes_csv_and_xlsx(world, offers, tmp_path):
    out = io.StringIO()
    call_command("export_offers", str(tmp_path / "a.xlsx"), municipality=world.a.slug, stdout=out)
    assert "4" in out.getvalue()
    workbook = load_workbook(io.BytesIO((tmp_path / "a.xlsx").read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == tabular.HEADERS
    assert len(rows) == 5
    call_command("export_offers", str(tmp_path / "a.csv"), municipality=world.a.slug, stdout=out)
    assert (tmp_path / "a.csv").read_bytes() == tabular.export_csv(world.a)
    with pytest.raises(CommandError, match=r"muss auf \.csv oder \.xlsx enden"):
        call_command("export_offers", str(tmp_path / "a.txt"), municipality=world.a.slug)
    with pytest.raises(CommandError, match=r"kann nicht geschrieben werden"):
        call_command("export_offers", str(tmp_path / "fehlt" / "a.csv"), municipality=world.a.slug)


# --- round trips --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_round_trip_changes_nothing(world, offers, coordinator, fmt):
    exported = tabular.export_offers(world.a, fmt)
    before = history_count()
    services_before = Service.objects.count()
    plan, summary = import_bytes(world.a, exported, name=f"a.{fmt}", actor=coordinator)
    assert plan.problems == []
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert history_count() == before
    assert Service.objects.count() == services_before
    assert tabular.export_offers(world.a, "csv") == tabular.export_csv(world.a)
    assert tabular.export_csv(world.a) == tabular.export_offers(world.a, "csv")


def excel_saved(data: bytes) -> bytes:
    """What German Excel makes of our CSV on "save as CSV (semicolon)": Windows-1252
    without BOM, leading zeros of postal codes dropped, trailing zeros of decimals
    dropped, minimal quoting."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    plz = rows[0].index("PLZ")
    for row in rows[1:]:
        row[plz] = row[plz].lstrip("0")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("cp1252")


def test_the_file_saved_from_excel_imports_back_unchanged(world, offers, coordinator):
    saved = excel_saved(tabular.export_csv(world.a))
    with pytest.raises(UnicodeDecodeError):
        saved.decode("utf-8")
    assert b"\x01067" not in saved and b";1067;" in saved
    before = history_count()
    plan, summary = import_bytes(world.a, saved, actor=coordinator)
    assert plan.problems == []
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert history_count() == before
    assert Location.objects.filter(postal_code="01067").count() == 1


def test_the_exported_file_creates_the_same_offers_in_another_municipality(
    world, offers, coordinator
):
    rows = list(
        csv.reader(io.StringIO(tabular.export_csv(world.a).decode("utf-8-sig")), delimiter=";")
    )
    for row in rows[1:]:
        row[-1] = ""  # without HSDS-IDs: new offers
    plan, summary = import_bytes(world.b, csv_bytes(rows), actor=coordinator)
    assert plan.problems == []
    # Without HSDS-IDs every row is an offer of its own: the course's two rows
    # become two offers with one location each.
    assert summary.created == 4
    assert summary.organizations_created == 2
    courses = Service.objects.for_municipality(world.b).filter(name__startswith="Eltern-Kind")
    assert courses.count() == 2
    course = courses.order_by("pk").first()
    assert course.min_age_months == 6 and course.max_age_months == 42
    assert set(course.languages.values_list("code", flat=True)) == {"de", "tr"}
    location = course.service_at_locations.get().location
    assert (location.address_1, location.postal_code) == ("Marktplatz 12a", "01067")
    assert set(location.accessibility.values_list("code", flat=True)) == {"stufenlos", "wickelraum"}
    assert course.status == ServiceStatus.PUBLISHED
    assert timezone.localdate(course.last_verified_at) == dt.date(2026, 3, 14)
    assert Service.objects.for_municipality(world.b).filter(name="=Elterntelefon").exists()


# --- matching and updating ------------------------------------------------------


def test_a_changed_value_updates_the_offer_found_by_its_hsds_id(world, offers, coordinator):
    course = offers["course"]
    rows = list(
        csv.reader(io.StringIO(tabular.export_csv(world.a).decode("utf-8-sig")), delimiter=";")
    )
    for row in rows[1:]:
        if row[-1] == str(course.id_hsds):
            row[1] = "Neue Beschreibung"
    _plan, summary = import_bytes(world.a, csv_bytes(rows), actor=coordinator)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    course.refresh_from_db()
    assert course.description == "Neue Beschreibung"
    assert course.history.first().history_user == coordinator


def test_one_age_column_is_checked_against_the_stored_other_bound(world, offers, coordinator):
    club = offers["club"]  # 10,42 to 27 years
    data = csv_bytes(
        [
            ["Angebot", "Träger", "Alter bis (Jahre)", "HSDS-ID"],
            [club.name, club.organization.name, "8", str(club.id_hsds)],
        ]
    )
    plan, summary = import_bytes(world.a, data, actor=coordinator)
    assert summary is None
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (
            2,
            "Alter bis (Jahre)",
            "„Alter bis“ muss größer sein als „Alter von“; das Angebot behält sein "
            "gespeichertes „Alter von“ von 10,42 Jahren.",
        )
    ]
    club.refresh_from_db()
    assert club.max_age_months == 324


def test_rows_with_one_hsds_id_but_different_names_are_refused(world):
    same = str(uuid.uuid4())
    rows = [
        template_row(name="Kurs", organization="Verein", street="A-Weg 1", hsds_id=same),
        template_row(name="Kurs", organization="Verein", street="B-Weg 2", hsds_id=same),
        template_row(name="Anderer Kurs", organization="Verein", hsds_id=same),
    ]
    plan = tabular.prepare_import(world.a, [tabular.HEADERS, *rows])
    assert [(p.row, p.column) for p in plan.problems] == [(4, "HSDS-ID")]
    assert "Dieselbe HSDS-ID wie Zeile 2, aber ein anderer Name" in plan.problems[0].message


def test_same_name_and_address_updates_instead_of_duplicating(world, offers, coordinator):
    data = csv_bytes(
        [
            ["Angebot", "Träger", "Straße", "Hausnummer", "PLZ", "Ort", "Beschreibung"],
            ["Jugendtreff", "Stadt", "Am Bahnhof", "3-5", "50667", "köln", "Mit Kicker"],
        ]
    )
    _plan, summary = import_bytes(world.a, data, actor=coordinator)
    assert (summary.created, summary.updated) == (0, 1)
    offers["club"].refresh_from_db()
    assert offers["club"].description == "Mit Kicker"
    assert Service.objects.for_municipality(world.a).filter(name="Jugendtreff").count() == 1


def test_repeated_rows_in_the_file_are_reported_as_duplicates(world, coordinator):
    row = ["Sprachcafé", "Verein", "Hauptstraße 1", "Ahlen"]
    data = csv_bytes(
        [["Angebot", "Träger", "Straße", "Ort"], row, ["Anderes", "Verein", "", ""], row]
    )
    plan, summary = import_bytes(world.a, data, actor=coordinator)
    assert summary is None
    assert plan.problems == [
        tabular.Problem(4, "Angebot", "Gleicher Name und gleiche Adresse wie Zeile 2 (doppelt).")
    ]
    assert not Service.objects.exists()


def test_an_unknown_hsds_id_creates_the_offer_with_that_id(world, coordinator):
    given = uuid.uuid4()
    data = csv_bytes([["Angebot", "Träger", "HSDS-ID"], ["Kita", "Träger", str(given)]])
    import_bytes(world.a, data, actor=coordinator)
    service = Service.objects.get(name="Kita")
    assert service.id_hsds == given
    _plan, again = import_bytes(world.a, data, actor=coordinator)
    assert (again.created, again.unchanged) == (0, 1)


def test_an_hsds_id_of_another_municipality_is_refused(world, offers, coordinator):
    data = csv_bytes([["Angebot", "Träger", "HSDS-ID"], ["X", "Y", str(offers["club"].id_hsds)]])
    plan, summary = import_bytes(world.b, data, actor=coordinator)
    assert summary is None
    assert plan.problems[0].message == (
        "Diese HSDS-ID gehört zu einem Angebot einer anderen Kommune."
    )


def test_a_saved_column_mapping_reads_another_layout(world, coordinator):
    tabular.column_mapping_save(
        actor=coordinator,
        municipality=world.a,
        name="Kreisjugendamt",
        mapping={"Bezeichnung": "Angebot", "Anbieter": "Träger", "ab Jahre": "Alter von (Jahre)"},
    )
    data = csv_bytes(
        [["Bezeichnung", "Anbieter", "ab Jahre", "intern"], ["Spielgruppe", "AWO", "1,5", "x"]]
    )
    mapping = tabular.mapping_named(world.a, "Kreisjugendamt")
    plan, summary = import_bytes(world.a, data, mapping=mapping, actor=coordinator)
    assert plan.ignored_columns == ["intern"]
    assert summary.created == 1
    assert Service.objects.get(name="Spielgruppe").min_age_months == 18
    with pytest.raises(tabular.TabularFileError, match="keine Spaltenzuordnung"):
        tabular.mapping_named(world.b, "Kreisjugendamt")


def test_a_mapping_to_an_unknown_column_is_refused(world, coordinator):
    with pytest.raises(Exception, match="keine Spalte der Vorlage"):
        tabular.column_mapping_save(
            actor=coordinator, municipality=world.a, name="x", mapping={"a": "Unsinn"}
        )


# --- validation ------------------------------------------------------------------


def problems_of(world, rows):
    plan, summary = import_bytes(world.a, csv_bytes(rows))
    assert summary is None
    assert not Service.objects.exists()
    return [(p.row, p.column, p.message) for p in plan.problems]


def test_every_bad_value_is_reported_with_row_column_and_reason(world):
    rows = [
        tabular.HEADERS,
        template_row(name="Gut", organization="T", latitude="51,1", longitude="7,2"),
        template_row(name="A", organization="T", min_age="drei", last_verified="31.02.2026"),
        template_row(name="B", organization="T", latitude="48,85", longitude="2,35"),
        template_row(name="C", organization="T", min_age="6", max_age="3", postal_code="123"),
        template_row(name="", organization="T", email="kein-at", fields_of_action="Zauberei"),
        template_row(name="D", organization="T", latitude="51,2", status="fertig"),
    ]
    problems = problems_of(world, rows)
    assert problems == [
        (3, "Alter von (Jahre)", "„drei“ ist keine Altersangabe in Jahren (z. B. 3 oder 1,5)."),
        (3, "zuletzt geprüft am", "„31.02.2026“ ist kein Datum (erwartet z. B. 31.12.2026)."),
        (4, "Längengrad", "2,35 liegt außerhalb Deutschlands (erlaubt: 5,8 bis 15,1)."),
        (5, "PLZ", "„123“ ist keine fünfstellige Postleitzahl."),
        (5, "Alter bis (Jahre)", "„Alter bis“ muss größer sein als „Alter von“."),
        (6, "Angebot", "Diese Spalte darf nicht leer sein."),
        (6, "Handlungsfelder", problems[6][2]),
        (6, "E-Mail", "„kein-at“ ist keine E-Mail-Adresse."),
        (7, "Längengrad", "Breiten- und Längengrad gehören zusammen; einer fehlt."),
        (7, "Status", problems[9][2]),
    ]
    assert problems[6][2].startswith("Unbekannte Handlungsfelder: „Zauberei“. Bekannt sind:")
    assert "Bildung" in problems[6][2]
    assert problems[9][2].startswith("„fertig“ ist kein Status")


def test_coordinates_outside_germany_are_refused(world):
    problems = problems_of(
        world, [["Angebot", "Träger", "Breitengrad", "Längengrad"], ["X", "T", "40.4", "-3.7"]]
    )
    assert [p[1] for p in problems] == ["Breitengrad", "Längengrad"]
    assert "außerhalb Deutschlands (erlaubt: 47,2 bis 55,1)" in problems[0][2]


def test_missing_required_columns_are_named(world):
    problems = problems_of(world, [["Name", "Beschreibung"], ["X", "Y"]])
    assert problems == [
        (
            None,
            "Angebot, Träger",
            "Pflichtspalten fehlen: „Angebot“, „Träger“. Die erste Zeile muss die "
            "Spaltennamen der Vorlage enthalten.",
        )
    ]


def test_skip_invalid_imports_all_rows_but_exactly_the_listed_ones(world, coordinator):
    data = csv_bytes(
        [
            ["Angebot", "Träger", "Alter von (Jahre)"],
            ["Eins", "T", "1"],
            ["Zwei", "T", "zwei"],
            ["Drei", "T", "3"],
        ]
    )
    _plan, summary = import_bytes(world.a, data, actor=coordinator, skip_invalid=True)
    assert summary.skipped_rows == [3]
    assert set(Service.objects.values_list("name", flat=True)) == {"Eins", "Drei"}
    assert "2 Angebot(e) angelegt" in tabular.summary_text(summary)


def test_a_dry_run_writes_nothing(world, coordinator):
    data = csv_bytes([["Angebot", "Träger"], ["Eins", "T"]])
    before = history_count()
    _plan, summary = import_bytes(world.a, data, actor=coordinator, dry_run=True)
    assert summary.created == 1
    assert not Service.objects.exists() and not Organization.objects.exists()
    assert history_count() == before
    assert tabular.summary_text(summary).startswith("Probelauf, nichts gespeichert:")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b" \r\n;;;\r\n", "Die Datei ist leer."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "keine Tabelle, sondern eine PNG-Datei"),
        (b"%PDF-1.4 ...", "keine Tabelle, sondern eine PDF-Datei"),
        (b"Angebot;Tr\xc3\xa4ger\nK\x81che;X\n", "Zeichenkodierung"),
        ("Angebot;Träger\n".encode() + "Bärenhöhle;X\n".encode("cp1252"), "Zeichenkodierung"),
        (b"PK\x03\x04broken zip", "Sie ist beschädigt oder unvollständig."),
        (b"Angebot;Tr\x00ger\n", "enthält Binärdaten"),
        # "Excel" exports that are markup: a web page, a bare table, Excel 2003 XML
        (
            b"<!DOCTYPE html>\n<html><body><table><tr><td>Angebot</td></tr></table>",
            "keine CSV-Tabelle, sondern eine Webseite oder ein XML-Dokument",
        ),
        (
            "\ufeff  <table border=1><tr><th>Angebot</th><th>Träger</th></tr>".encode(),
            "Bitte öffnen Sie sie in Excel oder LibreOffice und speichern Sie sie als XLSX",
        ),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook>',
            "keine CSV-Tabelle, sondern eine Webseite oder ein XML-Dokument",
        ),
        (
            b'Angebot;Tr\xc3\xa4ger\n"Kurs;X\n' + b"x" * 140_000,
            "Zeile 2 enthält eine Zelle mit mehr als 131.072 Zeichen",
        ),
        (  # the rows after the unclosed quote would be lost silently
            "Angebot;Träger;Beschreibung\nKurs;Verein;gut\n"
            '"Zirkus;Verein;bunt\nTreff;Verein;offen\nCafé;Verein;"nett"\n'.encode(),
            "Anführungszeichen in der Zeile, die in Zeile 3 beginnt, wird nicht geschlossen",
        ),
    ],
)
def test_bad_files_end_in_a_clear_german_message(data, message):
    limit = csv.field_size_limit(131_072)  # Python's default (frictionless raises it)
    try:
        with pytest.raises(tabular.TabularFileError) as error:
            tabular.read_table(data, "angebote.csv")
    finally:
        csv.field_size_limit(limit)
    assert message in error.value.message
    assert "Error" not in error.value.message and "field" not in error.value.message


def test_line_breaks_in_quoted_cells_are_still_read():
    data = 'Angebot;Träger;Beschreibung\nKurs;Verein;"Zeile 1\nZeile 2; mit Semikolon"\n'
    rows = tabular.read_table(data.encode(), "angebote.csv")
    assert rows[1] == ["Kurs", "Verein", "Zeile 1\nZeile 2; mit Semikolon"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(encoding):
    data = "Angebot;Träger\nBärenhöhle;Familienbüro\n".encode(encoding)
    assert tabular.read_table(data, "angebote.csv") == [
        ["Angebot", "Träger"],
        ["Bärenhöhle", "Familienbüro"],
    ]


def test_a_check_date_in_the_future_is_refused(world):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d.%m.%Y")
    row = template_row(name="Kurs", organization="Verein", last_verified=tomorrow)
    plan = tabular.prepare_import(world.a, [tabular.HEADERS, row])
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (2, "zuletzt geprüft am", "Das Datum liegt in der Zukunft.")
    ]


def test_header_only_is_reported(world):
    plan = tabular.prepare_import(world.a, tabular.read_table(";".join(tabular.HEADERS).encode()))
    assert plan.problems[0].message == "Die Datei enthält Spaltennamen, aber keine Angebote."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfAngebot;Tr\xc3\xa4ger\nA;B\n", ["A", "B"]),
        (b'Angebot,Tr\xc3\xa4ger\n"A, B",C\n', ["A, B", "C"]),
        (b"Angebot;Tr\xe4ger\nB\xe4r;C\n", ["Bär", "C"]),
        ("Angebot\tTräger\nA\tB\n".encode("utf-16"), ["A", "B"]),
    ],
)
def test_csv_in_the_usual_encodings_and_separators_is_read(data, expected):
    rows = tabular.read_table(data)
    assert rows[0] == ["Angebot", "Träger"]
    assert rows[1] == expected


def test_xlsx_with_numbers_and_dates_is_read(world, coordinator):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Angebot",
            "Träger",
            "PLZ",
            "Breitengrad",
            "Längengrad",
            "zuletzt geprüft am",
            "Alter bis (Jahre)",
        ]
    )
    sheet.append(["Kita", "T", 1067, 51.0504, 13.7373, dt.datetime(2025, 1, 31), 6])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan, _summary = import_bytes(world.a, buffer.getvalue(), name="a.xlsx", actor=coordinator)
    assert plan.problems == []
    service = Service.objects.get(name="Kita")
    location = service.service_at_locations.get().location
    assert location.postal_code == "01067"
    assert location.latitude == Decimal("51.050400")
    assert service.max_age_months == 72
    assert timezone.localdate(service.last_verified_at) == dt.date(2025, 1, 31)


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_of_every_kind_are_read_as_the_text_a_person_sees():
    workbook = Workbook()
    workbook.active.title = "Hinweise"
    workbook.active.append(["Diese Tabelle ist nicht die der Angebote"])
    sheet = workbook.create_sheet("Angebote")
    sheet.append(["Angebot", "PLZ", "Breite", "frei", "geprüft", "um", "Zeit", "leer", "Fehler"])
    sheet.append(
        [
            "Kita",
            50667,
            50.9375,
            True,
            dt.date(2026, 3, 1),
            dt.datetime(2026, 3, 1, 10, 30),
            dt.time(8, 0),
            None,
            "#N/A",  # Excel stores the English code; German Excel shows #NV
        ]
    )
    sheet["I2"].data_type = "e"  # an Excel error, e.g. a failed formula
    sheet.append([])  # an empty row keeps the later rows' line numbers
    sheet.append(["Treff", 1e20, -3, False])
    date_as_number = sheet.cell(row=4, column=5, value=45000)
    date_as_number.number_format = "DD.MM.YYYY"
    rows = tabular.read_rows(xlsx_bytes(workbook))
    assert rows == [
        ["Angebot", "PLZ", "Breite", "frei", "geprüft", "um", "Zeit", "leer", "Fehler"],
        ["Kita", "50667", "50,9375", "ja", "2026-03-01", "2026-03-01", "08:00:00", "", ""],
        [""] * 9,
        ["Treff", "100000000000000000000", "-3", "nein", "2023-03-15", "", "", "", ""],
    ]
    table = tabular.read_table(xlsx_bytes(workbook))
    assert [row[0] for row in table] == ["Angebot", "Kita", "", "Treff"]


WORKBOOKS = pytest.mark.parametrize("write", [ods_bytes, xls_bytes], ids=["ods", "xls"])


@WORKBOOKS
def test_ods_and_xls_cells_are_read_as_the_text_a_person_sees(write):
    data = write(
        {
            "Hinweise": [["Diese Tabelle ist nicht die der Angebote"]],
            "Angebote": [
                ["Angebot", "PLZ", "Breite", "frei", "geprüft", "leer"],
                ["Kita", 50667, 50.9375, True, dt.date(2026, 3, 1), None],
                [],
                ["Treff", 1067, -3, False, None, "x"],
            ],
        }
    )
    assert tabular.read_rows(data) == [
        ["Angebot", "PLZ", "Breite", "frei", "geprüft", "leer"],
        ["Kita", "50667", "50,9375", "ja", "2026-03-01", ""],
        [""] * 6,
        ["Treff", "1067", "-3", "nein", "", "x"],
    ]


@WORKBOOKS
def test_an_ods_or_xls_file_imports_like_its_xlsx(world, coordinator, write):
    header = ["Angebot", "Träger", "PLZ", "Breitengrad", "Längengrad", "zuletzt geprüft am"]
    row = ["Kita", "T", 1067, 51.0504, 13.7373, dt.date(2025, 1, 31)]
    plan, summary = import_bytes(
        world.a, write({"Angebote": [header, row]}), name="angebote", actor=coordinator
    )
    assert plan.problems == [] and summary.created == 1
    service = Service.objects.get(name="Kita")
    location = service.service_at_locations.get().location
    assert (location.postal_code, location.latitude) == ("01067", Decimal("51.050400"))
    assert timezone.localdate(service.last_verified_at) == dt.date(2025, 1, 31)


def test_an_xls_sheet_reaching_far_to_the_right_is_refused_before_its_grid_is_built():
    """One stray entry in the last column of an .xls: 65,536 × 256 cells would
    be a grid of 16 million (650 MB)."""
    rows: list[list[object]] = [["Angebot", "Träger"], *[[] for _ in range(65_534)]]
    rows[-1] = [None] * 255 + ["x"]
    with pytest.raises(tabular.TabularFileError) as error:
        tabular.read_table(xls_bytes({"Angebote": rows}))
    assert error.value.message.startswith(
        "Das Tabellenblatt „Angebote“ reicht bis Zeile 65.535 und Spalte 256; gelesen werden "
        "höchstens 100.001 Zeilen und 200 Spalten."
    )


def _zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            ods_bytes({"Angebote": [["Angebot"]]}, mimetype="text"),
            "keine Tabelle, sondern eine OpenDocument (.odt)-Datei. Bitte laden Sie eine "
            "CSV-, XLSX- oder ODS-Datei hoch.",
        ),
        (
            _zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
            "keine Tabelle, sondern eine Word (.docx)-Datei",
        ),
        (
            _zipped({"notizen.txt": "Angebot"}),
            "ein ZIP-Archiv, aber keine Tabelle (Excel .xlsx oder OpenDocument .ods)",
        ),
        (
            replaced(ods_bytes({"Angebote": [["Angebot"]]}), "content.xml", "<office:document"),
            "keine lesbare OpenDocument-Tabelle (.ods): Sie ist beschädigt",
        ),
        # Office 97–2003 (compound) files
        (
            renamed_stream(xls_bytes({"Angebote": [["Angebot"]]}), "Workbook", "WordDocument"),
            "keine Tabelle, sondern eine Word 97–2003 (.doc)-Datei",
        ),
        (
            renamed_stream(
                xls_bytes({"Angebote": [["Angebot"]]}), "Workbook", "PowerPoint Document"
            ),
            "keine Tabelle, sondern eine PowerPoint 97–2003 (.ppt)-Datei",
        ),
        (
            xls_bytes({"Angebote": [["Angebot"]]})[:1000],
            "keine lesbare Excel-97–2003-Datei (.xls): Sie ist beschädigt, unvollständig oder "
            "mit einem Passwort geschützt. Bitte speichern Sie sie erneut als XLSX oder CSV.",
        ),
    ],
)
def test_office_files_that_are_no_readable_spreadsheet_are_refused(data, message):
    with pytest.raises(tabular.TabularFileError) as error:
        tabular.read_table(data, "angebote")
    assert message in error.value.message


def test_xlsx_with_more_rows_than_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    workbook = Workbook()
    for i in range(4):
        workbook.active.append([f"Angebot {i}"])
    tabular.read_table(xlsx_bytes(workbook))  # a header and three rows
    workbook.active.append(["Angebot 4"])
    with pytest.raises(tabular.TabularFileError, match="reicht bis Zeile 5 und Spalte 1; gelesen"):
        tabular.read_table(xlsx_bytes(workbook))


@pytest.mark.parametrize(
    ("reference", "reach"),
    [("XFD1048576", "Zeile 1.048.576 und Spalte 16.384"), ("GS2", "Zeile 2 und Spalte 201")],
)
def test_a_sheet_reaching_far_beyond_its_data_is_refused_before_it_is_read(reference, reach):
    """One stray entry in the last cell of a sheet made the reader build a grid
    of 17 billion cells and abort the process (a 5 KB file)."""
    workbook = Workbook()
    workbook.active.title = "Angebote"
    workbook.active.append(["Angebot", "Träger"])
    workbook.active[reference] = "x"
    with pytest.raises(tabular.TabularFileError) as error:
        tabular.read_table(xlsx_bytes(workbook))
    assert error.value.message == (
        f"Das Tabellenblatt „Angebote“ reicht bis {reach}; gelesen werden höchstens "
        "100.001 Zeilen und 200 Spalten. Oft steht weit unter oder rechts neben den Daten "
        "ein einzelner Eintrag oder eine Formatierung: Bitte löschen Sie die Zeilen und "
        "Spalten nach den Daten oder speichern Sie das Blatt als CSV."
    )
    workbook.active[reference] = None  # an empty cell there is no entry
    del workbook.active[reference]
    assert tabular.read_table(xlsx_bytes(workbook)) == [["Angebot", "Träger"]]


def test_an_ods_table_reaching_far_to_the_right_is_refused():
    data = ods_bytes({"Angebote": [["Angebot", None, "x"]]})
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml").decode()
    gap = '<table:table-cell table:number-columns-repeated="300"/>'
    wide = replaced(data, "content.xml", content.replace("<table:table-cell/>", gap, 1))
    with pytest.raises(tabular.TabularFileError, match="reicht bis Zeile 1 und Spalte 302"):
        tabular.read_table(wide)


def test_xlsx_that_would_unpack_far_beyond_the_limit_is_refused(settings):
    settings.KETTE_IMPORT_MAX_BYTES = 20_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + " " * 600_000)
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(tabular.TabularFileError) as error:
        tabular.read_table(buffer.getvalue())
    assert error.value.message == (
        "Die Tabelle ist entpackt 0,6 MB groß; höchstens 0,5 MB können gelesen werden. "
        "Bitte teilen Sie sie auf oder speichern Sie sie als CSV."
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods"])
def test_problems_name_the_line_of_the_file_also_after_empty_rows(world, kind):
    rows = [[], ["Angebot", "Träger", "PLZ"], ["Eins", "T", "59227"], [], ["", "", ""]]
    rows += [["Zwei", "T", "123"], [], []]
    if kind == "csv":
        data = csv_bytes(rows)
    elif kind == "ods":
        data = ods_bytes({"Angebote": rows})
    else:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        data = xlsx_bytes(workbook)
    plan, _summary = import_bytes(world.a, data, name=f"a.{kind}")
    assert [(p.row, p.column) for p in plan.problems] == [(6, "PLZ")]
    assert plan.total_rows == 2


def test_files_above_the_limit_are_refused_before_parsing(world, tmp_path):
    big = tmp_path / "gross.csv"
    with big.open("wb") as handle:
        handle.write(";".join(tabular.HEADERS).encode() + b"\n")
        line = b"Angebot;Beschreibung" + b"x" * 1000 + b"\n"
        for _ in range(51 * 1024):
            handle.write(line)
    assert big.stat().st_size > 50 * 1024 * 1024
    with pytest.raises(CommandError, match=r"Die Datei ist 50,\d MB groß; höchstens 20,0 MB"):
        call_command("import_offers", str(big), municipality=world.a.slug)
    with pytest.raises(tabular.TabularFileError, match="höchstens 20,0 MB"):
        tabular.read_table(big.read_bytes())


# --- the command -------------------------------------------------------------------


def test_the_import_command_reports_problems_and_writes_nothing(world, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(
        csv_bytes([["Angebot", "Träger", "PLZ"], ["Eins", "T", "1"], ["Zwei", "T", ""]])
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 Problem\\(e\\) in 1 Zeile\\(n\\) gefunden"):
        call_command("import_offers", str(path), municipality=world.a.slug, stdout=out)
    assert "„1“ ist keine fünfstellige Postleitzahl." in out.getvalue()
    assert not Service.objects.exists()
    call_command(
        "import_offers", str(path), municipality=world.a.slug, skip_invalid=True, stdout=out
    )
    assert list(Service.objects.values_list("name", flat=True)) == ["Zwei"]
    assert "1 Angebot(e) angelegt, 0 aktualisiert, 0 unverändert, 1 Zeile(n) übersprungen" in (
        out.getvalue()
    )


def test_the_import_command_refuses_a_binary_file(world, tmp_path):
    path = tmp_path / "bild.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(CommandError, match="PNG-Datei"):
        call_command("import_offers", str(path), municipality=world.a.slug)


def test_importing_ten_rows_twice_creates_them_once(world, tmp_path):
    path = tmp_path / "a.csv"
    rows = [tabular.HEADERS] + [
        template_row(
            name=f"Angebot {i}", organization=f"Träger {i % 3}", city="Ahlen", street=f"Weg {i}"
        )
        for i in range(10)
    ]
    path.write_bytes(csv_bytes(rows))
    out = io.StringIO()
    call_command("import_offers", str(path), municipality=world.a.slug, stdout=out)
    call_command("import_offers", str(path), municipality=world.a.slug, stdout=out)
    assert Service.objects.count() == 10
    assert Organization.objects.count() == 3
    assert "0 Angebot(e) angelegt, 0 aktualisiert, 10 unverändert" in out.getvalue()


def test_the_mapping_command_saves_a_mapping_for_the_import(world, tmp_path):
    out = io.StringIO()
    call_command(
        "save_column_mapping",
        "Liste",
        "Titel=Angebot",
        "Anbieter=Träger",
        municipality=world.a.slug,
        stdout=out,
    )
    assert "Spaltenzuordnung „Liste“ gespeichert (2 Spalten)." in out.getvalue()
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes([["Titel", "Anbieter"], ["Lesepaten", "Bücherei"]]))
    call_command("import_offers", str(path), municipality=world.a.slug, mapping="Liste", stdout=out)
    assert Service.objects.get(name="Lesepaten").organization.name == "Bücherei"
    with pytest.raises(CommandError, match="keine Spalte der Vorlage"):
        call_command("save_column_mapping", "X", "a=b", municipality=world.a.slug)


def test_an_offer_at_two_locations_is_changed_once(world, offers, coordinator):
    course = offers["course"]
    rows = list(
        csv.reader(io.StringIO(tabular.export_csv(world.a).decode("utf-8-sig")), delimiter=";")
    )
    languages, phone, features = (
        rows[0].index("Sprachen"),
        rows[0].index("Telefon"),
        rows[0].index("Barrierefreiheit"),
    )
    for row in rows[1:]:
        if row[-1] == str(course.id_hsds):
            row[languages] = "de, ar"
            row[phone] = "0351 777"
            if row[features]:
                row[features] = "Aufzug"
    before = course.languages.model.history.count()
    _plan, summary = import_bytes(world.a, csv_bytes(rows), actor=coordinator)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    assert set(course.languages.values_list("code", flat=True)) == {"de", "ar"}
    assert list(course.phones.values_list("number", flat=True)) == ["0351 777"]
    # One language removed and one added: two history rows, not four.
    assert course.languages.model.history.count() == before + 2
    location = Location.objects.get(address_1="Marktplatz 12a")
    assert list(location.accessibility.values_list("code", flat=True)) == ["aufzug"]
    _plan, again = import_bytes(world.a, csv_bytes(rows), actor=coordinator)
    assert (again.updated, again.unchanged) == (0, 3)
