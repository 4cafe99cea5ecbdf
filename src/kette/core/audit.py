"""Registry of audited tenant models and reading of their change history.

Each app registers its municipality-owned models with django-simple-history
records here (in AppConfig.ready); the coordinator's change log then covers
them without knowing the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class AuditedModel:
    model: type[models.Model]
    # Field of the historical row that holds the municipality's id.
    municipality_field: str
    # Related rows the label needs, fetched with the history (avoids N+1).
    related: tuple[str, ...] = ()
    label: Callable[[Any], str] | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def history_for(self, municipality_id: int) -> models.QuerySet[Any]:
        history = self.model.history.model  # type: ignore[attr-defined]
        return history.objects.filter(**{self.municipality_field: municipality_id}).select_related(
            "history_user", *self.related
        )

    def label_of(self, record: Any) -> str:
        """A readable name for the object a historical record belongs to."""
        if self.label is not None:
            return self.label(record)
        return str(record.instance)


_registry: dict[str, AuditedModel] = {}


def register(
    model: type[models.Model],
    *,
    municipality_field: str = "municipality_id",
    related: tuple[str, ...] = (),
    label: Callable[[Any], str] | None = None,
) -> None:
    """Make `model`'s history part of its municipality's change log.

    `label(record)` names the object from a historical record; by default its
    `__str__`, which must then use only the model's own fields or `related`.
    """
    entry = AuditedModel(model, municipality_field, related, label)
    _registry[entry.key] = entry


def registered() -> list[AuditedModel]:
    return list(_registry.values())


def get(key: str) -> AuditedModel | None:
    return _registry.get(key)


def audited_save(instance: Any, *, actor: Any, reason: str = "") -> None:
    """Validate and save `instance`, recording `actor` (None: the system) and an
    optional reason in its history. Every app's services write through this."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()


def audited_delete(instance: Any, *, actor: Any) -> None:
    """Delete `instance`, recording `actor` in its history."""
    instance._history_user = actor
    instance.delete()
