"""What every benchmark shares: SQL loaders whose column lists come from the models, percentiles, the load average.

The loaders write millions of rows with ``INSERT … SELECT … FROM generate_series`` (the database makes the rows;
Python never sees them). Such an INSERT used to name its columns by hand, and a migration adding a NOT NULL column
with a model default broke it (``null value in column … violates not-null constraint``). ``insert_select`` builds
the column list from the model's ``_meta`` instead: the loader gives SQL expressions for the columns it cares
about, and every other column gets what the ORM would have written — its ``db_default`` (left to the database), its
``default`` (as a literal; ``uuid4`` and ``timezone.now`` as ``gen_random_uuid()`` and ``now()``), ``''`` for a
text column, ``NULL`` when the column allows it. A NOT NULL column with none of these is a loader error naming the
column, raised before any SQL runs — never a half-loaded database.

Imported after ``django.setup()``.
"""

import datetime
import decimal
import json
import math
import os
import statistics
import sys
import uuid

from django.db import connection, models
from django.db.models import NOT_PROVIDED
from django.utils import timezone


class LoaderError(Exception):
    pass


def _literal(field, value) -> str:
    """A SQL literal for ``value`` in ``field``'s column (``%`` doubled: the loaders' SQL has named params)."""
    if isinstance(field, models.JSONField):
        quoted = _quote(json.dumps(value))
    else:
        quoted = _quote(field.get_db_prep_save(value, connection))
    # typed, so a NULL or '' keeps its column's type through a UNION
    return f"CAST({quoted} AS {field.db_type(connection)})".replace("%", "%%")


def _quote(value) -> str:
    """A PostgreSQL literal (standard-conforming strings) without a connection: loaders build SQL before any."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


def default_sql(field) -> str | None:
    """The SQL the ORM's default for ``field`` amounts to, or None when the database's own default applies."""
    if field.db_default is not NOT_PROVIDED:
        return None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.has_default():
        default = field.default
        if callable(default):
            if default is uuid.uuid4:
                return "gen_random_uuid()"
            if default is timezone.now:
                return "now()"
            value = default()
        else:
            value = default
        return _literal(field, value)
    value = field.get_default()  # '' for text columns, None otherwise
    if value is None:
        if field.null:
            return _literal(field, None)
        raise LoaderError(
            f"{field.model._meta.db_table}.{field.column} is NOT NULL without a default: give it a value in the loader"
        )
    return _literal(field, value)


def columns(model, values: dict[str, str]) -> tuple[list[str], list[str]]:
    """(column names, SQL expressions) for every concrete column of ``model``: ``values`` (column → expression)
    where given, the model's default otherwise; an auto primary key and db_default columns not given are left out."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = set(values) - set(fields)
    if unknown:
        raise LoaderError(f"{model._meta.db_table} has no column {', '.join(sorted(unknown))}")
    names, exprs = [], []
    for column, field in fields.items():
        if column in values:
            expr = values[column]
        elif field.primary_key and isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue
        else:
            expr = default_sql(field)
            if expr is None:
                continue
        names.append(f'"{column}"')
        exprs.append(f'{expr} AS "{column}"')
    return names, exprs


def insert_select(model, values: dict[str, str], source: str) -> str:
    """``INSERT INTO <model's table> (<every column>) SELECT <expressions> <source>``; ``source`` is the rest of
    the SELECT (``FROM …``, ``WHERE …``), in which ``values``' expressions are evaluated."""
    names, exprs = columns(model, values)
    return (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(names)})\nSELECT ' + ",\n       ".join(exprs) + f"\n{source}"
    )


# --- figures --------------------------------------------------------------------------------------------------


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(timings) -> dict:
    return {
        "median": statistics.median(timings),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "max": max(timings),
    }


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_load(when: str) -> None:
    print(f"load average ({when}): {load_average()} on {os.cpu_count()} CPUs", flush=True)


def ratio(value: float, limit: float) -> str:
    return f"{value / limit:.1f}×" if limit else "n/a"


# bench/smoke.py runs every benchmark small: there a missed target says nothing (a few thousand rows on a busy CI
# machine), only a crash or a wrong figure fails.
SMOKE = os.environ.get("SMRC_BENCH_SMOKE") == "1"


def finish(targets_met: bool, correct: bool = True) -> None:
    """Exit: 1 when a figure is wrong; 1 when a target is missed, except in a smoke run; 0 otherwise."""
    if not correct:
        sys.exit(1)
    if not targets_met and not SMOKE:
        sys.exit(1)
    sys.exit(0)
