"""The monitoring JSON API: indicators, values under disclosure control, need index."""

import pytest

from kette.core.models import Role
from kette.monitoring.models import Direction, Unit
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
    city = MunicipalityFactory(slug="musterstadt")
    bezirk = DistrictFactory(municipality=city, code="1", name="Nord", level="Stadtbezirk")
    teile = [
        DistrictFactory(municipality=city, code=f"10{n}", name=f"Viertel {n}", parent=bezirk)
        for n in range(1, 4)
    ]
    kinder = IndicatorFactory(key="kinder", name="Kinder", unit=Unit.COUNT)
    quote = IndicatorFactory(key="quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    for district, count, rate in zip(teile, [2, 130, 145], [30.0, 10.0, 20.0], strict=True):
        ObservationFactory(municipality=city, district=district, indicator=kinder, value=count)
        ObservationFactory(municipality=city, district=district, indicator=quote, value=rate)
    ObservationFactory(municipality=city, district=bezirk, indicator=kinder, value=277)
    NeedIndexWeightFactory(municipality=city, indicator=quote)
    return city


def test_indicators_with_their_years(client, city):
    client.force_login(user_with_role(Role.VIEWER, city))
    data = client.get("/api/k/musterstadt/monitoring/indikatoren").json()
    assert sorted((i["key"], i["years"]) for i in data) == [("kinder", [2012]), ("quote", [2012])]


def test_values_are_disclosure_controlled(client, city):
    client.force_login(user_with_role(Role.VIEWER, city))
    data = client.get("/api/k/musterstadt/monitoring/indikatoren/kinder/2012").json()
    by_code = {row["district_code"]: row for row in data}
    # Viertel 1 (2) primary; with the Bezirk total published one more part goes.
    assert by_code["101"] == {
        "district_code": "101",
        "district_name": "Viertel 1",
        "level": "Stadtteil",
        "value": None,
        "numerator": None,
        "denominator": None,
        "suppressed": True,
    }
    assert by_code["102"]["suppressed"] and by_code["102"]["value"] is None
    assert by_code["103"]["value"] == 145
    assert 2.0 not in [row["value"] for row in data] and 130.0 not in [row["value"] for row in data]
    assert client.get("/api/k/musterstadt/monitoring/indikatoren/nichts/2012").status_code == 404


def test_need_index(client, city):
    client.force_login(user_with_role(Role.VIEWER, city))
    data = client.get("/api/k/musterstadt/monitoring/bedarfsindex").json()
    assert data["year"] == 2012 and data["level"] == "Stadtteil"
    assert data["weights"] == {"quote": 1.0}
    assert [row["district_code"] for row in data["rows"]] == ["101", "103", "102"]
    assert data["rows"][0]["status_label"]
    empty = MunicipalityFactory(slug="leer")
    client.force_login(user_with_role(Role.VIEWER, empty))
    assert client.get("/api/k/leer/monitoring/bedarfsindex").status_code == 404


@pytest.mark.parametrize("path", ["indikatoren", "indikatoren/kinder/2012", "bedarfsindex"])
def test_outsiders_get_403(client, city, path):
    assert client.get(f"/api/k/musterstadt/monitoring/{path}").status_code in (401, 403)
    client.force_login(user_with_role(Role.COORDINATOR, MunicipalityFactory()))
    assert client.get(f"/api/k/musterstadt/monitoring/{path}").status_code == 403


def test_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/k/{municipality_slug}/monitoring/indikatoren/{indicator_key}/{year}" in paths
    assert "/api/k/{municipality_slug}/monitoring/bedarfsindex" in paths
