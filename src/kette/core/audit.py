"""Registry of audited tenant models and reading of their change history.

Each app registers its municipality-owned models with django-simple-history
records here (in AppConfig.ready); the coordinator's change log then covers
them without knowing the apps.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.expressions import DatabaseDefault
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
        for index, instance in enumerate(objects):
            try:
                clean_fields_quickly(instance)
                instance.clean()
            except ValidationError as error:
                raise BulkValidationError(index, error) from error
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    # What save() would store, except for the times of creation and change,
    # which `insert_rows` sets to one time for all.
    stamped = [f.attname for f in fields if _is_timestamp(f)]
    rows = _pre_saved_rows(objects, [f for f in fields if not _is_timestamp(f)], add=True)
    keys = audited_insert(model, rows, actor=actor, reason=reason)
    for instance, key, row in zip(objects, keys, rows, strict=True):
        for name in stamped:
            setattr(instance, name, row[name])
        instance.pk = key
        instance._state.adding = False
        instance._state.db = "default"
    return list(objects)


# The types whose values `Field.to_python` returns unchanged, per field class.
_EXACT_TYPES: list[tuple[type[models.Field[Any, Any]], tuple[type, ...]]] = [
    (models.BooleanField, (bool,)),
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.IntegerField, (int,)),
    (models.DecimalField, (Decimal,)),
    (models.FloatField, (float,)),
    (models.DateTimeField, (dt.datetime,)),
    (models.DateField, (dt.date,)),
    (models.TimeField, (dt.time,)),
    (models.UUIDField, (uuid.UUID,)),
]
_quick_checks: dict[type[models.Model], list[tuple[Any, Callable[[Any], bool]]]] = {}


def clean_fields_quickly(instance: models.Model) -> None:
    """`instance.clean_fields()` with relations excluded (their tenancy is the
    services' to check, their existence the database's): the same verdicts,
    conversions and messages, but a value of the field's own type that passes
    its length, choices and validators skips `Field.clean`, which dominates the
    cost of checking the rows of a bulk import."""
    errors: dict[str, list[ValidationError]] = {}
    values = instance.__dict__  # past the fields' descriptors (a call per field and row)
    for f, attname, blank, quick in _field_checks_of(type(instance)):
        value = values[attname] if attname in values else getattr(instance, attname)
        if value is None or value == "":  # most fields of a new row (no list scans)
            if blank:
                continue
        elif quick(value) or (blank and value in f.empty_values):
            continue
        if isinstance(value, DatabaseDefault):
            continue
        try:
            setattr(instance, f.attname, f.clean(value, instance))
        except ValidationError as error:
            errors[f.name] = error.error_list
    if errors:
        raise ValidationError(errors)


@functools.cache
def _field_checks_of(
    model: type[models.Model],
) -> list[tuple[Any, str, bool, Callable[[Any], bool]]]:
    """(field, attname, blank, quick check) of each field `clean_fields_quickly` checks."""
    return [(f, f.attname, f.blank, quick) for f, quick in _quick_checks_of(model)]


def _quick_checks_of(model: type[models.Model]) -> list[tuple[Any, Callable[[Any], bool]]]:
    if model not in _quick_checks:
        _quick_checks[model] = [
            (f, _quick_check(f))
            for f in model._meta.concrete_fields
            if not f.is_relation and not f.primary_key and not f.generated
        ]
    return _quick_checks[model]


def audited_insert_checked(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, actor: Any, reason: str = ""
) -> list[Any]:
    """`audited_bulk_create` for plain rows ({attname: value}) instead of model
    instances: each row checked as `audited_save` would (an instance is built
    only for a row the quick checks don't pass, or for a model with its own
    `clean()`), then `audited_insert`. Raises `BulkValidationError` with the
    index of the first invalid row; writes nothing then."""
    bulk.complete_rows(model, rows)
    checks = _quick_checks_of(model)
    plain_clean = model.clean is models.Model.clean
    for index, row in enumerate(rows):
        if plain_clean and all(
            quick(row[f.attname]) or (f.blank and row[f.attname] in f.empty_values)
            for f, quick in checks
        ):
            continue
        instance = model(**row)
        try:
            clean_fields_quickly(instance)
            instance.clean()
        except ValidationError as error:
            raise BulkValidationError(index, error) from error
        row.update({f.attname: getattr(instance, f.attname) for f, _quick in checks})
    return audited_insert(model, rows, actor=actor, reason=reason)


def _quick_check(field: models.Field[Any, Any]) -> Callable[[Any], bool]:
    """True only for a value `field.clean` would return unchanged and without
    error; False sends the value to `field.clean`, which decides."""
    kind = type(field)
    exact = next((types for base, types in _EXACT_TYPES if issubclass(kind, base)), None)
    standard = (
        kind.clean is models.Field.clean
        and kind.validate is models.Field.validate
        and kind.run_validators is models.Field.run_validators
    )
    if exact is None or not standard:
        return lambda value: False
    empty = field.empty_values
    choices = {key for key, _label in field.flatchoices} if field.choices is not None else None
    length = field.max_length if isinstance(field, models.CharField) else None
    others = [
        _quick_validator(v)
        for v in field.validators
        if not isinstance(v, validators.MaxLengthValidator)
    ]
    editable, is_str = field.editable, exact == (str,)
    date_only = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    # texts that passed the validators (which are pure; numbers are left out:
    # Decimal("7") == Decimal("7.0000000"), but only one has too many places)
    valid: set[str] = set()

    # the field's empty values, if they are not Django's usual ones (which no value
    # of an exact type other than None and "" equals)
    unusual = None if list(empty) == list(validators.EMPTY_VALUES) else empty

    def check(value: Any) -> bool:
        if value is None or value == "" or (unusual is not None and value in unusual):
            return False  # blank or not: clean_fields' own rules
        if date_only:  # a datetime is a date too, which DateField converts
            if type(value) is not dt.date:
                return False
        elif not isinstance(value, exact) or (exact == (int,) and type(value) is bool):
            return False
        if editable and choices is not None and value not in choices:
            return False
        if is_str and length is not None and len(value) > length:
            return False
        if not others:
            return True
        if is_str and value in valid:  # the rows of an import share addresses, links, …
            return True
        try:
            for validator in others:
                validator(value)
        except Exception:  # e.g. NaN compared: Django gives the verdict
            return False
        if is_str:
            if len(valid) >= 4096:
                valid.clear()
            valid.add(value)
        return True

    return check


def _quick_validator(validator: Callable[[Any], None]) -> Callable[[Any], None]:
    """`validator`, or for a plain lower or upper bound the same comparison
    without building the message's parameters for every value (ages and
    coordinates: a tenth of checking a new offer and its place)."""
    kind = type(validator)
    if kind not in (validators.MinValueValidator, validators.MaxValueValidator):
        return validator
    limit = validator.limit_value  # type: ignore[attr-defined]
    if callable(limit):
        return validator

    if kind is validators.MinValueValidator:

        def at_least(value: Any) -> None:
            if value < limit:
                validator(value)  # raises, with Django's message

        return at_least

    def at_most(value: Any) -> None:
        if value > limit:
            validator(value)

    return at_most


def _is_timestamp(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def audited_insert(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, actor: Any, reason: str = ""
) -> list[Any]:
    """Insert plain rows ({attname: value}, checked by the caller) with one history
    record each; see `kette.core.bulk.insert_rows`. Returns the primary keys."""
    keys = bulk.insert_rows(model, rows)
    pk_name = model._meta.pk.attname
    for key, row in zip(keys, rows, strict=True):
        row[pk_name] = key
    _copy_history(model, keys, kind="+", actor=actor, reason=reason)
    return keys


def _copy_history(
    model: type[models.Model], keys: Sequence[Any], *, kind: str, actor: Any, reason: str
) -> None:
    """Record the history of rows just written, copied by the database from the
    rows themselves (`INSERT … SELECT`, per run of consecutive keys or per chunk
    of keys): one record per row, with what
    the row now holds, without sending every value back and forth."""
    if not keys:
        return
    history = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    columns = {f.attname: f.column for f in history._meta.concrete_fields}
    tracked = history.tracked_fields
    extra = ["history_date", "history_type", "history_change_reason", "history_user_id"]
    target = ", ".join(quote(columns[f.attname]) for f in tracked)
    target += ", " + ", ".join(quote(columns[name]) for name in extra)
    source = ", ".join(quote(f.column) for f in tracked)
    key = quote(model._meta.pk.column)
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({target}) "  # noqa: S608 (no user input)
        f"SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE "
    )
    when = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    constants = [when, kind, reason or None, getattr(actor, "pk", None)]
    pk = model._meta.pk
    if not all(type(k) is int for k in keys):  # integer ids go as they are
        keys = [pk.get_db_prep_value(k, connection) for k in keys]
    with connection.cursor() as cursor:
        for condition, params in _key_conditions(key, keys):
            cursor.execute(f"{head}{condition} ORDER BY {key}", [*constants, *params])


def _key_conditions(key: str, keys: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """SQL conditions selecting exactly `keys`: a range per run of at least 100
    consecutive integers (rows inserted together), IN lists for the rest."""
    rest: list[Any] = []
    if all(isinstance(k, int) for k in keys):
        ordered = sorted(set(keys))
        start = 0
        for end in range(1, len(ordered) + 1):
            if end == len(ordered) or ordered[end] != ordered[end - 1] + 1:
                run = ordered[start:end]
                if len(run) >= 100:
                    yield f"{key} BETWEEN %s AND %s", [run[0], run[-1]]
                else:
                    rest += run
                start = end
    else:
        rest = list(keys)
    for begin in range(0, len(rest), 500):
        chunk = rest[begin : begin + 500]
        yield f"{key} IN ({', '.join(['%s'] * len(chunk))})", chunk


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
    fields = model._meta.concrete_fields
    changed_at = [f.attname for f in fields if getattr(f, "auto_now", False)]
    now = timezone.now()  # one time for all rows, as `insert_rows` does
    rows = _pre_saved_rows(objects, [f for f in fields if f.attname not in changed_at], add=False)
    for instance, row in zip(objects, rows, strict=True):
        for name in changed_at:
            setattr(instance, name, now)
            row[name] = now
    bulk.update_rows(model, rows, keep=keep)
    pk = model._meta.pk.attname
    _copy_history(model, [row[pk] for row in rows], kind="~", actor=actor, reason=reason)


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


def audited_delete(instance: Any, *, actor: Any, reason: str = "") -> None:
    """Delete `instance`, recording `actor` (and an optional reason) in its history."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.delete()


def rows_as_of(
    model: type[models.Model], moment: dt.datetime, fields: Sequence[str], **filters: Any
) -> list[tuple[Any, ...]]:
    """The rows of an audited `model` as they were at `moment`, read from its
    history (simple-history's `as_of`): per id the latest record up to `moment`,
    none for an id whose latest record then is its deletion; as tuples of `fields`
    (names of the historical model's fields, e.g. "id", "municipality_id"),
    restricted by `filters` on the historical records (e.g. the municipality).
    Rows written without a history record (raw SQL, data migrations) are missing."""
    records = (
        model.history.filter(history_date__lte=moment, **filters)  # type: ignore[attr-defined]
        .latest_of_each()
        .order_by("history_date", "history_id")
        .values_list("id", "history_type", *fields)
    )
    # Two records of one id at the same instant: the later one wins.
    latest = {row[0]: row for row in records}
    return [row[2:] for row in latest.values() if row[1] != "-"]
