"""Monitoring pages: districts with map, indicator values, CSV export, need index."""

import pytest
from django.urls import reverse

from kette.core.models import Role
from kette.monitoring.models import Direction, Unit
from kette.monitoring.tables import parse_number
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    bezirk = DistrictFactory(municipality=city, code="1", name="Nord", level="Stadtbezirk")
    teile = [
        DistrictFactory(municipality=city, code=f"10{n}", name=f"Viertel {n}", parent=bezirk)
        for n in range(1, 5)
    ]
    kinder = IndicatorFactory(key="kinder", name="Kinder unter 3", unit=Unit.COUNT)
    quote = IndicatorFactory(
        key="quote", name="SGB-II-Quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE
    )
    for district, count, rate in zip(
        teile, [2, 130, 145, 155], [30.5, 10.25, 20.0, 5.0], strict=True
    ):
        ObservationFactory(municipality=city, district=district, indicator=kinder, value=count)
        ObservationFactory(municipality=city, district=district, indicator=quote, value=rate)
    ObservationFactory(municipality=city, district=bezirk, indicator=kinder, value=432)
    NeedIndexWeightFactory(municipality=city, indicator=quote, weight=2)
    return city


def _login(client, role, municipality):
    client.force_login(user_with_role(role, municipality))


def test_districts_page_has_map_and_table(client, city):
    _login(client, Role.VIEWER, city)
    response = client.get(reverse("monitoring:districts", args=[city.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sozialräume von Musterstadt" in html
    assert (
        'data-geojson-url="/k/musterstadt/monitoring/sozialraeume.geojson?ebene=Stadtteil"' in html
    )
    assert '<th scope="row">Viertel 3</th>' in html
    assert "4 Sozialräume" in html


def test_districts_geojson_with_need_status(client, city):
    _login(client, Role.VIEWER, city)
    url = reverse("monitoring:districts_geojson", args=[city.slug])
    data = client.get(url, {"ebene": "Stadtteil", "bedarfsindex": 2012}).json()
    assert [f["properties"]["code"] for f in data["features"]] == ["101", "102", "103", "104"]
    by_code = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert by_code["101"]["status"] in (2, 3, 4)
    assert by_code["101"]["status_label"].endswith("Bedarf")


def test_indicator_values_are_suppressed_on_the_page_and_in_the_export(client, city):
    _login(client, Role.COORDINATOR, city)
    response = client.get(
        reverse("monitoring:indicator_values", args=[city.slug]),
        {"indikator": "kinder", "jahr": 2012},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 Werte sind gesperrt." in html
    # Viertel 1 (2 children) and the smallest other Viertel (130) are ".".
    assert '<td class="num">.</td>' in html
    assert ">130<" not in html and ">2<" not in html
    assert ">145<" in html
    csv_response = client.get(reverse("monitoring:indicator_csv", args=[city.slug, "kinder", 2012]))
    text = csv_response.content.decode("utf-8-sig")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "101;Viertel 1;Stadtteil;2012;.;.;." in text
    assert ";130;" not in text and ";2;" not in text
    assert "103;Viertel 3;Stadtteil;2012;145;;" in text


def test_the_csv_keeps_every_digit_so_the_import_reads_it_back(client, city):
    people = IndicatorFactory(key="einwohner", unit=Unit.COUNT)
    rate = IndicatorFactory(key="anteil", unit=Unit.PERCENT)
    ObservationFactory(municipality=city, district=None, indicator=people, value=1044555)
    ObservationFactory(
        municipality=city,
        district=None,
        indicator=rate,
        value=34.45234512,
        numerator=359873,
        denominator=1044555,
    )
    _login(client, Role.COORDINATOR, city)

    def exported(key):
        url = reverse("monitoring:indicator_csv", args=[city.slug, key, 2012])
        return client.get(url).content.decode("utf-8-sig").splitlines()[1].split(";")

    assert exported("einwohner")[4] == "1044555"  # was 1,04456e+06
    assert exported("anteil")[4:] == ["34,45234512", "359873", "1044555"]
    assert parse_number(exported("anteil")[4]) == 34.45234512


def test_csv_of_unknown_indicator_or_year_is_404(client, city):
    _login(client, Role.VIEWER, city)
    assert (
        client.get(
            reverse("monitoring:indicator_csv", args=[city.slug, "nichts", 2012])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("monitoring:indicator_csv", args=[city.slug, "kinder", 1999])
        ).status_code
        == 404
    )


def test_bad_query_parameters_fall_back(client, city):
    _login(client, Role.VIEWER, city)
    url = reverse("monitoring:indicator_values", args=[city.slug])
    response = client.get(url, {"indikator": "<script>", "jahr": "zwanzig"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_need_index_page_shows_method_weights_and_ranking(client, city):
    _login(client, Role.VIEWER, city)
    response = client.get(reverse("monitoring:need_index", args=[city.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Methode" in html and "Gewicht" in html
    assert "Stichprobenstandardabweichung" in html
    assert "Veränderung in zwei Jahren" in html
    assert '<td class="num">2</td>' in html  # the weight
    # Highest need first: Viertel 1 (30.5 %) before Viertel 4 (5 %).
    assert html.index("Viertel 1 (101)") < html.index("Viertel 4 (104)")
    # One Stadtbezirk without a value of its own: nothing to rank at that level.
    html = client.get(
        reverse("monitoring:need_index", args=[city.slug]), {"ebene": "Stadtbezirk"}
    ).content.decode()
    assert "Nord (1)" in html
    assert "nicht eingestuft" in html


def test_empty_municipality_pages_explain_themselves(client):
    empty = MunicipalityFactory()
    _login(client, Role.VIEWER, empty)
    assert (
        "Noch keine Sozialräume"
        in client.get(reverse("monitoring:districts", args=[empty.slug])).content.decode()
    )
    assert (
        "Noch keine Indikatorwerte"
        in client.get(reverse("monitoring:indicator_values", args=[empty.slug])).content.decode()
    )
    assert (
        "Noch keine Indikatoren für den Bedarfsindex"
        in client.get(reverse("monitoring:need_index", args=[empty.slug])).content.decode()
    )


@pytest.mark.parametrize(
    "name", ["districts", "districts_geojson", "indicator_values", "need_index"]
)
def test_outsiders_are_kept_out(client, city, name):
    url = reverse(f"monitoring:{name}", args=[city.slug])
    assert client.get(url).status_code == 302  # to the login page
    _login(client, Role.COORDINATOR, MunicipalityFactory())
    assert client.get(url).status_code == 403


def test_read_indicators_permission(city):
    assert user_with_role(Role.VIEWER, city).has_perm("monitoring.read_indicators", city)
    assert user_with_role(Role.PROVIDER, city).has_perm("monitoring.read_indicators", city)
    assert user_with_role(Role.PROGRAMME_STAFF).has_perm("monitoring.read_indicators", city)
    other = user_with_role(Role.COORDINATOR, MunicipalityFactory())
    assert not other.has_perm("monitoring.read_indicators", city)
    assert not other.has_perm("monitoring.read_indicators", None)


@pytest.mark.django_db
def test_the_workspace_links_to_the_monitoring(client, world, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/k/{world.a.slug}/arbeitsbereich/").content.decode()
    assert f"/k/{world.a.slug}/monitoring/" in html
    assert "Sozialräume, Indikatoren mit Geheimhaltung" in html
