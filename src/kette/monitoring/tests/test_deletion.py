"""Removing wrong data: one indicator's values of one year, and a district with
what refers to it — named on a confirmation page, audited, and nothing in the
offer directory lost silently."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kette.core.models import District, Role
from kette.directory import services as directory
from kette.directory.models import Location, ServiceArea
from kette.directory.search import search_services
from kette.monitoring import selectors, services
from kette.monitoring.models import Observation, Unit
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    ObservationFactory,
    collection,
    feature,
    square,
)
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


def _import(city, features, **options):
    services.districts_import(
        actor=None,
        municipality=city,
        collection=collection(*features),
        code_property="ref",
        name_property="name",
        **options,
    )


@pytest.fixture
def city():
    """Bezirk 1 (a large square) with Teile 101 and 102 in it and a Block in 101;
    values of two indicators in two years for the Teile, and a total."""
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    _import(city, [feature("1", "Bezirk Nord", square(7.0, 51.0, 0.1))], level="Stadtbezirk")
    teile = [
        feature("101", "Altstadt", square(7.0, 51.0, 0.01), bezirk="1"),
        feature("102", "Neustadt", square(7.01, 51.0, 0.01), bezirk="1"),
    ]
    _import(city, teile, level="Stadtteil", parent_property="bezirk")
    block = [feature("10101", "Altstadt-Kern", square(7.0, 51.0, 0.005), teil="101")]
    _import(city, block, level="Block", parent_property="teil")
    kinder = IndicatorFactory(key="kinder", name="Kinder unter 3", unit=Unit.COUNT)
    quote = IndicatorFactory(key="quote", name="SGB-II-Quote", unit=Unit.PERCENT)
    for district in District.objects.filter(municipality=city, code__in=["101", "102"]):
        for year in (2022, 2023):
            ObservationFactory(
                municipality=city, district=district, indicator=kinder, year=year, value=50
            )
            ObservationFactory(
                municipality=city, district=district, indicator=quote, year=year, value=12.5
            )
    ObservationFactory(municipality=city, indicator=kinder, year=2023, value=900)
    return city


def _district(city, code):
    return District.objects.get(municipality=city, code=code)


def _offers(city):
    """A place in Altstadt with an offer there; one offer meant only for
    Altstadt, one for Altstadt and Neustadt."""
    organization = directory.organization_create(actor=None, municipality=city, name="Träger")
    place = directory.location_create(
        actor=None,
        municipality=city,
        name="Familienzentrum",
        latitude=Decimal("51.0025"),
        longitude=Decimal("7.0025"),
        city="Musterstadt",
    )
    placed = directory.service_create(
        actor=None, organization=organization, name="Babytreff", status="published"
    )
    directory.service_add_location(actor=None, service=placed, location=place)
    only = directory.service_create(
        actor=None, organization=organization, name="Hebammensprechstunde", status="published"
    )
    directory.service_set_areas(actor=None, service=only, districts=[_district(city, "101")])
    both = directory.service_create(
        actor=None, organization=organization, name="Elterncafé", status="published"
    )
    directory.service_set_areas(
        actor=None, service=both, districts=[_district(city, "101"), _district(city, "102")]
    )
    return place, placed, only, both


# Values of one indicator and year ------------------------------------------------------


def test_deleting_one_year_of_one_indicator_leaves_everything_else(city, world):
    coordinator = user_with_role(Role.COORDINATOR, city)
    kinder = selectors.indicator_of(city, "kinder")
    other = ObservationFactory(municipality=world.a, indicator=kinder, year=2023)
    deleted = services.observations_delete(
        actor=coordinator, municipality=city, indicator=kinder, year=2023
    )
    assert deleted == 3  # two districts and the whole municipality
    left = Observation.objects.filter(municipality=city)
    assert sorted({(o.indicator.key, o.year) for o in left}) == [
        ("kinder", 2022),
        ("quote", 2022),
        ("quote", 2023),
    ]
    assert Observation.objects.filter(pk=other.pk).exists()  # another municipality's
    records = Observation.history.filter(municipality_id=city.pk, history_type="-")
    assert {(r.year, r.history_user_id) for r in records} == {(2023, coordinator.pk)}
    assert records.count() == 3


# A district ---------------------------------------------------------------------------


def test_every_relation_to_a_district_is_handled_by_the_deletion():
    """A new foreign key to District must be considered by `district_delete` (and
    named on its confirmation page) before this test is updated."""
    relations = {
        (related.related_model._meta.label, related.field.name, related.on_delete.__name__)
        for related in District._meta.get_fields(include_hidden=True)
        if related.auto_created
        and not related.concrete
        and not related.related_model._meta.model_name.startswith("historical")
    }
    assert relations == {
        ("core.District", "parent", "SET_NULL"),
        ("directory.Location", "district", "SET_NULL"),
        ("directory.ServiceArea", "district", "CASCADE"),
        ("monitoring.Observation", "district", "CASCADE"),
    }


def test_the_confirmation_names_what_goes_with_a_district(city):
    place, _placed, only, both = _offers(city)
    deletion = selectors.district_deletion(city, _district(city, "101"))
    assert [(v.indicator.key, v.count, v.first_year, v.last_year) for v in deletion.values] == [
        ("kinder", 2, 2022, 2023),
        ("quote", 2, 2022, 2023),
    ]
    assert deletion.value_count == 4
    assert [d.code for d in deletion.children] == ["10101"]
    assert deletion.places == []  # the place lies in the finer Kern
    assert deletion.offers == [both, only]
    assert deletion.offers_without_area == [only]
    kern = selectors.district_deletion(city, _district(city, "10101"))
    assert kern.places == [place]


def test_deleting_a_district_keeps_its_children_places_and_offers(city):
    coordinator = user_with_role(Role.COORDINATOR, city)
    place, _placed, only, both = _offers(city)
    assert place.district.code == "10101"
    services.district_delete(actor=coordinator, municipality=city, district=_district(city, "101"))

    assert not District.objects.filter(municipality=city, code="101").exists()
    kern = _district(city, "10101")
    assert kern.parent.code == "1"  # moved to the deleted district's parent
    assert Observation.objects.filter(municipality=city).count() == 5  # Neustadt's and the total
    place.refresh_from_db()
    assert place.district == kern  # unchanged: it lies in the Kern
    assert set(
        ServiceArea.objects.filter(service=both).values_list("district__code", flat=True)
    ) == {"102"}
    assert not ServiceArea.objects.filter(service=only).exists()
    # Every change is recorded under the coordinator.
    kern_record = District.history.filter(id=kern.pk).latest("history_date")
    assert (kern_record.history_type, kern_record.history_user_id) == ("~", coordinator.pk)
    for model in (District, Observation, ServiceArea):
        removed = model.history.filter(municipality_id=city.pk, history_type="-")
        assert removed.exists()
        assert set(removed.values_list("history_user_id", flat=True)) == {coordinator.pk}
    # The offers in the Kern are still found under the Bezirk, which the Kern now
    # belongs to directly.
    found = search_services(municipality=city, district=_district(city, "1").pk)
    assert "Babytreff" in {s.name for s in found.services}


def test_places_of_a_deleted_district_get_the_district_they_lie_in(city):
    coordinator = user_with_role(Role.COORDINATOR, city)
    place, *_ = _offers(city)
    services.district_delete(
        actor=coordinator, municipality=city, district=_district(city, "10101")
    )
    place.refresh_from_db()
    assert place.district.code == "101"  # the Kern is gone; Altstadt contains the place
    record = Location.history.filter(id=place.pk, district__isnull=True).get()
    assert record.history_user_id == coordinator.pk


# Pages --------------------------------------------------------------------------------


def _login(client, role, city):
    client.force_login(user_with_role(role, city))


def test_coordinator_deletes_a_year_of_values_after_confirming(client, city):
    _login(client, Role.COORDINATOR, city)
    values = reverse("monitoring:indicator_values", args=[city.slug])
    page = client.get(values + "?indikator=kinder&jahr=2023").content.decode()
    url = reverse("monitoring:observations_delete", args=[city.slug, "kinder", 2023])
    assert f'href="{url}"' in page
    page = client.get(url).content.decode()
    assert "Die Werte von „Kinder unter 3“ für 2023 löschen?" in page
    assert "3 Werte werden gelöscht." in page
    assert "Darunter ist der Wert der ganzen Kommune." in page
    assert Observation.objects.filter(year=2023, indicator__key="kinder").count() == 3

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == values + "?indikator=kinder"
    html = response.content.decode()
    assert "3 Werte von „Kinder unter 3“ für 2023 wurden gelöscht." in html
    assert "<caption>Kinder unter 3, 2022</caption>" in html
    assert not Observation.objects.filter(year=2023, indicator__key="kinder").exists()
    assert client.get(url).status_code == 404  # nothing left to delete
    assert client.post(url).status_code == 404


def test_coordinator_deletes_a_district_after_reading_what_goes_with_it(client, city):
    _offers(city)
    _login(client, Role.COORDINATOR, city)
    districts = reverse("monitoring:districts", args=[city.slug])
    url = reverse("monitoring:district_delete", args=[city.slug, "101"])
    page = client.get(districts + "?ebene=Stadtteil").content.decode()
    assert f'href="{url}"' in page
    page = client.get(url).content.decode()
    assert "Den Sozialraum „Altstadt“ (101) löschen?" in page
    assert "Kinder unter 3: 2 Werte (2022–2023)" in page
    assert "Sie gehören danach zu Bezirk Nord:" in page
    assert "<li>Altstadt-Kern (10101)</li>" in page
    assert "Hebammensprechstunde" in page and "Elterncafé" in page
    assert "danach ohne Versorgungsgebiet" in page

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == districts + "?ebene=Stadtteil"
    assert "Der Sozialraum „Altstadt“ (101) wurde mit 4 Werten gelöscht." in (
        response.content.decode()
    )
    assert not District.objects.filter(municipality=city, code="101").exists()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PROVIDER, Role.VIEWER])
def test_only_coordinators_delete(client, city, role):
    _login(client, role, city)
    urls = [
        reverse("monitoring:observations_delete", args=[city.slug, "kinder", 2023]),
        reverse("monitoring:district_delete", args=[city.slug, "101"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    page = client.get(reverse("monitoring:districts", args=[city.slug]) + "?ebene=Stadtteil")
    assert urls[1] not in page.content.decode()
    page = client.get(reverse("monitoring:indicator_values", args=[city.slug]))
    assert "loeschen" not in page.content.decode()
    assert District.objects.filter(municipality=city).count() == 4
    assert Observation.objects.filter(municipality=city).count() == 9


def test_a_coordinator_of_another_municipality_deletes_nothing(client, city, world):
    DistrictFactory(municipality=world.b, code="101")
    client.force_login(user_with_role(Role.COORDINATOR, world.b))
    for url in (
        reverse("monitoring:observations_delete", args=[city.slug, "kinder", 2023]),
        reverse("monitoring:district_delete", args=[city.slug, "101"]),
    ):
        assert client.post(url).status_code == 403
    for url in (
        reverse("monitoring:observations_delete", args=[world.b.slug, "kinder", 2023]),
        reverse("monitoring:district_delete", args=[world.b.slug, "102"]),
    ):
        assert client.post(url).status_code == 404
    assert District.objects.filter(municipality=city).count() == 4
    assert Observation.objects.filter(municipality=city).count() == 9
