"""Options and output shared by the directory's import commands."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar of `total` offers on the command line (gone when done);
    yields the callback that advances it by n. Off when the output is no
    terminal (a file, a pipe): it would leave only blank lines there."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(_("Importing"), total=total)
        yield lambda n: progress.advance(task, n)
