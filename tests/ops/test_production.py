"""The production guard: with SMRC_PRODUCTION no process starts without PostgreSQL, Redis and a secret key, or with
DEBUG on; `make prod` (smrc/prod.py) says what is missing before anything starts, and makes a secret key once."""

import os
import subprocess
import sys

import pytest

from smrc import prod

PG = "postgres://smrc@127.0.0.1:5432/smrc"
REDIS = "redis://127.0.0.1:6379/0"


def start(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**base, "DJANGO_SETTINGS_MODULE": "smrc.settings", "SMRC_PRODUCTION": "true", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SMRC_PRODUCTION is set but SECRET_KEY, DATABASE_URL, REDIS_URL are not"),
        ({"SECRET_KEY": "k" * 50, "REDIS_URL": REDIS}, "SMRC_PRODUCTION is set but DATABASE_URL is not"),
        (
            {"SECRET_KEY": "k" * 50, "REDIS_URL": REDIS, "DATABASE_URL": "sqlite:///var/x.sqlite3"},
            "DATABASE_URL is not a PostgreSQL URL",
        ),
        ({"SECRET_KEY": "k" * 50, "REDIS_URL": REDIS, "DATABASE_URL": PG, "DEBUG": "true"}, "with DEBUG on"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(env, message):
    done = start(**env)
    assert done.returncode == 1
    assert message in done.stderr


def test_production_starts_with_everything_set():
    assert (
        start(SECRET_KEY="k" * 50, REDIS_URL=REDIS, DATABASE_URL=PG, SITE_URL="https://smrc.example.com").returncode
        == 0
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DATABASE_URL and REDIS_URL must be set"),
        ({"DATABASE_URL": PG}, "REDIS_URL must be set"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3", "REDIS_URL": REDIS}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"DATABASE_URL": PG, "REDIS_URL": "amqp://guest@localhost//"}, "REDIS_URL must be a Redis URL"),
    ],
)
def test_make_prod_says_what_is_missing(capsys, env, message):
    with pytest.raises(SystemExit) as stopped:
        prod.environment(env)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_make_prod_generates_a_secret_key_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(prod, "VAR", tmp_path)
    monkeypatch.setattr(prod, "SECRET_FILE", tmp_path / "secret_key")
    monkeypatch.setattr(prod, "ROOT", tmp_path.parent)
    env = prod.environment({"DATABASE_URL": PG, "REDIS_URL": REDIS})
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert "generated a secret key" in capsys.readouterr().out
    assert env["SECRET_KEY_FILE"] == str(tmp_path / "secret_key")
    assert env["SITE_URL"] == "http://127.0.0.1:8000"  # make prod on this machine; SITE_URL wins when set
    assert (env["SMRC_PRODUCTION"], env["DEBUG"], env["SMRC_METRICS_ALLOWED_IPS"]) == (
        "true",
        "false",
        "127.0.0.1/32,::1/128",
    )
    prod.environment({"DATABASE_URL": PG, "REDIS_URL": REDIS})
    assert (tmp_path / "secret_key").read_text() == key  # kept
    assert capsys.readouterr().out == ""
    # a key from the environment is used as given
    assert "SECRET_KEY_FILE" not in prod.environment({"DATABASE_URL": PG, "REDIS_URL": REDIS, "SECRET_KEY": "x" * 50})
