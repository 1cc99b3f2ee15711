"""The standard cast and test settings: fast hasher, eager Celery, an empty cache per test; the fake platform
server.

Cast: brand A (``acme``) with an operator, a supervisor and a manager; brand B (``globex``) with its own
operator; an outsider with no membership; and an admin.
"""

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from brands.models import Brand, Role
from tests.factories import make_brand, make_member, make_user
from tests.publishing.fake_platform import FakePlatform

# In CI the property tests draw the same examples every run, so a submission's result does not depend on luck;
# on a developer's machine they keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file, not in memory: threads then get connections of their own that wait for each
    other's writes (``timeout``, ``BEGIN IMMEDIATE``) as the embedded default does, so the race tests of
    ``tests/security/test_concurrency.py`` really race on SQLite too. (An in-memory database shared between
    connections locks whole tables and fails at once instead of waiting.)"""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "smrc-test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False  # Client.login() passes no request; tests of throttling switch it on
    from smrc.celery import app

    app.conf.task_always_eager = True
    from django.core.cache import cache

    cache.clear()


@dataclass
class Cast:
    brand_a: Brand
    brand_b: Brand
    operator: object
    supervisor: object
    manager: object
    operator_b: object
    outsider: object
    admin: object


@pytest.fixture
def cast(db) -> Cast:
    brand_a = make_brand("acme", name="Acme Telco")
    brand_b = make_brand("globex", name="Globex Bank")
    operator = make_user("op_a")
    supervisor = make_user("sup_a")
    manager = make_user("mgr_a")
    operator_b = make_user("op_b")
    outsider = make_user("outsider")
    admin = make_user("root", superuser=True)
    make_member(operator, brand_a, Role.OPERATOR)
    make_member(supervisor, brand_a, Role.SUPERVISOR)
    make_member(manager, brand_a, Role.MANAGER)
    make_member(operator_b, brand_b, Role.OPERATOR)
    return Cast(brand_a, brand_b, operator, supervisor, manager, operator_b, outsider, admin)


@pytest.fixture
def fake_platform(settings):
    """The fake platform server (``tests/publishing/fake_platform.py``), with the publishers' API roots pointed
    at it."""
    fake = FakePlatform().start()
    settings.SMRC_X_API_URL = f"{fake.url}/x/2"
    settings.SMRC_GRAPH_API_URL = f"{fake.url}/graph"
    settings.SMRC_YOUTUBE_API_URL = f"{fake.url}/yt"
    settings.SMRC_HTTP_TIMEOUT = 5
    yield fake
    fake.stop()


def pytest_collection_modifyitems(config, items):
    is_postgres = connection.vendor == "postgresql"
    from django.conf import settings

    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "celery_worker" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))
