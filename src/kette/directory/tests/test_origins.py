"""The guide's origin for distances, resolved without any outside service."""

from decimal import Decimal

import pytest

from kette.core.models import District
from kette.directory import origins
from kette.directory.tests.factories import LocationFactory
from kette.testing import factories

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[6.9, 50.95], [7.0, 50.95], [7.0, 51.0], [6.9, 51.0], [6.9, 50.95]]],
}


@pytest.fixture
def town():
    municipality = factories.MunicipalityFactory()
    porz = District.objects.create(municipality=municipality, code="7", name="Porz")
    District.objects.create(
        municipality=municipality,
        code="701",
        name="Porz",
        level="Stadtteil",
        parent=porz,
        boundary=SQUARE,
    )
    District.objects.create(municipality=municipality, code="1", name="Ehrenfeld")  # no outline
    for address, lat, lon in (
        ("Venloer Straße 12", "50.9500", "6.9200"),
        ("Venloer Str. 40", "50.9600", "6.9000"),
        ("Lindenweg 3a", "50.9000", "7.0000"),
    ):
        LocationFactory(
            municipality=municipality,
            address_1=address,
            postal_code="50823" if "Venloer" in address else "51143",
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )
    LocationFactory(municipality=factories.MunicipalityFactory(), address_1="Lindenweg 9")
    return municipality


def point(origin):
    return (round(origin.point.latitude, 4), round(origin.point.longitude, 4))


@pytest.mark.parametrize(
    ("text", "expected", "label"),
    [
        ("50.94, 6.96", (50.94, 6.96), "50,94000, 6,96000"),  # labelled in German numbers
        ("50,94; 6,96", (50.94, 6.96), "50,94000, 6,96000"),  # decimal commas
        ("porz", (50.975, 6.95), "Porz (Stadtteil)"),  # the Stadtteil with an outline
        ("Stadtbezirk Porz", (50.975, 6.95), "Porz (Stadtteil)"),  # the Bezirk has none
        ("50823", (50.955, 6.91), "50823"),
        ("Venloer Straße 40", (50.96, 6.9), "Venloer Straße 40"),
        ("venloer str 12", (50.95, 6.92), "venloer str 12"),
        ("Venloer Str.", (50.955, 6.91), "Venloer Str."),  # the street's centre
        ("Venloer Straße 99", (50.955, 6.91), "Venloer Straße 99"),  # number unknown
        ("Lindenweg 3 a", (50.9, 7.0), "Lindenweg 3 a"),
        ("Venloer Straße 40, 50823 Köln", (50.96, 6.9), "Venloer Straße 40"),  # a full address
        ("Hauptstraße 1, 50823 Köln", (50.955, 6.91), "50823"),  # its postal code then
        ("Lindenweg 9", (50.9, 7.0), "Lindenweg 9"),  # not the other town's Lindenweg 9
    ],
)
def test_what_a_visitor_types_resolves_to_a_point(town, text, expected, label):
    origin = origins.resolve(text, town)
    assert origin is not None
    assert point(origin) == expected
    assert origin.label == label


@pytest.mark.parametrize("text", ["", "Ehrenfeld", "Hauptstraße 1", "99999", "40.0, 6.9"])
def test_what_cannot_be_resolved_offline_gives_none(town, text):
    # Ehrenfeld has neither an outline nor located places; no place in Hauptstraße
    assert origins.resolve(text, town) is None


def test_coordinates_need_no_municipality():
    assert origins.resolve("51,5 7,4", None).point.latitude == 51.5
    assert origins.resolve("Porz", None) is None


def test_a_level_word_chooses_the_larger_district_and_names_are_compared_loosely(town):
    bezirk = District.objects.get(municipality=town, code="7")
    bezirk.level = "Stadtbezirk"
    bezirk.boundary = {
        "type": "Polygon",
        "coordinates": [[[6.8, 50.8], [7.2, 50.8], [7.2, 51.2], [6.8, 51.2], [6.8, 50.8]]],
    }
    bezirk.save()
    assert origins.resolve("Stadtbezirk Porz", town).label == "Porz (Stadtbezirk)"
    assert origins.resolve("ganz Porz", town).label == "Porz (Stadtbezirk)"
    assert origins.resolve("Porz", town).label == "Porz (Stadtteil)"
    District.objects.create(
        municipality=town, code="102", name="Altstadt-Nord", level="Stadtteil", boundary=SQUARE
    )
    assert origins.resolve("altstadt nord", town).label == "Altstadt-Nord (Stadtteil)"
    assert origins.coordinates_outside_germany("48.85, 2.35")
    assert not origins.coordinates_outside_germany("50.94, 6.96")
    assert not origins.coordinates_outside_germany("Porz")
