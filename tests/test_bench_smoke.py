"""`make bench-smoke` runs every benchmark of bench/: a new one cannot be forgotten, and each still imports.

The scripts set Django up and parse arguments only under ``__main__``, except the ones that need PostgreSQL at
import (bench/webhooks.py creates its database): those are compiled, not imported.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

from bench import _common, smoke

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if p.name not in smoke.HELPERS and p.name != "__init__.py")
# Scripts whose module level does more than define things (connect to PostgreSQL, set Django up for a database).
NOT_IMPORTED = {"webhooks.py"}


def test_every_benchmark_is_in_the_smoke_run():
    assert SCRIPTS, "no benchmark found"
    missing = [name for name in SCRIPTS if name not in smoke.SCRIPTS]
    assert not missing, f"add {missing} to SCRIPTS in bench/smoke.py (a small run of each)"
    assert not set(smoke.SCRIPTS) - set(SCRIPTS), "bench/smoke.py lists a script that is gone"


def test_make_bench_smoke_runs_the_smoke_script_and_ci_runs_it():
    root = BENCH.parent
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^bench-smoke:.*\n\t.*bench/smoke\.py", makefile, re.M)
    ci = (root / ".ci" / "run").read_text()
    assert "make bench-smoke" in ci
    assert ci.index("make bench-smoke") > ci.rindex("make test")


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_benchmark_compiles_and_imports(name):
    source = (BENCH / name).read_text()
    ast.parse(source, filename=name)
    if name not in NOT_IMPORTED:
        importlib.import_module(f"bench.{name[:-3]}")
    assert "__main__" in source, f"{name} runs only as a script"


def test_loader_fills_every_column_from_the_model():
    """insert_select names every concrete column: the ones given, the model's defaults for the rest."""
    from tickets.models import Ticket

    given = {"brand_id": "1", "author_id": "2", "posted_at": "now()", "received_at": "now()", "updated_at": "now()"}
    sql = _common.insert_select(Ticket, given, "FROM generate_series(1, 1) g")
    for field in Ticket._meta.concrete_fields:
        if field.primary_key:
            assert f'"{field.column}"' not in sql.split("SELECT")[0]
        else:
            assert f'"{field.column}"' in sql, field.column
    assert 'AS "ignored_reason"' in sql  # the column that broke the old hand-written loaders


def test_loader_refuses_a_not_null_column_without_default():
    from tickets.models import Ticket

    with pytest.raises(_common.LoaderError, match="tickets_ticket.posted_at"):
        _common.insert_select(Ticket, {"brand_id": "1", "author_id": "2"}, "")  # posted_at: NOT NULL, no default
    with pytest.raises(_common.LoaderError, match="no column"):
        _common.insert_select(Ticket, {"no_such_column": "1"}, "")
