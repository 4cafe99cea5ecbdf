"""District boundary import, simplification, hierarchy and point location."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kette.core import geo
from kette.core.models import District
from kette.monitoring import selectors, services
from kette.monitoring.demo import DATA
from kette.monitoring.errors import ImportRejected
from kette.monitoring.tests.factories import collection, feature, square

pytestmark = pytest.mark.django_db


def _import(municipality, data, **options):
    defaults = {"code_property": "ref", "name_property": "name", "level": "Stadtteil"}
    return services.districts_import(
        actor=None, municipality=municipality, collection=data, **(defaults | options)
    )


def _koeln(municipality):
    bezirke = json.loads((DATA / "koeln_stadtbezirke_osm.geojson").read_text("utf-8"))
    teile = json.loads((DATA / "koeln_stadtteile_osm.geojson").read_text("utf-8"))
    _import(municipality, bezirke, level="Stadtbezirk")
    return _import(municipality, teile, parent_level="Stadtbezirk")


def test_koeln_stadtteile_from_geometry_collections_nest_in_their_stadtbezirk(municipality):
    report = _koeln(municipality)
    assert report.created == 86
    teile = District.objects.for_municipality(municipality).filter(level="Stadtteil")
    assert teile.count() == 86
    # Köln's Stadtteil numbers start with their Stadtbezirk's number: the
    # point-in-polygon assignment must agree with that for every Stadtteil.
    assert all(d.parent.code == d.code[0] for d in teile.select_related("parent"))
    assert {d.boundary["type"] for d in teile} <= {"Polygon", "MultiPolygon"}


def test_koeln_district_map_sends_at_most_300_kb(municipality):
    _koeln(municipality)
    payload = json.dumps(
        selectors.districts_geojson(municipality, level="Stadtteil"), separators=(",", ":")
    )
    assert len(payload.encode()) <= 300_000
    assert len(json.loads(payload)["features"]) == 86


def test_the_source_of_the_outlines_is_kept_and_named_by_the_maps(municipality):
    square_a = collection(feature("1", "Nord", square(6.95, 50.94)))
    _import(municipality, square_a, source=" © OpenStreetMap contributors (ODbL) ")
    nord = District.objects.get(municipality=municipality, code="1")
    assert nord.outline_source == "© OpenStreetMap contributors (ODbL)"
    # without a source (the command without --source): kept as it is
    report = _import(municipality, square_a)
    assert report.unchanged == 1
    nord.refresh_from_db()
    assert nord.outline_source == "© OpenStreetMap contributors (ODbL)"
    # another level from another source: each map names its own
    _import(
        municipality,
        collection(feature("9", "Bezirk", square(6.95, 50.94))),
        level="Stadtbezirk",
        source="© Stadt Musterstadt, dl-de/by-2-0",
    )
    assert selectors.districts_geojson(municipality, level="Stadtteil")["attribution"] == (
        "© OpenStreetMap contributors (ODbL)"
    )
    bezirke = District.objects.for_municipality(municipality).filter(level="Stadtbezirk")
    assert selectors.outline_sources(d.outline_source for d in bezirke) == [
        "© Stadt Musterstadt, dl-de/by-2-0"
    ]
    # an empty source is a choice (own outlines): the map names none
    report = _import(municipality, square_a, source="")
    assert report.updated == 1
    assert "attribution" not in selectors.districts_geojson(municipality, level="Stadtteil")


def test_reimport_changes_nothing(municipality):
    _koeln(municipality)
    history = District.history.filter(municipality_id=municipality.pk).count()
    report = _koeln(municipality)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 86)
    assert District.history.filter(municipality_id=municipality.pk).count() == history


def test_reimport_updates_by_code(municipality):
    _import(municipality, collection(feature("1", "Nord", square(7.0, 51.0))))
    report = _import(municipality, collection(feature("1", "Nordstadt", square(7.0, 51.0))))
    assert report.updated == 1
    assert District.objects.for_municipality(municipality).get().name == "Nordstadt"


def test_epsg_25832_is_converted_to_wgs84_on_a_known_point(municipality):
    # Easting 500 000 is UTM zone 32's central meridian (9° E); northing 0 the equator.
    utm_square = {
        "type": "Polygon",
        "coordinates": [[[500000, 0], [500100, 0], [500100, 100], [500000, 100], [500000, 0]]],
    }
    data = collection(
        feature("1", "Am Nullpunkt", utm_square),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
    )
    report = _import(municipality, data)
    assert report.source_crs == "EPSG:25832"
    corner = District.objects.get().boundary["coordinates"][0]
    lon, lat = min(corner)
    assert lon == pytest.approx(9.0, abs=1e-6)
    assert lat == pytest.approx(0.0, abs=1e-6)


def test_crs_can_be_given_explicitly(municipality):
    # A 100 m square around Köln cathedral (50.94129 N, 6.95817 E ≈ E 356 551, N 5 645 281).
    ring = [[356500, 5645230], [356600, 5645230], [356600, 5645330], [356500, 5645330]]
    geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    _import(municipality, collection(feature("1", "Dom", geometry)), crs="EPSG:25832")
    assert geo.district_for_point(municipality, 50.94129, 6.95817).name == "Dom"


def test_projected_coordinates_without_crs_are_rejected(municipality):
    ring = [[356500, 5645400], [356550, 5645400], [356550, 5645450], [356500, 5645400]]
    with pytest.raises(ImportRejected) as error:
        _import(
            municipality,
            collection(feature("1", "Dom", {"type": "Polygon", "coordinates": [ring]})),
        )
    assert "außerhalb von WGS84" in error.value.errors[0]
    assert "EPSG:25832" in error.value.errors[0]


def test_self_intersecting_polygon_is_repaired(municipality):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[7, 51], [7.01, 51.01], [7.01, 51], [7, 51.01], [7, 51]]],
    }
    report = _import(municipality, collection(feature("1", "Schleife", bowtie)))
    assert report.repaired == ["Feature 1 (1)"]
    district = District.objects.get()
    assert district.boundary["type"] == "MultiPolygon"


def test_every_bad_feature_is_reported_and_nothing_is_written(municipality):
    flat = {"type": "Polygon", "coordinates": [[[7, 51], [7.01, 51], [7.02, 51], [7, 51]]]}
    point = {"type": "Point", "coordinates": [7, 51]}
    data = collection(
        feature("1", "Gut", square(7.0, 51.0)),
        feature("2", "Flach", flat),
        feature("3", "Punkt", point),
        feature("", "Ohne Schlüssel", square(7.1, 51.0)),
        feature("1", "Doppelt", square(7.2, 51.0)),
        feature("5", "Ohne Geometrie", None),
        feature("6", "", square(7.3, 51.0)),
    )
    with pytest.raises(ImportRejected) as error:
        _import(municipality, data)
    errors = error.value.errors
    assert any(e.startswith("Feature 2 (2): ungültige Geometrie") for e in errors)
    assert "Feature 3 (3): keine Fläche (Geometrietyp Point)." in errors
    assert "Feature 4: Eigenschaft „ref“ (Schlüssel) fehlt." in errors
    assert "Feature 5 (1): Schlüssel kommt schon in Feature 1 vor." in errors
    assert "Feature 6 (5): keine Geometrie." in errors
    assert "Feature 7 (6): Eigenschaft „name“ (Name) fehlt." in errors
    assert not District.objects.exists()


def test_parent_by_property(municipality):
    data = collection(
        feature("1", "Bezirk", square(7.0, 51.0, 0.1)),
        feature("101", "Teil", square(7.0, 51.0), bezirk="1"),
    )
    _import(municipality, data, parent_property="bezirk")
    assert District.objects.get(code="101").parent.code == "1"


def test_unknown_parent_code_is_rejected(municipality):
    data = collection(feature("101", "Teil", square(7.0, 51.0), bezirk="9"))
    with pytest.raises(ImportRejected) as error:
        _import(municipality, data, parent_property="bezirk")
    assert error.value.errors == ["Feature 1 (101): übergeordneter Bezirk „9“ ist unbekannt."]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        # "ref" given as code and parent property
        (
            [feature("1", "Eins", square(7.0, 51.0), bezirk="1")],
            "Feature 1 (1): liegt in sich selbst (1 → 1).",
        ),
        (
            [
                feature("1", "Eins", square(7.0, 51.0), bezirk="2"),
                feature("2", "Zwei", square(7.2, 51.0), bezirk="1"),
            ],
            "Feature 1 (1): liegt in sich selbst (1 → 2 → 1).",
        ),
    ],
)
def test_a_district_that_lies_in_itself_is_rejected(municipality, features, message):
    with pytest.raises(ImportRejected) as error:
        _import(municipality, collection(*features), parent_property="bezirk")
    assert error.value.errors[0] == message
    assert len(error.value.errors) == len(features)
    assert not District.objects.for_municipality(municipality).exists()


def test_a_loop_through_districts_already_there_is_rejected(municipality):
    _import(municipality, collection(feature("1", "Eins", square(7.0, 51.0, 0.1))))
    _import(
        municipality,
        collection(feature("2", "Zwei", square(7.0, 51.0), bezirk="1")),
        parent_property="bezirk",
    )
    with pytest.raises(ImportRejected) as error:
        _import(
            municipality,
            collection(feature("1", "Eins", square(7.0, 51.0, 0.1), bezirk="2")),
            parent_property="bezirk",
        )
    assert error.value.errors == ["Feature 1 (1): liegt in sich selbst (1 → 2 → 1)."]


def test_outlines_outside_the_municipality_are_pointed_out(municipality):
    municipality.boundary = square(7.0, 51.0, 0.2)
    municipality.name = "Musterstadt"
    municipality.save()
    report = _import(
        municipality,
        collection(
            feature("1", "Mitte", square(7.05, 51.05)),
            feature("2", "Null Insel", square(0.0, 0.0)),  # swapped or missing coordinates
        ),
        dry_run=True,
    )
    assert report.warnings == ["Feature 2 (2): liegt außerhalb von Musterstadt."]


def test_outlines_without_a_level_keep_the_level_a_district_has(municipality):
    data = collection(feature("1", "Nord", square(7.0, 51.0)))
    _import(municipality, data, level="Stadtteil")
    report = _import(municipality, data, level="")
    assert (report.updated, report.unchanged) == (0, 1)
    assert District.objects.for_municipality(municipality).get().level == "Stadtteil"
    # a level given replaces it; a new district without one has none
    _import(municipality, data, level="Sozialraum")
    _import(municipality, collection(feature("2", "Süd", square(7.2, 51.0))), level="")
    levels = dict(District.objects.for_municipality(municipality).values_list("code", "level"))
    assert levels == {"1": "Sozialraum", "2": ""}


def test_district_for_point_finds_the_stadtteil_and_follows_changes(municipality):
    _koeln(municipality)
    assert geo.district_for_point(municipality, 50.9413, 6.9583).name == "Altstadt-Nord"
    assert geo.district_for_point(municipality, 52.52, 13.40) is None
    _import(municipality, collection(feature("101", "Verschoben", square(13.39, 52.51, 0.02))))
    assert geo.district_for_point(municipality, 52.52, 13.40).name == "Verschoben"


def test_locating_many_points_at_once_agrees_with_one_at_a_time(municipality):
    _koeln(municipality)
    locator = geo.district_locator(municipality)
    # a grid over Köln and beyond its edge (Stadtteile lie inside Stadtbezirke:
    # both cover most points, and the Stadtteil must win as it does one by one)
    points = [
        (50.83 + 0.01 * i, 6.77 + 0.015 * j) for i in range(0, 25, 2) for j in range(0, 24, 2)
    ]
    one_by_one = [locator.locate(lat, lon) for lat, lon in points]
    assert locator.locate_many(points) == one_by_one
    assert sum(found is not None for found in one_by_one) > 50  # inside Köln
    assert None in one_by_one  # and outside it
    assert locator.locate_many([]) == []


def test_district_for_point_stays_within_the_municipality(municipality, municipality_factory):
    other = municipality_factory()
    _import(other, collection(feature("1", "Anderswo", square(7.0, 51.0))))
    assert geo.district_for_point(municipality, 51.005, 7.005) is None


def test_command_reports_and_rejects_in_german(municipality, tmp_path):
    path = tmp_path / "bezirke.geojson"
    path.write_text(json.dumps(collection(feature("1", "Nord", square(7.0, 51.0)))), "utf-8")
    out = StringIO()
    args = [str(path), "--municipality", municipality.slug, "--code-property", "ref"]
    call_command("import_districts", *args, "--name-property", "name", stdout=out)
    assert "1 neu, 0 geändert, 0 unverändert" in out.getvalue()
    with pytest.raises(CommandError, match="Kein Feature hat die Eigenschaft „titel“"):
        call_command("import_districts", *args, "--name-property", "titel", stdout=out)
    path.write_text("{kaputt", "utf-8")
    with pytest.raises(CommandError, match="kein gültiges JSON"):
        call_command("import_districts", *args, "--name-property", "name", stdout=out)


def test_importing_districts_places_the_offers_already_there(municipality):
    from decimal import Decimal

    from kette.directory import services as directory
    from kette.directory.search import search_services

    organization = directory.organization_create(actor=None, municipality=municipality, name="T")
    offer = directory.service_create(
        actor=None, organization=organization, name="Babytreff", status="published"
    )
    place = directory.location_create(
        actor=None,
        municipality=municipality,
        latitude=Decimal("50.005"),
        longitude=Decimal("7.005"),
        city="X",
    )
    directory.service_add_location(actor=None, service=offer, location=place)
    assert place.district is None  # no boundaries yet

    report = _import(municipality, collection(feature("101", "Mitte", square(7.0, 50.0))))

    place.refresh_from_db()
    assert report.locations_assigned == 1
    assert place.district.name == "Mitte"
    found = search_services(municipality=municipality, district=place.district_id)
    assert [s.pk for s in found.services] == [offer.pk]


def test_places_move_to_the_stadtteil_imported_after_its_stadtbezirk(municipality):
    """The demo imports Stadtbezirke, then Stadtteile: places must end in the finer one
    (the gap analysis counts offers per Stadtteil), while a district chosen by hand
    that is not a larger one containing the place stays."""
    from decimal import Decimal

    from kette.directory import services as directory

    organization = directory.organization_create(actor=None, municipality=municipality, name="T")
    offer = directory.service_create(
        actor=None, organization=organization, name="Babytreff", status="published"
    )
    places = [
        directory.location_create(
            actor=None,
            municipality=municipality,
            latitude=Decimal("51.005"),
            longitude=Decimal(lon),
            city="X",
        )
        for lon in ("7.005", "7.015")
    ]
    for place in places:
        directory.service_add_location(actor=None, service=offer, location=place)
    _import(municipality, collection(feature("1", "Bezirk", square(7.0, 51.0, 0.1))), level="B")
    _import(municipality, collection(feature("9", "Anderswo", square(8.0, 51.0))), level="B")
    for place in places:
        place.refresh_from_db()
        assert place.district.code == "1"
    places[1].district = District.objects.get(code="9")  # chosen by hand
    places[1].save()

    report = _import(
        municipality,
        collection(
            feature("101", "Teil", square(7.0, 51.0, 0.01), bezirk="1"),
            feature("102", "Nachbarteil", square(7.01, 51.0, 0.01), bezirk="1"),
        ),
        parent_property="bezirk",
    )

    places[0].refresh_from_db()
    places[1].refresh_from_db()
    assert report.locations_assigned == 1
    assert places[0].district.code == "101"
    assert places[1].district.code == "9"


def test_offers_follow_the_nesting_of_newly_imported_stadtteile(municipality):
    """Stadtteile imported after their Stadtbezirk: an offer placed in one is
    found under the Stadtbezirk too, and an offer meant for the Stadtbezirk (a
    service area set before) under each new Stadtteil."""
    from decimal import Decimal

    from kette.directory import services as directory
    from kette.directory.search import search_services

    organization = directory.organization_create(actor=None, municipality=municipality, name="T")
    placed = directory.service_create(
        actor=None, organization=organization, name="Babytreff", status="published"
    )
    place = directory.location_create(
        actor=None,
        municipality=municipality,
        latitude=Decimal("51.005"),
        longitude=Decimal("7.005"),
        city="X",
    )
    directory.service_add_location(actor=None, service=placed, location=place)
    _import(municipality, collection(feature("1", "Bezirk", square(7.0, 51.0, 0.1))), level="B")
    bezirk = District.objects.get(municipality=municipality, code="1")
    meant = directory.service_create(
        actor=None, organization=organization, name="Hebammen", status="published"
    )
    directory.service_set_areas(actor=None, service=meant, districts=[bezirk])

    _import(
        municipality,
        collection(
            feature("101", "Teil", square(7.0, 51.0, 0.01), bezirk="1"),
            feature("102", "Nachbarteil", square(7.01, 51.0, 0.01), bezirk="1"),
        ),
        parent_property="bezirk",
    )

    def names(code):
        district = District.objects.get(municipality=municipality, code=code)
        found = search_services(municipality=municipality, district=district.pk)
        return {service.name for service in found.services}

    assert names("1") == {"Babytreff", "Hebammen"}
    assert names("101") == {"Babytreff", "Hebammen"}
    assert names("102") == {"Hebammen"}
