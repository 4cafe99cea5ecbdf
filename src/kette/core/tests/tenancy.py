"""The core app's part of the cross-tenant harness (see kette.testing.tenancy)."""

from kette.core.models import Membership, Role
from kette.testing import factories
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_core(world):
    # A's people are internal: their names may appear only to A's coordinator.
    member = factories.user_with_role(
        Role.EDITOR, world.a, username="secret-editor-a", last_name=world.secret
    )
    world.objects["membership"] = Membership.objects.get(user=member, municipality=world.a)


register_seeder(seed_core)
register_kwarg("municipality_slug", lambda world: world.a.slug)
register_kwarg("membership_pk", lambda world: world.objects["membership"].pk)
register_kwarg("model_key", lambda world: "core.membership")
register_kwarg("object_id", lambda world: world.objects["membership"].pk)
register_kwarg("language", lambda world: "en")
register_kwarg("uidb64", lambda world: "MQ")
register_kwarg("token", lambda world: "set-password")
# Django admin patterns
register_kwarg("app_label", lambda world: "core")
register_kwarg("url", lambda world: "core/membership/")
register_kwarg("content_type_id", lambda world: 1)
register_kwarg("id", lambda world: world.objects["membership"].user_id)
