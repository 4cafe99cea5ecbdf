"""Change history at controlled times for tests: what a stretch of code writes is
recorded as having happened at a given moment (simple-history's `history_date`,
and the offers' `created_at`), so selectors that read the state on a past date
can be tested against real history records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone

from kette.core import audit
from kette.directory.models import Service


@dataclass(frozen=True)
class Mark:
    time: dt.datetime
    services_before: frozenset[int]


def mark() -> Mark:
    """Where a stretch of writes begins (see `redate`)."""
    return Mark(timezone.now(), frozenset(Service.objects.values_list("pk", flat=True)))


def redate(since: Mark, moment: dt.datetime) -> None:
    """Date every history record of an audited model written since `since`, and the
    creation of every offer created since, `moment`. Instances held in memory keep
    their old `created_at`: refresh them before saving them again."""
    for entry in audit.registered():
        history = entry.model.history.model  # type: ignore[attr-defined]
        history.objects.filter(history_date__gte=since.time).update(history_date=moment)
    new = Service.objects.exclude(pk__in=since.services_before)
    new_ids = list(new.values_list("pk", flat=True))
    new.update(created_at=moment, updated_at=moment)
    Service.history.filter(id__in=new_ids).update(created_at=moment)


@contextmanager
def happened_at(moment: dt.datetime) -> Iterator[None]:
    """What the block writes happened at `moment` (`mark` and `redate`)."""
    since = mark()
    yield
    redate(since, moment)
