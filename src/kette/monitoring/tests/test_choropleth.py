"""The indicator map (choropleth), the district profile and the comparison of two
districts: classes, legend, sortable table, chart, print view, disclosure control."""

import pytest
from django.urls import reverse

from kette.core.models import Role
from kette.monitoring.models import Direction, Unit
from kette.monitoring.tests.factories import DistrictFactory, IndicatorFactory, ObservationFactory
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    teile = [
        DistrictFactory(municipality=city, code=f"10{n}", name=f"Viertel {n}") for n in range(1, 7)
    ]
    kinder = IndicatorFactory(key="kinder", name="Kinder unter 3", unit=Unit.COUNT)
    quote = IndicatorFactory(
        key="quote", name="SGB-II-Quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE
    )
    for year in (2010, 2011, 2012):
        for district, count, rate in zip(
            teile, [2, 130, 145, 155, 170, 190], [30.5, 10.25, 20.0, 5.0, 12.0, 8.0], strict=True
        ):
            ObservationFactory(
                municipality=city, district=district, indicator=kinder, year=year, value=count
            )
            ObservationFactory(
                municipality=city,
                district=district,
                indicator=quote,
                year=year,
                value=rate + year - 2012,
            )
    return city


def _get(client, city, name, role=Role.VIEWER, args=(), **query):
    if "_auth_user_id" not in client.session:
        client.force_login(user_with_role(role, city))
    return client.get(reverse(f"monitoring:{name}", args=[city.slug, *args]), query)


def test_map_page_classifies_and_hatches_suppressed_districts(
    client, city, django_assert_max_num_queries
):
    _get(client, city, "choropleth")  # logs in
    with django_assert_max_num_queries(13):
        response = _get(
            client, city, "choropleth", indikator="kinder", jahr=2012, methode="equal", klassen=3
        )
    html = response.content.decode()
    assert response.status_code == 200
    # Viertel 1 (2 children) is suppressed; without a published total nothing more.
    assert ">2<" not in html
    assert "„.“ gesperrt (1 Sozialraum)" in html
    # Equal intervals over the published 130 … 190 in three classes: width 20.
    assert "130 bis unter 150" in html and "170 bis 190" in html
    assert 'role="img"' in html  # the bar chart
    assert 'id="kette-hatch"' in html
    assert "/k/musterstadt/monitoring/karte.geojson?" in html


def test_map_table_sorts_without_javascript(client, city):
    html = _get(
        client, city, "choropleth", indikator="quote", sortierung="value", reihenfolge="ab"
    ).content.decode()
    assert html.index("Viertel 1<") < html.index("Viertel 3<") < html.index("Viertel 4<")
    assert 'aria-sort="descending"' in html
    html = _get(client, city, "choropleth", indikator="quote", sortierung="name").content.decode()
    assert 'aria-sort="ascending"' in html


def test_map_geojson_carries_colours_and_suppression(client, city):
    data = _get(client, city, "choropleth_geojson", indikator="kinder", jahr=2012).json()
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert props["101"]["suppressed"] is True and props["101"]["map_label"] == "."
    assert "fill" not in props["101"]
    assert props["106"]["fill"].startswith("#") and props["106"]["map_label"] == "190"
    assert "2" not in {p["map_label"] for p in props.values()}


def test_standard_deviation_map_of_a_rate_uses_a_diverging_palette(client, city):
    html = _get(
        client, city, "choropleth", indikator="quote", methode="stddev", klassen=4
    ).content.decode()
    assert "#ca0020" in html  # red: the high end, where a higher rate means more need
    assert "unter " in html and " und mehr" in html


def test_print_view_has_a_static_map_and_no_leaflet(client, city):
    html = _get(client, city, "choropleth", indikator="quote", druck=1).content.decode()
    assert 'class="chart map"' in html
    assert "leaflet.js" not in html
    assert "Quantile" in html


def test_map_without_values_explains_itself(client):
    empty = MunicipalityFactory()
    html = _get(client, empty, "choropleth").content.decode()
    assert "Noch keine Indikatorwerte" in html


def test_district_profile_shows_series_against_the_mean(
    client, city, django_assert_max_num_queries
):
    _get(client, city, "district_profile", args=["102"])  # logs in
    with django_assert_max_num_queries(12):
        response = _get(client, city, "district_profile", args=["103"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Viertel 3" in html and "SGB-II-Quote" in html and "Kinder unter 3" in html
    assert html.count('class="chart line-chart"') == 2
    # Mean of the published rates 2012: (30.5 + 10.25 + 20 + 5 + 12 + 8) / 6 = 14.29…
    assert "14,3" in html
    # Mean of the published counts: 130, 145, 155, 170, 190 (2 suppressed) = 158.
    assert ">158,0<" in html
    assert _get(client, city, "district_profile", args=["999"]).status_code == 404


def test_profile_of_a_suppressed_district_shows_dots(client, city):
    html = _get(client, city, "district_profile", args=["101"]).content.decode()
    assert '<td class="num">.</td>' in html
    assert ">2<" not in html


def test_comparison_of_two_districts(client, city):
    response = _get(client, city, "district_comparison", a="103", b="106")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="chart line-chart"') == 2
    assert '<th scope="col" class="num">Viertel 3</th>' in html
    assert '<th scope="col" class="num">Viertel 6</th>' in html
    html = _get(client, city, "district_comparison").content.decode()
    assert "Wählen Sie zwei Sozialräume" in html


def test_comparison_refuses_districts_of_different_levels(client, city):
    DistrictFactory(municipality=city, code="9", name="Bezirk", level="Stadtbezirk")
    html = _get(client, city, "district_comparison", a="103", b="9").content.decode()
    assert "derselben Ebene" in html


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("choropleth", []),
        ("choropleth_geojson", []),
        ("district_profile", ["103"]),
        ("district_comparison", []),
    ],
)
def test_outsiders_are_kept_out(client, city, name, args):
    url = reverse(f"monitoring:{name}", args=[city.slug, *args])
    assert client.get(url).status_code == 302
    client.force_login(user_with_role(Role.COORDINATOR, MunicipalityFactory()))
    assert client.get(url).status_code == 403
