"""Options shared by the directory's import commands."""

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kette.core.models import Municipality, User


def municipality_and_actor(options: dict[str, Any]) -> tuple[Municipality, User | None]:
    """The municipality of `--municipality` and the user of `--user` (None without
    it), or a German CommandError."""
    municipality = Municipality.objects.filter(slug=options["municipality"]).first()
    if municipality is None:
        raise CommandError(
            _("There is no municipality “%(slug)s”.") % {"slug": options["municipality"]}
        )
    actor = None
    if options.get("user"):
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(_("There is no user “%(name)s”.") % {"name": options["user"]})
    return municipality, actor
