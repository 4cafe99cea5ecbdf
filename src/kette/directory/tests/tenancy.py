"""The directory's part of the cross-tenant harness (see kette.testing.tenancy)."""

from kette.directory import services
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_directory(world):
    # A draft offer is internal: its name may appear only to A's people (also
    # not in an export of A's offers).
    organization = services.organization_create(actor=None, municipality=world.a, name="Träger A")
    world.objects["service"] = services.service_create(
        actor=None,
        organization=organization,
        name=f"Entwurf {world.secret}",
        description=world.secret,
    )


register_seeder(seed_directory)
register_kwarg("service_pk", lambda world: world.objects["service"].pk)
# Upload and reminder tokens are signed; an outsider only ever holds an invalid one.
register_kwarg("upload_token", lambda world: "ungueltig")
register_kwarg("reminder_token", lambda world: "ungueltig")
