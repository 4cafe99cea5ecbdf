"""Registry of audited tenant models and reading of their change history.

Each app registers its municipality-owned models with django-simple-history
records here (in AppConfig.ready); the coordinator's change log then covers
them without knowing the apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class AuditedModel:
    model: type[models.Model]
    # Field of the historical row that holds the municipality's id.
    municipality_field: str

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def history_for(self, municipality_id: int) -> models.QuerySet[Any]:
        history = self.model.history.model  # type: ignore[attr-defined]
        return history.objects.filter(**{self.municipality_field: municipality_id})


_registry: dict[str, AuditedModel] = {}


def register(model: type[models.Model], *, municipality_field: str = "municipality_id") -> None:
    """Make `model`'s history part of its municipality's change log."""
    entry = AuditedModel(model, municipality_field)
    _registry[entry.key] = entry


def registered() -> list[AuditedModel]:
    return list(_registry.values())


def get(key: str) -> AuditedModel | None:
    return _registry.get(key)
