"""The directory's demo step: OSM facilities of Köln and sample offers."""

import json

import pytest
from django.utils import timezone

from kette.core import audit, datasources
from kette.core.demo import DATA as CORE_DATA
from kette.directory import demo, selectors
from kette.directory.models import ProviderAccess, Service, ServiceStatus
from kette.testing import factories


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Gemeinschafts-Grundschule Moitzfeld", ("6", "10", "Bildung")),
        ("KGS Ossendorf", ("6", "10", "Bildung")),
        ("Bertha-von-Suttner Realschule", ("10", "19", "Bildung")),
        ("Sir-Peter-Ustinow-Gesamtschule", ("10", "19", "Bildung")),
        ("Berufskolleg Ehrenfeld", ("16", "21", "Bildung; Ausbildung und Beruf")),
        ("Lottenschule", ("6", "19", "Bildung")),
    ],
)
def test_schools_get_their_ages_from_their_names(name, expected):
    assert demo.school_profile(name) == expected


def test_facilities_for_the_elderly_are_left_out():
    assert demo.profile("social_facility", "Caritas Altenzentrum St. Marien") is None
    assert demo.profile("social_facility", "Seniorenwohnheim") is None
    assert demo.profile("social_facility", "Kalker Jugendbüro") == (
        "0",
        "27",
        "Beratung; Teilhabe und Armut",
    )
    assert demo.profile("kindergarten", "Bärenkinder") == ("3", "6", "Bildung; Sprache")


@pytest.mark.django_db
def test_the_demo_step_loads_koeln_and_samples_and_is_idempotent():
    programme = factories.ProgrammeFactory()
    outlines = json.loads((CORE_DATA / "programme_nrw_boundaries.geojson").read_text())
    boundary = next(
        f["geometry"] for f in outlines["features"] if f["properties"]["official_key"] == demo.KOELN
    )
    koeln = factories.MunicipalityFactory(
        programme=programme, official_key=demo.KOELN, boundary=boundary
    )
    ahlen = factories.MunicipalityFactory(
        programme=programme, official_key=demo.AHLEN, name="Ahlen"
    )
    factories.MunicipalityFactory(programme=programme, official_key=demo.DINSLAKEN)
    provider = factories.user_with_role("provider", koeln)
    lines = []
    demo.load_directory_demo(lines.append)
    # the demo provider keeps the offers of one organisation (else it sees nothing to edit)
    access = ProviderAccess.objects.get(user=provider)
    assert access.organization.name == demo.PROVIDER_ORGANIZATION
    assert access.organization.services.exists()
    offers = Service.objects.for_municipality(koeln)
    assert 200 < offers.count() < 300  # the named, family-related points inside Köln
    assert not offers.filter(name="").exists()
    assert not offers.exclude(status=ServiceStatus.PUBLISHED).exists()
    kita = offers.get(name="AWO KiTa Schatzinsel")
    assert (kita.min_age_months, kita.max_age_months) == (36, 72)
    assert set(kita.terms.values_list("code", flat=True)) == {"bildung", "sprache"}
    location = kita.service_at_locations.get().location
    assert location.city == "Köln" and location.address_1 == ""
    assert location.latitude is not None
    assert not offers.filter(name__icontains="Altenzentrum").exists()
    stale = selectors.stale_services(koeln)
    assert 0 < stale.count() < offers.count()
    samples = Service.objects.for_municipality(ahlen)
    assert samples.count() == 4
    assert all("Beispielangebot" in s.name and "Beispielangebot" in s.description for s in samples)
    assert any(line.startswith("Köln: ") for line in lines)

    history = sum(entry.model.history.model.objects.count() for entry in audit.registered())
    total = Service.objects.count()
    demo.load_directory_demo(lines.append)
    assert Service.objects.count() == total
    assert ProviderAccess.objects.filter(user=provider).count() == 1
    assert sum(e.model.history.model.objects.count() for e in audit.registered()) == history
    assert f"{offers.count()} unverändert" in " ".join(lines)
    assert kita.last_verified_at <= timezone.now()


def test_the_osm_data_is_attributed():
    source = next(s for s in datasources.registered() if s.key == "koeln_osm_amenities")
    assert source.attribution == "© OpenStreetMap contributors"
    assert "ODbL" in source.licence
