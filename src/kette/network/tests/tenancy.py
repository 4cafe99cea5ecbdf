"""The network app's part of the cross-tenant harness (see kette.testing.tenancy)."""

from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import BodyKind, CooperationKind, Level
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_network(world):
    # A person's contact details are for A's own coordinator, editor and viewer only.
    sectors = services.sectors_ensure_defaults(world.a)
    youth = OrganizationFactory(municipality=world.a, name="Jugendamt Altstadt")
    health = OrganizationFactory(municipality=world.a, name="Gesundheitsamt Altstadt")
    services.organization_set_sector(actor=None, organization=youth, sector=sectors[0])
    person = services.person_create(
        actor=None,
        municipality=world.a,
        name=f"Frau {world.secret}",
        function="Amtsleitung",
        organization=youth,
        level=Level.LEADERSHIP,
        email=f"{world.secret.lower()}@example.org",
        phone=f"0221 {world.secret}",
    )
    body = services.body_create(
        actor=None,
        municipality=world.a,
        name="Lenkungskreis Altstadt",
        kind=BodyKind.STEERING_GROUP,
    )
    membership = services.body_membership_add(actor=None, body=body, person=person)
    tie = services.cooperation_create(
        actor=None,
        organization_a=youth,
        organization_b=health,
        kind=CooperationKind.AGREEMENT,
        note=world.secret,
    )
    world.objects["network_person"] = person
    world.objects["network_body"] = body
    world.objects["network_membership"] = membership
    world.objects["network_cooperation"] = tie
    world.objects["network_sector"] = sectors[-1]


register_kwarg("body_pk", lambda world: world.objects["network_body"].pk)
register_kwarg("body_membership_pk", lambda world: world.objects["network_membership"].pk)
register_kwarg("person_pk", lambda world: world.objects["network_person"].pk)
register_kwarg("cooperation_pk", lambda world: world.objects["network_cooperation"].pk)
register_kwarg("sector_pk", lambda world: world.objects["network_sector"].pk)


register_seeder(seed_network)
