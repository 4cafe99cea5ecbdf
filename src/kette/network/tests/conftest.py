"""Fixtures shared by the network app's tests."""

import pytest

from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import BodyKind, CooperationKind, Level


@pytest.fixture
def structure(world):
    m = world.a
    sectors = {s.code: s for s in services.sectors_ensure_defaults(m)}
    youth = OrganizationFactory(municipality=m, name="Jugendamt")
    health = OrganizationFactory(municipality=m, name="Gesundheitsamt")
    school = OrganizationFactory(municipality=m, name="Grundschule Nord")
    services.organization_set_sector(actor=None, organization=youth, sector=sectors["jugendhilfe"])
    services.organization_set_sector(actor=None, organization=health, sector=sectors["gesundheit"])
    services.organization_set_sector(actor=None, organization=school, sector=sectors["bildung"])
    steering = services.body_create(
        actor=None, municipality=m, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    wg = services.body_create(
        actor=None,
        municipality=m,
        name="AG Frühe Kindheit",
        kind=BodyKind.WORKING_GROUP,
        parent=steering,
    )
    head = services.person_create(
        actor=None,
        municipality=m,
        name="Erika Beispiel",
        function="Amtsleitung Jugendamt",
        organization=youth,
        level=Level.LEADERSHIP,
        email="erika@example.org",
        phone="0221 12345",
    )
    services.body_membership_add(actor=None, body=steering, person=head)
    services.body_membership_add(
        actor=None, body=steering, organization=health, level=Level.LEADERSHIP
    )
    services.body_membership_add(actor=None, body=wg, organization=school)
    services.cooperation_create(
        actor=None, organization_a=youth, organization_b=health, kind=CooperationKind.AGREEMENT
    )
    services.cooperation_create(
        actor=None, organization_a=youth, organization_b=school, kind=CooperationKind.INFORMAL
    )
    return {"steering": steering, "wg": wg, "youth": youth, "health": health, "school": school}
