"""Registry of audited tenant models and reading of their change history.

Each app registers its municipality-owned models with django-simple-history
records here (in AppConfig.ready); the coordinator's change log then covers
them without knowing the apps.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kette.core import bulk

M = TypeVar("M", bound=models.Model)


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


class BulkValidationError(ValidationError):
    """`audited_bulk_create` refused the object at `index` of the list it got."""

    def __init__(self, index: int, error: ValidationError) -> None:
        self.index = index
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.error_list)


def audited_bulk_create(
    objects: Sequence[M], *, actor: Any, reason: str = "", validate: bool = True
) -> list[M]:
    """Validate and insert many new rows of one model with one history record each,
    as `audited_save` would, in a few statements instead of a few per row (bulk
    imports). Validation covers fields and the model's `clean()`; foreign keys,
    uniqueness and check constraints are left to the database, so call it inside
    the caller's transaction. Raises `BulkValidationError` for the first invalid
    object and writes nothing then. Returns the objects with their primary keys."""
    if not objects:
        return []
    model = type(objects[0])
    if validate:
        relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
        for index, instance in enumerate(objects):
            try:
                instance.clean_fields(exclude=relations)
                instance.clean()
            except ValidationError as error:
                raise BulkValidationError(index, error) from error
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = _pre_saved_rows(objects, fields, add=True)
    keys = audited_insert(model, rows, actor=actor, reason=reason)
    for instance, key in zip(objects, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
        instance._state.db = "default"
    return list(objects)


def audited_insert(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, actor: Any, reason: str = ""
) -> list[Any]:
    """Insert plain rows ({attname: value}, checked by the caller) with one history
    record each; see `kette.core.bulk.insert_rows`. Returns the primary keys."""
    keys = bulk.insert_rows(model, rows)
    pk_name = model._meta.pk.attname
    for key, row in zip(keys, rows, strict=True):
        row[pk_name] = key
    _record_history(model, rows, kind="+", actor=actor, reason=reason)
    return keys


def audited_bulk_update(
    objects: Sequence[models.Model], *, actor: Any, reason: str = "", keep: Collection[str] = ()
) -> None:
    """Write many existing rows of one model (checked by the caller) with one
    history record each ("changed"), as `audited_save` would, in one `executemany`
    (bulk imports). Every column is written but those named in `keep` (attnames
    of derived columns the caller rewrites itself); `auto_now` fields get the time."""
    if not objects:
        return
    model = type(objects[0])
    rows = _pre_saved_rows(objects, model._meta.concrete_fields, add=False)
    bulk.update_rows(model, rows, keep=keep)
    _record_history(model, rows, kind="~", actor=actor, reason=reason)


def _pre_saved_rows(
    objects: Sequence[models.Model], fields: Sequence[models.Field[Any, Any]], *, add: bool
) -> list[dict[str, Any]]:
    """Per object {attname: what save() would store} (`Field.pre_save`, e.g. the
    time of creation). Most fields store their attribute as it is: those are
    read from the instance's dict, without a call per field and row."""
    plain = [f.attname for f in fields if type(f).pre_save is models.Field.pre_save]
    special = [f for f in fields if type(f).pre_save is not models.Field.pre_save]
    rows = []
    for instance in objects:
        values = instance.__dict__
        try:
            row = {name: values[name] for name in plain}
        except KeyError:  # a deferred field: loaded as getattr() would
            row = {name: getattr(instance, name) for name in plain}
        for special_field in special:
            row[special_field.attname] = special_field.pre_save(instance, add)
        rows.append(row)
    return rows


def _record_history(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    kind: str,
    actor: Any,
    reason: str,
) -> None:
    history = model.history.model  # type: ignore[attr-defined]
    tracked = [field.attname for field in history.tracked_fields]
    now = timezone.now()
    user_id = getattr(actor, "pk", None)
    records = []
    for row in rows:
        record = {name: row[name] for name in tracked}
        record |= {
            "history_date": now,
            "history_type": kind,
            "history_change_reason": reason or None,
            "history_user_id": user_id,
        }
        records.append(record)
    bulk.insert_rows(history, records, returning=False)


def audited_delete(instance: Any, *, actor: Any, reason: str = "") -> None:
    """Delete `instance`, recording `actor` (and an optional reason) in its history."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.delete()
