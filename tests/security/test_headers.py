"""Response headers (Content-Security-Policy and the other headers OWASP recommends) on every kind of answer,
and no inline script, inline event handler or inline style in any page the app renders.

Every GET route of the URL resolver is rendered for an admin, as a full page and as an htmx request; the HTML
answers are scanned. The admin site is scanned too. A new route or template is covered without touching this
file; a page that slips an inline ``style=`` or ``onclick=`` back in fails here before a browser blocks it.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from brands.models import ReviewPolicy
from tests.factories import make_product, make_snippet, make_ticket
from tickets.models import Notification, Reply
from tickets.services import replies, workflow

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "media-src": ["'self'"],  # customers' videos through our own view (docs/media.md)
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
OTHER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PERMISSIONS_OFF = {"camera", "microphone", "geolocation", "payment", "usb", "display-capture"}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"""\s(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def parse_csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        name, *tokens = part.split()
        directives[name] = sorted(tokens)
    return directives


#: the one page whose CSP differs, and how: Swagger UI's stylesheet draws its icons as data: SVG images
CSP_EXCEPTIONS = {"/api/v1/docs/": {"img-src": ["'self'", "data:"]}}


def assert_security_headers(response) -> None:
    path = response.wsgi_request.path if hasattr(response, "wsgi_request") else ""
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP | CSP_EXCEPTIONS.get(path, {})
    for name, value in OTHER_HEADERS.items():
        assert response[name] == value, name
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    assert PERMISSIONS_OFF <= set(features)
    assert set(features.values()) == {"()"}


def inline_code(html: str) -> list[str]:
    """Every inline script, handler, style attribute or block and javascript: URL in ``html``."""
    found = []
    for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTR, STYLE_BLOCK, JS_URL):
        found.extend(m.group(0)[:120] for m in pattern.finditer(html))
    return found


@pytest.fixture
def world(cast):
    """One of everything a page shows: a claimed ticket with a reply in review, a note, a notification, a
    product and a snippet with two versions."""
    brand = cast.brand_a
    ReviewPolicy.objects.create(brand=brand, review_all=True)
    ticket = make_ticket(brand, platform_id="hdr-1", text="Paket saya belum sampai")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Baik Kak, kami cek ya.")
    workflow.add_note(ticket=ticket, user=cast.operator, body="cek resi")
    product = make_product(brand, "Kuota Max")
    snippet = make_snippet(brand, title="Salam", body="Halo {customer_name}!")
    snippet.refresh_from_db()
    assert Reply.objects.filter(pk=reply.pk, status="in_review").exists()
    assert Notification.objects.exists()
    return {"ticket": ticket, "reply": reply, "product": product, "snippet": snippet, "brand": brand}


def get_routes() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every named route outside the admin site."""
    routes = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])))
            elif p.name:
                routes.append((":".join(filter(None, [namespace, p.name])), p))

    walk(get_resolver().url_patterns, "")
    return routes


def url_for(name: str, pattern: URLPattern, world) -> str:
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "slug":
            kwargs[key] = world["brand"].slug
        elif key == "action":
            kwargs[key] = "claim"
        elif name.startswith("knowledge:snippet"):
            kwargs[key] = world["snippet"].pk
        elif name.startswith("knowledge:product"):
            kwargs[key] = world["product"].pk
        elif "reply" in name:
            kwargs[key] = world["reply"].pk
        else:
            kwargs[key] = world["ticket"].pk
    query = {
        "tickets:report": "?start=2020-01-01&end=2020-01-31",
        "tickets:report_all": "?start=2020-01-01&end=2020-01-31",
        "tickets:report_tickets": "?start=2020-01-01&end=2020-01-31&metric=all",
        "tickets:report_all_tickets": "?start=2020-01-01&end=2020-01-31&metric=all",
    }.get(name, "")
    return reverse(name, kwargs=kwargs) + query


def test_every_page_for_an_admin_has_the_headers_and_no_inline_code(cast, world):
    client = Client()
    client.force_login(cast.admin)
    scanned, problems = set(), {}
    for name, pattern in get_routes():
        url = url_for(name, pattern, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code < 500, (url, response.status_code)
            assert_security_headers(response)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                html = response.content.decode()
                scanned.add(name)
                if inline_code(html):
                    problems[(url, bool(headers))] = inline_code(html)
    assert problems == {}
    # The scan is not vacuous: these pages rendered and were read.
    assert {
        "tickets:queue",
        "tickets:detail",
        "tickets:review",
        "tickets:notifications",
        "tickets:notification_badge",
        "tickets:settings",
        "tickets:sla_settings",
        "tickets:priority_settings",
        "tickets:review_settings",
        "tickets:reports",
        "tickets:report",
        "tickets:report_all",
        "tickets:report_tickets",
        "tickets:report_all_tickets",
        "tickets:report_definitions",
        "knowledge:index",
        "knowledge:snippets",
        "knowledge:snippet",
        "knowledge:snippet_new",
        "knowledge:snippet_compare",
        "knowledge:products",
        "knowledge:product",
        "knowledge:import",
        "knowledge:options",
        "channel_accounts",
        "login",
    } <= scanned | {"login"}


def test_the_report_page_draws_its_charts_without_inline_style(cast, world):
    client = Client()
    client.force_login(cast.admin)
    html = client.get(f"/reports/{world['brand'].slug}/?start=2020-01-01&end=2020-01-31").content.decode()
    # The SLA meters are SVG rectangles sized by a presentation attribute.
    assert html.count('<svg class="meter" viewBox="0 0 100 1"') == 3
    assert inline_code(html) == []


def test_pages_for_anonymous_visitors_and_error_pages_have_the_headers(cast, world):
    client = Client()
    for url, status in (("/login/", 200), ("/queue/", 302), ("/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert_security_headers(response)
        if status != 302:
            assert inline_code(response.content.decode()) == []
    client.force_login(cast.outsider)
    response = client.get(f"/tickets/{world['ticket'].pk}/")
    assert response.status_code == 404
    assert_security_headers(response)
    client.force_login(cast.operator_b)
    response = client.get(f"/settings/{world['brand'].slug}/sla/")
    assert response.status_code in (403, 404)
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def test_the_api_and_the_webhooks_answer_with_the_headers(cast, world):
    client = Client()
    response = client.get("/api/v1/tickets/")
    assert response.status_code in (401, 403)
    assert_security_headers(response)
    client.force_login(cast.operator)
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_security_headers(response)
    for url in ("/webhooks/x/", "/webhooks/meta/"):
        anonymous = Client()
        response = anonymous.get(url)
        assert response.status_code in (400, 403, 404)
        assert_security_headers(response)
        response = anonymous.post(url, data=b"{}", content_type="application/json")
        assert response.status_code in (400, 401, 403)
        assert_security_headers(response)


def test_every_admin_page_has_the_headers_and_no_inline_script_or_handler(cast, world):
    """Django's admin (5.2) loads its scripts from files too. Its only inline code is a ``<style>`` block on
    change lists that have no bulk action (the event log): the browser drops it under the policy and the first
    column keeps the default width, nothing else (docs/security.md)."""
    from django.contrib import admin

    client = Client()
    client.force_login(cast.admin)
    urls = ["/admin/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(client.get("/admin/").wsgi_request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    problems = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        html = response.content.decode()
        found = [c for c in inline_code(html) if not c.lower().startswith("<style")]
        if found:
            problems[url] = found
        if STYLE_BLOCK.search(html):
            assert 'class="actions"' not in html, url  # only change lists without bulk actions carry it
    assert problems == {}
    assert len(urls) > 30
