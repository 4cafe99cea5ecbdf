"""A full offer with every field kette models, for the HSDS tests (export, API, import)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kette.core.models import District
from kette.directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    LocationFeature,
    Phone,
    Schedule,
    ScheduleKind,
    ServiceArea,
    ServiceAtLocation,
    ServiceTerm,
    TaxonomyTerm,
)
from kette.directory.tests.factories import OrganizationFactory, ServiceFactory
from kette.testing import factories


def full_offer(**municipality_fields):
    municipality = factories.MunicipalityFactory(
        **({"official_key": "05315000", "name": "Köln"} | municipality_fields)
    )
    district = District.objects.create(
        municipality=municipality,
        code="04",
        name="Ehrenfeld",
        boundary={
            "type": "Polygon",
            "coordinates": [[[6.9, 50.9], [6.95, 50.9], [6.95, 50.95], [6.9, 50.9]]],
        },
    )
    organization = OrganizationFactory(
        municipality=municipality,
        name="Familienzentrum Ehrenfeld e. V.",
        alternate_name="FZE",
        description="Träger der Familienbildung",
        email="info@fze.example.org",
        website="https://fze.example.org/",
        legal_status="eingetragener Verein",
    )
    verifier = factories.UserFactory(email="koordination@stadt.example.org")
    service = ServiceFactory(
        organization=organization,
        name="Babytreff",
        alternate_name="Krabbelgruppe",
        description="Offener Treff für Eltern mit Babys.",
        url="https://fze.example.org/babytreff",
        email="babytreff@fze.example.org",
        min_age_months=-9,
        max_age_months=18,
        eligibility_description="Eltern mit Kindern bis 18 Monate",
        application_process="Einfach vorbeikommen.",
        is_free=False,
        fees_description="2 € pro Treffen",
        last_verified_at=timezone.now(),
        last_verified_by=verifier,
    )
    location = Location.objects.create(
        municipality=municipality,
        organization=organization,
        name="Familienzentrum",
        alternate_name="FZ",
        description="Erdgeschoss",
        transportation="Linie 13, Haltestelle Venloer Straße",
        url="https://fze.example.org/anfahrt",
        address_1="Venloer Straße 1",
        address_2="Hinterhaus",
        postal_code="50823",
        city="Köln",
        latitude=Decimal("50.947000"),
        longitude=Decimal("6.921000"),
        district=district,
        accessibility_description="Stufenloser Zugang über den Hof",
    )
    feature = TaxonomyTerm.objects.filter(taxonomy__slug="barrierefreiheit").first()
    LocationFeature.objects.create(municipality=municipality, location=location, term=feature)
    link = ServiceAtLocation.objects.create(
        municipality=municipality, service=service, location=location, description="im Café"
    )
    for term in TaxonomyTerm.objects.filter(taxonomy__slug="handlungsfelder")[:2]:
        ServiceTerm.objects.create(municipality=municipality, service=service, term=term)
    Schedule.objects.create(
        municipality=municipality,
        service=service,
        weekday=3,
        opens_at=dt.time(9, 30),
        closes_at=dt.time(11),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        description="mittwochs",
        notes="nicht in den Ferien",
    )
    Schedule.objects.create(
        municipality=municipality,
        service_at_location=link,
        kind=ScheduleKind.SESSION,
        dtstart=dt.date(2026, 3, 4),
        opens_at=dt.time(15),
        closes_at=dt.time(17),
    )
    Schedule.objects.create(municipality=municipality, location=location, weekday=1)
    Phone.objects.create(
        municipality=municipality, service=service, number="0221 123456", extension="12"
    )
    Phone.objects.create(
        municipality=municipality,
        location=location,
        number="0221 654321",
        extension="Zentrale",
        type="fax",
    )
    Phone.objects.create(municipality=municipality, organization=organization, number="0221 1")
    contact = Contact.objects.create(
        municipality=municipality,
        service=service,
        name="Erika Beispiel",
        title="Leitung",
        department="Familienbildung",
        email="e.beispiel@fze.example.org",
    )
    Phone.objects.create(municipality=municipality, contact=contact, number="0221 999", type="cell")
    Contact.objects.create(municipality=municipality, location=location, name="Hausmeister")
    Contact.objects.create(
        municipality=municipality, organization=organization, name="Geschäftsführung"
    )
    Language.objects.create(municipality=municipality, service=service, code="de", name="Deutsch")
    Language.objects.create(
        municipality=municipality, service=service, code="tr", name="Türkisch", note="dienstags"
    )
    Language.objects.create(municipality=municipality, location=location, code="ar")
    CostOption.objects.create(
        municipality=municipality,
        service=service,
        option="pro Treffen",
        amount=Decimal("2.50"),
        amount_description="Geschwister frei",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    ServiceArea.objects.create(
        municipality=municipality, service=service, district=district, description="Ehrenfeld"
    )
    ServiceArea.objects.create(municipality=municipality, service=service)
    return service


def assert_no_empty_values(value, path="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "description":  # required on organization, taxonomy(_term)
                assert item not in (None, "", []), f"{path}.{key} is empty"
            assert_no_empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_no_empty_values(item, f"{path}[{i}]")
    else:
        assert value is not None, path
