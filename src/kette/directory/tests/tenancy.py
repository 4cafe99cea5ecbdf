"""The directory's part of the cross-tenant harness (see kette.testing.tenancy)."""

from kette.directory import review, services
from kette.directory.models import Taxonomy
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_directory(world):
    # A draft offer is internal: its name may appear only to A's people (also
    # not in an export of A's offers).
    # An organisation without published offers is internal: its description is
    # for A's people only (the public API lists only providers of published offers).
    organization = services.organization_create(
        actor=None, municipality=world.a, name="Träger A", description=world.secret
    )
    world.objects["organization"] = organization
    # A's own vocabulary term (public in A's guide filters, so not secret itself).
    world.objects["term"] = services.taxonomy_term_create(
        actor=None,
        municipality=world.a,
        taxonomy=Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION),
        name="Eigenes Handlungsfeld A",
    )
    world.objects["service"] = services.service_create(
        actor=None,
        organization=organization,
        name=f"Entwurf {world.secret}",
        description=world.secret,
    )


def seed_review(world):
    # A provider's proposed change of a published offer of A, for A's reviewers only.
    organization = services.organization_create(
        actor=None, municipality=world.a, name="Träger mit Vorschlag A"
    )
    published = services.service_create(
        actor=None,
        organization=organization,
        name="Veröffentlicht A",
        status="published",
    )
    world.objects["change"] = review.offer_change_propose(
        actor=None, service=published, name=f"Vorschlag {world.secret}"
    )


register_seeder(seed_directory)
register_seeder(seed_review)
register_kwarg("service_pk", lambda world: world.objects["service"].pk)
register_kwarg("organization_pk", lambda world: world.objects["organization"].pk)
register_kwarg("term_pk", lambda world: world.objects["term"].pk)
register_kwarg("change_pk", lambda world: world.objects["change"].pk)
# Upload and reminder tokens are signed; an outsider only ever holds an invalid one.
register_kwarg("upload_token", lambda world: "ungueltig")
register_kwarg("reminder_token", lambda world: "ungueltig")


# --- Public family guide (kette.directory.public_urls) ---------------------------
# The guide's patterns use only `municipality_slug` and `service_pk` (registered
# above). A published offer of A is public, but its professional contact person
# is not: the secret in the contact must never reach the guide's list or JSON.


def seed_guide(world):
    organization = services.organization_create(
        actor=None, municipality=world.a, name="Träger Wegweiser A"
    )
    published = services.service_create(
        actor=None,
        organization=organization,
        name="Öffentliches Angebot A",
        status="published",
    )
    services.contact_add(
        actor=None, service=published, name=f"Fachkraft {world.secret}", email="a@example.org"
    )


register_seeder(seed_guide)


# --- Public HSDS API (/api/hsds/…, kette.directory.api) -------------------------
# Its detail patterns use `hsds_id` (an HSDS UUID; the specification calls it
# `id`). The harness asks for A's draft offer: it must answer 404 for every
# endpoint, and no list may show the draft's name or the guide's contact.
register_kwarg("hsds_id", lambda world: world.objects["service"].id_hsds)
