"""The coordination office's comparison of all municipalities of NRW on official
statistics (IT.NRW), programme municipalities marked, public."""

import pytest
from django.urls import reverse

from kette.monitoring import selectors, services, tables
from kette.monitoring.models import RegionalObservation, Unit
from kette.monitoring.tests.factories import IndicatorFactory
from kette.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

EXPORT = """Tabelle: 22811-01i
Mindestsicherungsquote (Prozent);;
;;Jahr
;;2023
05;Nordrhein-Westfalen;11,1
051;  Düsseldorf, Regierungsbezirk;12,6
05111;    Düsseldorf, krfr. Stadt;11,5
05112;    Duisburg, krfr. Stadt;17,0
05154;    Kleve, Kreis;8,2
05154004;      Bedburg-Hau;.
05154008;      Emmerich am Rhein;9,4
05166;    Viersen, Kreis;8,2
"""


@pytest.fixture
def loaded():
    indicator = IndicatorFactory(
        key="mindestsicherungsquote", name="Mindestsicherungsquote", unit=Unit.PERCENT
    )
    duisburg = MunicipalityFactory(name="Duisburg", slug="duisburg", official_key="05112000")
    kleve = MunicipalityFactory(name="Kreis Kleve", slug="kleve", official_key="05154")
    report = services.observations_import_itnrw(
        actor=None,
        regional=tables.read_itnrw(EXPORT.encode("latin-1")),
        indicator_key="mindestsicherungsquote",
    )
    return indicator, duisburg, kleve, report


def test_import_keeps_every_region_of_the_state(loaded):
    _indicator, _duisburg, _kleve, report = loaded
    assert report.regions == 7  # 8 regions, Bedburg-Hau's "." is no value
    assert RegionalObservation.objects.get(region_key="05").value == 11.1
    assert RegionalObservation.objects.get(region_key="05154008").region_name == "Emmerich am Rhein"


def test_comparison_ranks_kreise_and_marks_the_programme_municipalities(loaded):
    indicator, duisburg, kleve, _report = loaded
    comparison = selectors.state_comparison(duisburg.programme, indicator, 2023)
    assert [(r.rank, r.name) for r in comparison.rows] == [
        (1, "Duisburg, krfr. Stadt"),
        (2, "Düsseldorf, krfr. Stadt"),
        (3, "Kleve, Kreis"),
        (3, "Viersen, Kreis"),  # a tie shares the rank
    ]
    assert [r.municipality for r in comparison.programme_rows] == [duisburg, kleve]
    assert comparison.state.display == "11,1"
    gemeinden = selectors.state_comparison(duisburg.programme, indicator, 2023, kind="gemeinde")
    assert [r.name for r in gemeinden.rows] == ["Emmerich am Rhein"]


def test_small_counts_are_suppressed_in_the_comparison():
    counted = IndicatorFactory(key="faelle", unit=Unit.COUNT)
    for key, value in (("05111", 2.0), ("05112", 40.0)):
        RegionalObservation.objects.create(
            indicator=counted, region_key=key, region_name=key, year=2023, value=value
        )
    comparison = selectors.state_comparison(MunicipalityFactory().programme, counted, 2023)
    assert [(r.key, r.display, r.rank) for r in comparison.rows] == [
        ("05112", "40", 1),
        ("05111", ".", None),
    ]


def test_comparison_page_and_csv_are_public(client, loaded, django_assert_max_num_queries):
    url = reverse("monitoring:state_comparison")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Duisburg, krfr. Stadt</strong>" in html
    assert "Nordrhein-Westfalen insgesamt: 11,1" in html
    assert "2 Programmkommunen in der Tabelle" in html
    response = client.get(reverse("monitoring:state_comparison_csv"), {"ebene": "kreis"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "1;05112;Duisburg, krfr. Stadt;ja;2023;17" in text
    assert "3;05166;Viersen, Kreis;;2023;8,2" in text
    assert ";05;Nordrhein-Westfalen;;2023;11,1" in text


def test_comparison_without_data_explains_itself(client):
    html = client.get(reverse("monitoring:state_comparison")).content.decode()
    assert "Noch keine Werte der amtlichen Statistik" in html
    assert client.get(reverse("monitoring:state_comparison_csv")).status_code == 404
