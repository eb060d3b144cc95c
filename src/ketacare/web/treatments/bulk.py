"""A fast bulk insert for synthetic data (demo and benchmark): plain rows, one ``executemany``.

Django's ``bulk_create`` builds a model instance and prepares every value through the field
(about 40 us a value); seeding hundreds of thousands of rows spends most of its time there. Here
each column's converter is chosen once per model (plain numbers and text pass through; dates,
datetimes, UUIDs and JSON go through the backend's own adapters), missing columns take the
field's default, and ``auto_now_add`` columns take the time of the call. No signals, no audit:
only for synthetic seed data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

PASS_THROUGH = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "FloatField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
    "ForeignKey",
    "OneToOneField",
}


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind in PASS_THROUGH:
        return lambda value: value
    ops = connection.ops
    if kind == "DateTimeField":
        return lambda value: ops.adapt_datetimefield_value(value)
    if kind == "DateField":
        return lambda value: ops.adapt_datefield_value(value)
    if kind == "TimeField":
        return lambda value: ops.adapt_timefield_value(value)
    if kind == "JSONField":
        # The core's results are memoised by the seeders: the same dict object recurs thousands
        # of times. Its prepared value is kept per object (with the object itself, so that its
        # id cannot be reused while cached).
        cache: dict[int, tuple[Any, Any]] = {}

        def convert_json(value: Any) -> Any:
            hit = cache.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            prepared = field.get_db_prep_save(value, connection)
            cache[id(value)] = (value, prepared)
            return prepared

        return convert_json
    return lambda value: field.get_db_prep_save(value, connection)


def fast_insert(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], batch: int = 5000
) -> int:
    """Insert ``rows`` (dicts keyed by field attname, e.g. ``session_id``) into ``model``."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    converters = [_converter(f) for f in fields]
    now = timezone.now()
    defaults: list[Callable[[], Any] | None] = []
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    }
    for f in fields:
        if f.attname in stamped:
            defaults.append(lambda: now)
        else:  # the default, "" for text without one, None otherwise (as Django's own insert)
            defaults.append(f.get_default)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    count = 0
    chunk: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = []
            for name, convert, default in zip(names, converters, defaults, strict=True):
                if name in row and not (name in stamped and row[name] is None):
                    value = row[name]
                elif default is not None:
                    value = default()
                else:
                    raise KeyError(f"{model.__name__}.{name} has no value and no default")
                values.append(None if value is None else convert(value))
            chunk.append(tuple(values))
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count
