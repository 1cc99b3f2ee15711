"""The standard cast and test settings: fast hasher, eager Celery, an empty cache per test.

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

# In CI the property tests draw the same examples every run, so a submission's result does not depend on luck;
# on a developer's machine they keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


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


def pytest_collection_modifyitems(config, items):
    is_postgres = connection.vendor == "postgresql"
    from django.conf import settings

    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "celery_worker" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))
