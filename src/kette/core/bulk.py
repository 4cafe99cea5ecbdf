"""Fast inserts of many new rows for bulk imports.

Django's `bulk_create` builds a model instance per row and compiles every value
through the SQL compiler; for imports of 100,000 offers (each with a dozen
linked rows and their history) that alone takes minutes. `insert_rows` takes
plain dicts of attribute names to Python values, fills in the fields' defaults
as `Model()` would, converts only the values that need it (dates, UUIDs,
decimals, JSON) and sends multi-row `INSERT … RETURNING` statements, or one
`executemany` when no keys are needed; `update_rows` writes existing rows over
in one `executemany`. Nothing here validates: callers insert
what they have checked, inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
import sqlite3
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

# Values of these fields are what the database driver takes as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.FloatField,
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch of a bulk import (and
    restore it): the batch builds thousands of objects that stay alive until
    written, and the collector would scan them, and the input, again and again
    (more than half of the time of building a batch of HSDS offers). Reference
    counting still frees everything else; keep batches bounded."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def loaded(queryset: models.QuerySet[Any], attnames: Sequence[str]) -> list[Any]:
    """The rows of `queryset` as model instances holding only `attnames` (the
    other fields deferred: read on access, as with `only`), built from
    `values_list` without `Model.__init__`: about 2.5× faster than `only` or
    `defer` for thousands of rows (5,940 districts: 20 against 47 ms), for
    reads that build many instances to hand them on. With `pre_init` or
    `post_init` listeners on the model, `only` as usual."""
    model: type[models.Model] = queryset.model
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return list(queryset.only(*attnames))
    db = queryset.db
    rows = []
    for values in queryset.values_list(*attnames):
        row = model.__new__(model)
        row.__dict__.update(zip(attnames, values, strict=True))
        state = ModelState()
        state.adding = False
        state.db = db
        row._state = state
        rows.append(row)
    return rows


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]


def random_uuids() -> Iterator[uuid.UUID]:
    """Random (version 4) UUIDs as `uuid.uuid4()` makes them, from one read of the
    system's random source per 256 ids: `uuid4()` makes a system call per id,
    which cost an import of 10,000 offers 5% of its time."""
    while True:
        pool = os.urandom(4096)
        for start in range(0, 4096, 16):
            yield uuid.UUID(bytes=pool[start : start + 16], version=4)


class RowMaker:
    """New unsaved instances of `model` exactly as `model(**fixed, **values)`
    makes them, at a tenth of the cost (an importer builds tens of thousands;
    `Model.__init__` walks every field's default each time): a template's
    attributes are copied, callable defaults (new ids, empty dicts) made anew
    per row, related objects in `fixed` kept as loaded, `values` set as
    `set_related` sets them. Falls back to `model(…)` when a receiver listens
    to `pre_init`/`post_init` for the model."""

    def __init__(self, model: type[models.Model], **fixed: Any) -> None:
        self.model = model
        template = model(**fixed)
        self.values = {k: v for k, v in template.__dict__.items() if k != "_state"}
        self.cache = dict(template._state.fields_cache)
        self.db = template._state.db  # set by a related object, as in `__init__`
        given = {getattr(model._meta.get_field(name), "attname", name) for name in fixed}
        self.fresh: list[tuple[str, Callable[[], Any]]] = []
        for field in model._meta.concrete_fields:
            if field.attname in given or not (field.has_default() and callable(field.default)):
                continue
            if field.default is uuid.uuid4:
                ids = random_uuids()
                self.fresh.append((field.attname, ids.__next__))
            else:
                self.fresh.append((field.attname, field.get_default))
        self.fixed = fixed
        self.plain = not (
            signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        )

    def __call__(self, **values: Any) -> Any:
        if not self.plain:
            return self.model(**self.fixed, **values)
        row = self.model.__new__(self.model)
        attributes = row.__dict__
        attributes.update(self.values)
        for name, make in self.fresh:
            if name not in values:  # e.g. an imported HSDS id instead of a new one
                attributes[name] = make()
        state = ModelState()
        state.fields_cache = dict(self.cache)
        state.db = self.db
        row._state = state
        for name, value in values.items():
            set_related(row, name, value)
        return row


@functools.cache
def _many_to_one(model: type[models.Model], name: str) -> tuple[str, str, Any, str] | None:
    """(attname, cache name, related model, target attname) of the many-to-one
    key `name` of `model`, or None for any other attribute."""
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.many_to_one or field.name != name:
        return None
    return (field.attname, field.cache_name, field.related_model, field.target_field.attname)


def set_related(row: models.Model, name: str, value: Any) -> None:
    """`setattr(row, name, value)`, for a many-to-one key and an object of the
    same database (which the routers allow by default) without the descriptor's
    checks, which cost a fifth of making a row: the key takes the object's id
    (None while it is unsaved) and the object is held in memory."""
    key = _many_to_one(type(row), name)
    if key is None or type(value) is not key[2] or not _same_db(value, row._state):
        setattr(row, name, value)
        return
    attname, cache_name, _model, target = key
    row.__dict__[attname] = getattr(value, target)
    row._state.fields_cache[cache_name] = value


def _same_db(value: models.Model, state: ModelState) -> bool:
    return state.db is not None and value._state.db == state.db


def _filler(field: models.Field[Any, Any], now: Any) -> Callable[[], Any]:
    """What `Model()` would put into a field that a row leaves out (`now` for the
    times of creation: one time for all rows of one insert)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.default is uuid.uuid4:
        ids = random_uuids()
        return lambda: next(ids)
    if field.has_default():
        return field.get_default
    if field.null:
        return lambda: None
    if field.empty_strings_allowed:
        return lambda: ""

    def missing() -> Any:
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")

    return missing


def complete_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Fill in, in place, every field a row leaves out as `Model()` would (defaults
    such as new HSDS ids, creation times), so the caller sees what is stored."""
    now = timezone.now()
    fillers = [(field.attname, _filler(field, now)) for field in _columns(model)]
    # The rows of one write mostly name the same fields: what they leave out is
    # found once per set of names, not field by field for every row.
    shape: Any = None
    absent: list[tuple[str, Callable[[], Any]]] = []
    for row in rows:
        if row.keys() != shape:
            shape = set(row)
            absent = [(name, fill) for name, fill in fillers if name not in shape]
        for name, fill in absent:
            row[name] = fill()


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, _PLAIN) and not isinstance(field, models.DecimalField):
        return None
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value

    # Rows of one insert share many values (times, dates, coordinates of a
    # place); converting a datetime for SQLite costs more than the insert.
    cache: dict[Any, Any] = {}
    direct = _direct_adapter(field)

    def prepared(value: Any) -> Any:
        converted = direct(value) if direct else None
        return field.get_db_prep_save(value, connection) if converted is None else converted

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            if len(cache) >= 10_000:
                cache.clear()
            converted = cache[value] = prepared(value)
            return converted
        except TypeError:  # not hashable (JSON)
            return prepared(value)

    return convert


def _direct_adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """For Django's own date, time and decimal fields: the backend's adapter
    applied directly to a value that `get_db_prep_save` would only pass on to
    it (aware datetimes, dates, times, finite decimals), else None (then the
    full path runs). Half the cost of writing a row's history was
    `get_db_prep_save` of its times."""
    ops = connection.ops
    kind = type(field)
    if kind is models.DateTimeField:
        return lambda v: (
            ops.adapt_datetimefield_value(v)
            if isinstance(v, dt.datetime) and v.utcoffset() is not None
            else None
        )
    if kind is models.DateField:
        return lambda v: (
            ops.adapt_datefield_value(v)
            if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
            else None
        )
    if kind is models.TimeField:
        return lambda v: ops.adapt_timefield_value(v) if isinstance(v, dt.time) else None
    if kind is models.DecimalField:  # coordinates: `to_python` copied each one twice
        digits, places = field.max_digits, field.decimal_places  # type: ignore[attr-defined]
        return lambda v: (
            ops.adapt_decimalfield_value(v, digits, places)
            if type(v) is Decimal and v.is_finite()
            else None
        )
    return None


def _prepared(
    fields: list[models.Field[Any, Any]], rows: Sequence[dict[str, Any]]
) -> Iterator[list[Any]]:
    names = [field.attname for field in fields]
    converted = [
        (i, convert) for i, convert in enumerate(map(_converter, fields)) if convert is not None
    ]
    for row in rows:
        values = [row[name] for name in names]
        for i, convert in converted:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        yield values


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning: bool = True
) -> list[Any]:
    """Insert `rows` ({attname: value}; omitted fields get their defaults, written
    into the dicts) into `model`'s table and return the new primary keys in the
    order of `rows` (an empty list with `returning=False`, which is faster)."""
    if not rows:
        return []
    complete_rows(model, rows)
    fields = _columns(model)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = _prepared(fields, rows)
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", list(values))  # noqa: S608
            return []
        key = quote(model._meta.pk.column)
        per_statement = max(1, min(500, _max_parameters() // len(fields)))
        keys: list[Any] = []
        batch: list[Any] = []
        count = 0
        for row_values in values:
            batch += row_values
            count += 1
            if count == per_statement:
                keys += _insert_returning(cursor, table, names, one, key, batch, count)
                batch, count = [], 0
        if count:
            keys += _insert_returning(cursor, table, names, one, key, batch, count)
        return keys


def _max_parameters() -> int:
    """How many parameters one statement may take. Django assumes 999 for SQLite,
    the limit of versions before 3.32 (2020); later ones take 32,766, and fewer,
    longer statements cost less Python per row."""
    if connection.vendor == "sqlite":
        return 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return connection.features.max_query_params or 10_000


def update_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, keep: Collection[str] = ()
) -> None:
    """Write `rows` ({attname: value}: the primary key and every other column) over
    the rows with those primary keys, in one `executemany`. Columns named in
    `keep` (attnames) are left as they are in the database (not even set to
    their old value: on SQLite an `UPDATE OF` trigger would still fire)."""
    if not rows:
        return
    fields = [field for field in _columns(model) if field.attname not in keep]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [
        [*values, row[pk.attname]]
        for values, row in zip(_prepared(fields, rows), rows, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns} WHERE {quote(pk.column)} = %s",  # noqa: S608
            params,
        )


def update_columns(
    model: type[models.Model], columns: Sequence[str], values: Mapping[Any, Sequence[Any]]
) -> None:
    """Set `columns` (database column names) of the rows whose primary keys are
    the keys of `values` to the values given, with as few statements as the
    parameter limit allows: `WITH v AS (VALUES …) UPDATE … FROM v`, one statement for many
    rows. Values go to the driver as they are. On SQLite each statement that
    fires the full-text triggers flushes FTS5's pending index to disk, so an
    `executemany` of one row per statement took 3–4× as long for offers'
    search documents (5,000 documents: 0.60 s against 0.17 s)."""
    if not values:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = quote(model._meta.pk.column)
    names = ["k", *(f"c{i}" for i in range(len(columns)))]
    one = f"({', '.join(['%s'] * len(names))})"
    assignments = ", ".join(
        f"{quote(column)} = v.{name}" for column, name in zip(columns, names[1:], strict=True)
    )
    rows = [(pk, *row) for pk, row in values.items()]
    per_statement = max(1, _max_parameters() // len(names))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"WITH v({', '.join(names)}) AS (VALUES {', '.join([one] * len(batch))}) "  # noqa: S608 (no user input)
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{key} = v.k",
                [value for row in batch for value in row],
            )


def _insert_returning(
    cursor: Any, table: str, names: str, one: str, key: str, params: list[Any], count: int
) -> list[Any]:
    cursor.execute(
        f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)} RETURNING {key}",  # noqa: S608
        params,
    )
    return [row[0] for row in cursor.fetchall()]
