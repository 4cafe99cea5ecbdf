"""The directory's part of the cross-tenant harness (see kette.testing.tenancy)."""

# --- bulk import/export and freshness reminders (dirimport) -----------------
from kette.directory import services as _directory_services
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_directory_bulk(world):
    # A draft offer of A: its name may appear only to A's people (it would show
    # up in an export of A's offers).
    organization = _directory_services.organization_create(
        actor=None, municipality=world.a, name="Träger A"
    )
    world.objects["bulk_draft_service"] = _directory_services.service_create(
        actor=None, organization=organization, name=f"Entwurf {world.secret}"
    )


register_seeder(seed_directory_bulk)
# Tokens are signed; an outsider only ever holds an invalid one.
register_kwarg("upload_token", lambda world: "ungueltig")
register_kwarg("reminder_token", lambda world: "ungueltig")
# --- end of bulk import/export and freshness reminders ----------------------
