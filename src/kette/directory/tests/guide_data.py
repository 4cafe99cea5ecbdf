"""A small published corpus for the family guide's tests (made through the services,
so offers are indexed)."""

import datetime as dt
from decimal import Decimal

from kette.core.models import District
from kette.directory import services
from kette.directory.models import ServiceStatus, TaxonomyTerm

SECRET_DRAFT = "Geheimer Entwurf Familienfest"


def term(code):
    return TaxonomyTerm.objects.get(code=code, municipality=None)


def make_guide_corpus(world):
    # Transactional tests (the browser test) may run after a flush that removed
    # the defaults the migrations installed.
    services.taxonomy_ensure_defaults()
    a = world.a
    north = District.objects.create(
        municipality=a,
        code="1",
        name="Nordviertel",
        boundary={
            "type": "Polygon",
            "coordinates": [[[6.9, 50.95], [7.0, 50.95], [7.0, 51.0], [6.9, 51.0], [6.9, 50.95]]],
        },
    )
    south = District.objects.create(municipality=a, code="2", name="Südstadt")
    caritas = services.organization_create(actor=None, municipality=a, name="Caritasverband")
    diakonie = services.organization_create(actor=None, municipality=a, name="Diakonie")
    house_north = services.location_create(
        actor=None,
        municipality=a,
        name="Haus Nord",
        address_1="Lindenweg 3",
        postal_code="50667",
        city="Köln",
        latitude=Decimal("50.975"),
        longitude=Decimal("6.95"),
        district=north,
        accessibility=[term("stufenlos")],
    )
    house_south = services.location_create(
        actor=None,
        municipality=a,
        name="Haus Süd",
        address_1="Ulmenweg 8",
        postal_code="50678",
        city="Köln",
        latitude=Decimal("50.90"),
        longitude=Decimal("6.96"),
        district=south,
    )
    published = ServiceStatus.PUBLISHED
    counselling = services.service_create(
        actor=None,
        organization=caritas,
        name="Familienberatung Nord",
        description="Beratung für Familien mit kleinen Kindern",
        status=published,
        min_age_months=0,
        max_age_months=72,
        terms=[term("beratung")],
        languages=["de", "tr"],
        is_free=True,
        email="beratung@example.org",
    )
    link = services.service_add_location(actor=None, service=counselling, location=house_north)
    services.schedule_add(
        actor=None,
        service_at_location=link,
        weekday=1,
        opens_at=dt.time(9, 0),
        closes_at=dt.time(12, 0),
    )
    services.phone_add(actor=None, service=counselling, number="0221 123456")
    services.contact_add(
        actor=None,
        service=counselling,
        name="Erika Privat",
        email="erika.privat@example.org",
    )
    mothers = services.service_create(
        actor=None,
        organization=diakonie,
        name="Mütterzentrum Süd",
        description="Treffpunkt für Mütter und Väter mit Babys",
        status=published,
        min_age_months=0,
        max_age_months=36,
        terms=[term("erziehung-familie")],
    )
    services.service_add_location(actor=None, service=mothers, location=house_south)
    services.schedule_add(actor=None, service=mothers, weekday=3)
    football = services.service_create(
        actor=None,
        organization=caritas,
        name="Straßenfußball",
        description="Fußball auf der Straße für Jugendliche",
        status=published,
        min_age_months=120,
        max_age_months=216,
        terms=[term("bewegung")],
        is_free=True,
    )
    services.service_add_location(actor=None, service=football, location=house_south)
    draft = services.service_create(
        actor=None, organization=caritas, name=SECRET_DRAFT, description="Familie Beratung"
    )
    services.service_add_location(actor=None, service=draft, location=house_north)
    org_b = services.organization_create(actor=None, municipality=world.b, name="Träger B")
    other = services.service_create(
        actor=None,
        organization=org_b,
        name="Familientreff Bergdorf",
        description="Beratung für Familien",
        status=published,
    )
    return {
        "north": north,
        "south": south,
        "counselling": counselling,
        "mothers": mothers,
        "football": football,
        "draft": draft,
        "other": other,
    }
