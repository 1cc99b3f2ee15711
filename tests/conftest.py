"""The fixtures every test folder shares, defined once: test settings (fast hasher, eager Celery, an empty cache
per test), the standard cast, the clients (``browser`` for the pages, ``api`` for the REST API), Chromium
(``chromium``, ``page``) and the fake platform server.

Cast: brand A (``acme``) with an operator, a supervisor and a manager; brand B (``globex``) with its own
operator; an outsider with no membership; and an admin.
"""

import ipaddress
import os
import shutil
import socket
from dataclasses import dataclass

import pytest
import requests
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

from brands.models import Brand, Role
from tests.factories import make_brand, make_member, make_user
from tests.helpers import KeyedAPIClient
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


def fake_resolve(host: str) -> list[str]:
    """No DNS in the tests (brands.services.webhooks resolves a webhook's host to check it is public): an address
    stays itself (also ``0x7f000001`` and other forms ``inet_aton`` reads), ``localhost`` and names under
    ``.internal`` are private, any other name public."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        return [socket.inet_ntoa(socket.inet_aton(host))]
    except OSError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return ["127.0.0.1"]
    return ["10.1.2.3"] if host.endswith(".internal") else ["93.184.215.14"]


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    from brands.services import webhooks

    monkeypatch.setattr(webhooks, "resolve", fake_resolve)


class _Offline(requests.adapters.BaseAdapter):
    """A transport that refuses every request: no test reaches a real CDN (tests/media mounts a fake one)."""

    def send(self, request, **kwargs):
        raise requests.ConnectionError(f"no network in the tests: {request.url}")

    def close(self):
        pass


def offline_transport() -> requests.Session:
    session = requests.Session()
    session.mount("https://", _Offline())
    session.mount("http://", _Offline())
    return session


@pytest.fixture(autouse=True)
def _no_media_network(monkeypatch):
    """Media copies (tickets.channels.media) are fetched through ``transport()``: offline in every test."""
    from tickets.channels import media

    monkeypatch.setattr(media, "transport", offline_transport)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Each test stores media in a folder of its own, never in var/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


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
def browser():
    """``browser(user)``: a test client logged in as ``user`` (``None``: anonymous), as a person's browser."""

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def api():
    """``api(user)``: a DRF client authenticated with the user's token (each POST with a fresh Idempotency-Key);
    ``api(None)`` sends no credentials."""

    def client_for(user) -> KeyedAPIClient:
        client = KeyedAPIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


# Chromium driven by Playwright (the tests marked ``browser``): Debian's Chromium, nothing downloaded.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    """The system Chromium (nothing is downloaded); ``SMRC_CHROMIUM`` overrides it."""
    return os.environ.get("SMRC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for the tests of one module."""
    from playwright.sync_api import expect, sync_playwright

    # The assertions wait as long as the page's actions do: a loaded CI machine answers slower than 5 s at times.
    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A tab on Django's live server (English, 1366×768); a page error or a 5xx answer fails the test."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-US", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    yield page
    context.close()
    assert errors == [], f"errors in the browser: {errors}"


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
