"""Rows written fast: their database values worked out before the transaction, then inserted a batch a statement.

Django's `bulk_create` prepares every value inside the transaction; for a hundred thousand comments that holds
SQLite's one write lock for a minute, and a story or comment sent meanwhile would give up waiting. Here the
values are prepared while nothing is locked (`values_of`), and the transaction only runs the INSERTs.
A staged row waits packed (`pack`: pickled and compressed, a third of its size): an export's hundred thousand
comments would otherwise hold their text and HTML in memory twice over.
"""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from collections.abc import Sequence

from django.db import connections, models, router


def fields_of(model: type[models.Model]) -> list[models.Field]:
    """Every column an INSERT writes (all but the generated id)."""
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def values_of(obj: models.Model, fields: list[models.Field]) -> list:
    """The row's values as the database takes them (defaults, auto times and adaptations applied)."""
    connection = connections[router.db_for_write(type(obj))]
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


ROWS_PER_STATEMENT = 1000


def pack(row: Sequence) -> bytes:
    """A prepared row kept small while it waits for the write."""
    return zlib.compress(pickle.dumps(list(row), protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(packed: bytes) -> list:
    return pickle.loads(zlib.decompress(packed))  # noqa: S301 - packed by `pack` in this process


def max_parameters(connection) -> int:
    """How many values one statement may carry: SQLite's own limit (Django assumes the old default of 999)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def column(fields: list[models.Field], attname: str) -> int:
    return next(n for n, field in enumerate(fields) if field.attname == attname)


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """INSERT the rows (values in the order of `columns`), a batch a statement; returns their new ids, in order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    per_batch = max(1, min(ROWS_PER_STATEMENT, max_parameters(connection) // len(columns)))
    # Only quoted names of this project's own tables and columns are put in the SQL; every value is a parameter.
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returning = f" RETURNING {quote(model._meta.pk.column)}"
    ids: list[int] = []
    with connection.cursor() as cursor:
        start = 0
        for size in batch_sizes(len(rows), per_batch):
            batch = rows[start : start + size]
            cursor.execute(head + ", ".join([one] * size) + returning, [value for row in batch for value in row])
            ids.extend(row[0] for row in cursor.fetchall())
            start += size
    return ids


def batch_sizes(count: int, per_batch: int) -> list[int]:
    """Full batches, then the rest in powers of two (37 → 32, 4, 1). The database driver keeps each distinct
    statement it has prepared (SQLite's a hundred and twenty-eight, some a megabyte at a thousand rows): a rest
    of any size would make a new one each time, and memory would grow with the import."""
    sizes = [per_batch] * (count // per_batch)
    rest = count % per_batch
    sizes += [1 << bit for bit in reversed(range(rest.bit_length())) if rest & (1 << bit)]
    return sizes


def insert_objects(fields: list[models.Field], objs: Sequence[models.Model], rows: Sequence[Sequence]) -> None:
    """Insert prepared rows of `objs` (from `values_of`) and give each object its new id."""
    if not objs:
        return
    ids = insert(type(objs[0]), [field.column for field in fields], rows)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def delete(model: type[models.Model], column: str, value) -> int:
    """DELETE the rows whose `column` holds `value`, in one statement, sending no signals: only for rows nobody
    has seen (an import's own, taken back)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Only quoted names of this project's own table and column are put in the SQL; the value is a parameter.
        cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s", [value])  # noqa: S608
        return cursor.rowcount
