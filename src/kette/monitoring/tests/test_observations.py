"""Indicator catalogue and observation imports (CSV/XLSX long and wide, IT.NRW)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from kette.monitoring import services, tables
from kette.monitoring.demo import DATA
from kette.monitoring.errors import ImportRejected
from kette.monitoring.models import Indicator, Observation, Unit
from kette.monitoring.tests.factories import DistrictFactory, IndicatorFactory
from kette.testing.factories import MunicipalityFactory
from kette.testing.spreadsheets import ods_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", 12.5),
        ("1.234", 1234.0),
        ("1.234.567,89", 1234567.89),
        ("12.5", 12.5),
        (" 7 ", 7.0),
        ("3,0 %", 3.0),
        ("-", 0.0),
        (42, 42.0),
    ],
)
def test_german_numbers(text, number):
    assert tables.parse_number(text) == number


@pytest.mark.parametrize("marker", [".", "", "x", "…"])
def test_statistical_markers_mean_missing(marker):
    assert tables.parse_number(marker) is tables.MISSING


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12a", "1.23.4"])
def test_non_numbers_are_rejected(text):
    with pytest.raises(ValueError):
        tables.parse_number(text)


def test_format_number_follows_the_language():
    assert tables.format_number(1234567.891, 2) == "1.234.567,89"
    assert tables.format_number(-0.014, 2) == "\u22120,01"  # a minus sign
    assert tables.format_number(-0.004, 2) == "0,00"
    with translation.override("en"):
        # "1.084" read as a decimal in the English interface
        assert tables.format_number(1234567.891, 2) == "1,234,567.89"
        assert tables.format_number(5.6) == "5.6"


@pytest.fixture
def city():
    municipality = MunicipalityFactory(official_key="05999000")
    DistrictFactory(municipality=municipality, code="101", name="Altstadt")
    DistrictFactory(municipality=municipality, code="102", name="Neustadt")
    services.indicator_catalogue_sync(actor=None)
    return municipality


def _csv(text: str, encoding: str = "utf-8") -> tables.Table:
    return tables.read_table(text.encode(encoding), "werte.csv")


def test_catalogue_has_the_standard_set_once():
    assert services.indicator_catalogue_sync(actor=None) == services.indicator_catalogue_sync(
        actor=None
    )
    standard = Indicator.objects.filter(municipality__isnull=True)
    assert standard.count() == 16
    quote = standard.get(key="sgb2-quote-u15")
    assert (quote.unit, quote.direction, quote.disclosure_threshold) == (
        "percent",
        "higher_is_worse",
        3,
    )
    assert standard.get(key="kinder-0-3").age_band == "0–3"


def test_long_form_with_german_numbers_and_municipality_total(city):
    table = _csv(
        "Sozialraum;Indikator;Jahr;Wert;Zähler;Nenner\n"
        "101;kinder-0-3;2012;1.234;;\n"
        "102;sgb2-quote-u15;2012;12,5;25;200\n"
        ";kinder-0-3;2012;2.500;;\n"
        "102;sgb2-quote-u15;2011;;30;200\n"
        "101;sgb2-quote-u15;2011;.;;\n"
    )
    report = services.observations_import(actor=None, municipality=city, table=table)
    assert (report.created, report.missing) == (4, 1)
    rows = Observation.objects.for_municipality(city)
    assert rows.get(district__code="101", indicator__key="kinder-0-3").value == 1234
    assert rows.get(district__isnull=True, indicator__key="kinder-0-3").value == 2500
    quote = rows.get(district__code="102", year=2012)
    assert (quote.value, quote.numerator, quote.denominator) == (12.5, 25, 200)
    # A rate without a value is computed from numerator and denominator.
    assert rows.get(district__code="102", year=2011).value == 15.0


def test_reimport_updates_and_keeps(city):
    text = "Sozialraum;Indikator;Jahr;Wert\n101;kinder-0-3;2012;10\n102;kinder-0-3;2012;20\n"
    services.observations_import(actor=None, municipality=city, table=_csv(text))
    report = services.observations_import(
        actor=None, municipality=city, table=_csv(text.replace("2012;20", "2012;21"))
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Observation.history.filter(municipality_id=city.pk).count() == 3


def test_every_bad_cell_is_reported_with_row_and_column_and_nothing_is_written(city):
    table = _csv(
        "Sozialraum;Indikator;Jahr;Wert;Zähler;Nenner\n"
        "101;kinder-0-3;2012;10;;\n"
        "999;kinder-0-3;2012;10;;\n"
        "101;sgb2-quote-u15;2012;120;;\n"
        "102;kinder-0-3;2012;viele;;\n"
        "102;unbekannt;2012;1;;\n"
        "102;sgb2-quote-u15;zwölf;1;;\n"
        "102;kinder-3-6;2012;-5;;\n"
        "102;sgb2-quote-u15;2012;;30;20\n"
        "102;kinder-6-10;2012;1.234,25;;\n"
        "101;sgb2-quote-u15;2013;;0;-20\n"
        "101;kinder-0-3;2012;11;;\n"
    )
    with pytest.raises(ImportRejected) as error:
        services.observations_import(actor=None, municipality=city, table=table)
    assert error.value.errors == [
        "Zeile 3, Spalte „Sozialraum“: unbekannter Sozialraum „999“.",
        "Zeile 4, Spalte „Wert“: 120,0 ist als Prozentwert unmöglich.",
        "Zeile 5, Spalte „Wert“: „viele“ ist keine Zahl.",
        "Zeile 6, Spalte „Indikator“: unbekannter Indikator „unbekannt“.",
        "Zeile 7, Spalte „Jahr“: „zwölf“ ist kein Jahr.",
        "Zeile 8, Spalte „Wert“: \u22125,0 ist negativ und damit unmöglich.",
        "Zeile 9, Spalte „Wert“: 150,0 ist als Prozentwert unmöglich.",
        "Zeile 10, Spalte „Wert“: 1.234,25 ist keine ganze Zahl und als Anzahl unmöglich.",
        "Zeile 11, Spalte „Nenner“: Nenner ist negativ.",
        "Zeile 12: kinder-0-3 2012 für diesen Sozialraum steht schon in Zeile 2.",
    ]
    assert not Observation.objects.exists()


def test_numerators_that_are_not_whole_are_pointed_out(city):
    table = _csv(
        "Sozialraum;Indikator;Jahr;Wert;Zähler;Nenner\n"
        "101;sgb2-quote-u15;2012;12,5;25;200\n"
        "102;sgb2-quote-u15;2012;;12,5;100\n"
        "101;sgb2-quote-u15;2013;;2,5;20,5\n"
    )
    report = services.observations_import(actor=None, municipality=city, table=table)
    assert report.warnings == [
        "Die Spalte „Zähler“ enthält 2 Zahlen, die nicht ganz sind (Zeilen 3, 4), obwohl "
        "Zähler und Nenner Anzahlen sind: Ist es die richtige Spalte?",
        "Die Spalte „Nenner“ enthält 1 Zahl, die nicht ganz ist (Zeile 4), obwohl "
        "Zähler und Nenner Anzahlen sind: Ist es die richtige Spalte?",
    ]
    assert Observation.objects.filter(municipality=city).count() == 3  # a notice, not a refusal


def test_itnrw_counts_are_checked_too():
    koeln = MunicipalityFactory(official_key="05315000", name="Köln")
    IndicatorFactory(key="kinder-itnrw", unit=Unit.COUNT)
    regional = tables.read_itnrw((DATA / "itnrw_22811-01i_2023.csv").read_bytes())
    with pytest.raises(ImportRejected) as error:
        services.observations_import_itnrw(
            actor=None, regional=regional, indicator_key="kinder-itnrw", municipalities=[koeln]
        )
    assert error.value.errors == [
        "Zeile 83 (05315 Köln, krfr. Stadt): 14,4 ist keine ganze Zahl und als Anzahl unmöglich."
    ]


def test_missing_columns_are_named(city):
    with pytest.raises(ImportRejected) as error:
        services.observations_import(
            actor=None, municipality=city, table=_csv("Sozialraum;Jahr\n101;2012\n")
        )
    assert error.value.errors == ["Spalte „Indikator“ fehlt.", "Spalte „Wert“ fehlt."]


def test_wide_form_with_year_columns_latin1(city):
    table = _csv("Schlüssel;2011;2012\n101;1.000;1.100\n102;900;.\n", encoding="latin-1")
    report = services.observations_import(
        actor=None, municipality=city, table=table, layout="wide", indicator_key="kinder-0-3"
    )
    assert (report.created, report.missing) == (3, 1)
    assert Observation.objects.get(district__code="101", year=2012).value == 1100


def test_wide_form_with_indicator_columns_from_xlsx(city):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Sozialraum", "kinder-0-3", "sgb2-quote-u15"])
    sheet.append([101, 35, "12,5"])
    sheet.append([102, 40, 101])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = tables.read_table(buffer.getvalue(), "werte.xlsx")
    with pytest.raises(ImportRejected) as error:
        services.observations_import(
            actor=None, municipality=city, table=table, layout="wide", year=2012
        )
    assert error.value.errors == [
        "Zeile 3, Spalte „sgb2-quote-u15“: 101,0 ist als Prozentwert unmöglich."
    ]
    sheet["C3"] = 10.1
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = tables.read_table(buffer.getvalue(), "werte.xlsx")
    report = services.observations_import(
        actor=None, municipality=city, table=table, layout="wide", year=2012
    )
    assert report.created == 4
    assert (
        Observation.objects.get(district__code="101", indicator__key="sgb2-quote-u15").value == 12.5
    )


@pytest.mark.parametrize("name", ["werte.xlsx", "werte.ods"])
def test_number_cells_keep_their_value_whatever_their_decimals(city, name):
    """12.345 in a number cell was read as the text "12.345" and then as
    twelve thousand (a German thousands separator)."""
    rows = [["Sozialraum", "Indikator", "Jahr", "Wert"], [101, "sgb2-quote-u15", 2022, 12.345]]
    rows += [[102, "sgb2-quote-u15", 2022, 0.125], [101, "kinder-0-3", 2022, 1234.0]]
    if name.endswith(".ods"):
        data = ods_bytes({"Werte": rows})
    else:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    table = tables.read_table(data, name)
    report = services.observations_import(actor=None, municipality=city, table=table)
    assert report.created == 3
    values = {
        (o.district.code, o.indicator.key): o.value
        for o in Observation.objects.select_related("district", "indicator")
    }
    assert values == {
        ("101", "sgb2-quote-u15"): 12.345,
        ("102", "sgb2-quote-u15"): 0.125,
        ("101", "kinder-0-3"): 1234,
    }


def test_wide_form_needs_year_or_indicator(city):
    with pytest.raises(ImportRejected, match="bitte das Jahr angeben"):
        services.observations_import(
            actor=None,
            municipality=city,
            table=_csv("Sozialraum;kinder-0-3\n101;1\n"),
            layout="wide",
        )


def test_broken_xlsx_is_a_german_error():
    with pytest.raises(tables.TableError, match="Excel-Datei ist nicht lesbar"):
        tables.read_table(b"kein excel", "werte.xlsx")


def test_own_indicators_stay_in_their_municipality(city):
    other = MunicipalityFactory()
    IndicatorFactory(municipality=other, key="eigener", unit=Unit.COUNT)
    with pytest.raises(ImportRejected, match="unbekannter Indikator „eigener“"):
        services.observations_import(
            actor=None,
            municipality=city,
            table=_csv("Sozialraum;Indikator;Jahr;Wert\n101;eigener;2012;1\n"),
        )


def test_itnrw_export_imports_by_official_key():
    koeln = MunicipalityFactory(official_key="05315000", name="Köln")
    kranenburg = MunicipalityFactory(official_key="05154040", name="Kranenburg")
    kreis = MunicipalityFactory(official_key="05570", kind="kreis", name="Kreis Warendorf")
    services.indicator_catalogue_sync(actor=None)
    regional = tables.read_itnrw((DATA / "itnrw_22811-01i_2023.csv").read_bytes())
    assert (regional.title, regional.year) == ("22811-01i", 2023)
    report = services.observations_import_itnrw(
        actor=None, regional=regional, indicator_key="mindestsicherungsquote"
    )
    assert set(report.municipalities) == {"Köln", "Kreis Warendorf"}
    assert report.missing == 1  # Kranenburg's value is "." (secret)
    assert Observation.objects.get(municipality=koeln, district=None, year=2023).value == 14.4
    assert Observation.objects.filter(municipality=kreis).count() == 1
    assert not Observation.objects.filter(municipality=kranenburg).exists()


def test_itnrw_with_several_columns_needs_a_choice():
    data = (
        "Tabelle: 1\n;;;A;B\n;;;Anzahl;Anzahl\n2024;05315;  Köln, krfr. Stadt;1.234;5\n"
        "----\n© IT.NRW\n"
    ).encode("latin-1")
    with pytest.raises(tables.TableError, match="2 Wertspalten"):
        tables.read_itnrw(data)
    regional = tables.read_itnrw(data, column=1)
    assert (regional.year, regional.values[0].key, regional.values[0].value) == (
        2024,
        "05315",
        1234.0,
    )


def test_not_an_itnrw_file():
    with pytest.raises(tables.TableError, match="Keine Datenzeilen"):
        tables.read_itnrw(b"a;b;c\n1;2;3\n")


def test_commands_report_in_german(city, tmp_path):
    path = tmp_path / "werte.csv"
    path.write_text("Sozialraum;Indikator;Jahr;Wert\n101;kinder-0-3;2012;1.234\n", "utf-8")
    out = io.StringIO()
    call_command("import_observations", str(path), "--municipality", city.slug, stdout=out)
    assert "1 neu, 0 geändert" in out.getvalue()
    path.write_text("Sozialraum;Indikator;Jahr;Wert\n777;kinder-0-3;2012;1\n", "utf-8")
    with pytest.raises(CommandError, match="unbekannter Sozialraum „777“"):
        call_command("import_observations", str(path), "--municipality", city.slug, stdout=out)
    itnrw = DATA / "itnrw_22811-01i_2023.csv"
    call_command("import_itnrw", str(itnrw), "--indicator", "mindestsicherungsquote", stdout=out)
    assert "Tabelle 22811-01i (2023): 0 Kommunen" in out.getvalue()
