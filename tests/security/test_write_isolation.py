"""Write isolation, generated from the URL resolver: every route × every method (GET, POST, PUT, PATCH, DELETE) ×
{brand B's operator aimed at brand A's objects, brand A's manager (read-only), an anonymous client}.

Each answer has an exact status — 404 out of scope, 403 read-only in scope, 302 to the login page (pages) or 401
(API) for the anonymous client, 405 for a method the route does not serve — and leaves everything as it was: the
database (``tests.helpers.db_state``), the mail outbox, the task queue, the callbacks waiting for a commit and the
network (``responses`` with no registered address: any platform call would be recorded). POSTs carry what the
real page sends (a CSRF token, enforced here, and an idempotency key where the form has one; an
``Idempotency-Key`` through the API), and the same payloads sent by brand A's supervisor are accepted
(:func:`test_the_payloads_are_accepted_from_someone_who_may`): a refusal below proves scoping, not a bad form.

A route the resolver knows and :data:`ROUTES` does not is a failure until it is given its expectations or listed
in :data:`PUBLIC` with a reason. The admin site is walked separately: it is for superusers only, whatever staff
flag or permission a non-superuser is given (:func:`test_the_admin_is_closed_to_staff_who_are_not_superusers`).
"""

import json
import re
from dataclasses import dataclass, field
from io import StringIO
from unittest.mock import patch
from urllib.parse import urlencode

import pytest
import responses
import yaml
from celery.app.task import Task
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import get_resolver, reverse
from rest_framework.authtoken.models import Token

from brands.models import BlockedAuthor, ListeningRule, Membership, ReviewPolicy, Role, SpamPattern, UrgencyTerm
from brands.services import api_keys, knowledge, webhooks
from brands.services.sla import current_settings
from tests.factories import make_channel, make_product, make_snippet, make_ticket, make_user
from tests.helpers import KeyedAPIClient, db_state, keyed
from tests.media.cdn import PHOTO_URL, FakeCDN, image_bytes
from tests.test_isolation import walk
from tickets.channels import media as channel_media
from tickets.channels.base import MediaRef
from tickets.forms.settings import SlaSettingsForm
from tickets.models import (
    Event,
    MentionMedia,
    Notification,
    QueuePreference,
    Reply,
    ReplyStatus,
    SavedView,
    Scorecard,
    Tag,
    Ticket,
    WebhookDelivery,
)
from tickets.services import customers, media, qa, replies, tags, workflow

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALL = METHODS
SECRET = "ACME-WRITE-7c1d"  # in brand A's texts: no answer below may show it

#: routes walked by no one here, each with its reason
PUBLIC = {
    "": "a redirect to the queue (managers: the reports), for every method; no data",
    "login/": "authentication: writes only the caller's own session (throttled: tests/test_login_throttling.py)",
    "logout/": "ends the caller's own session",
    "i18n/setlang/": "sets the caller's own language cookie",
    "healthz": "liveness probe, GET only (smrc/health.py): touches nothing",
    "healthz/": "liveness probe, GET only (smrc/health.py): touches nothing",
    "readyz": "readiness probe, GET only: database, Redis, worker heartbeats, delivery backlog; no brand data",
    "readyz/": "readiness probe, GET only: database, Redis, worker heartbeats, delivery backlog; no brand data",
    "api/v1/schema/": "the OpenAPI description made from the code, GET only; no data (tests/api_v1/test_schema.py)",
    "api/v1/docs/": "Swagger UI over that description, GET only; no data (tests/api_v1/test_schema.py)",
    "metrics": "Prometheus, GET only, a bearer token or an allowed address (tests/ops/test_metrics.py)",
    "csat/<str:token>/": "the customer's rating page, no login by design: the signed token is the only key and "
    "answers one survey once (forged, expired, replayed, other ticket's token, CSRF, throttle, huge comment: "
    "tests/csat/test_rating_page.py)",
}


@dataclass(frozen=True)
class Route:
    """What a route answers. ``serves``: the methods it takes (others: 405 once signed in); ``b``: brand B's
    operator on the methods it serves, aimed at brand A's objects; ``manager``: brand A's manager there;
    ``anonymous``: the client without a session or token, on every method; ``query``: appended to the path."""

    serves: tuple[str, ...]
    b: int
    manager: int
    anonymous: int = 302
    query: str = ""
    #: webhooks answer the same whoever calls (no session): (method → status)
    public: dict[str, int] = field(default_factory=dict)
    #: brand A's manager may write here (the brand's goals are the client's to set); nothing else of brand A
    manager_writes: bool = False
    #: brand B's operator, per method where it differs from ``b`` (their own form, refused for brand A's slug: 400)
    b_by_method: dict[str, int] = field(default_factory=dict)
    #: brand A's manager, per method where it differs from ``manager`` (reads a ticket's notes or the settings,
    #: changes none: 403)
    manager_by_method: dict[str, int] = field(default_factory=dict)


def page(serves, b, manager, **kw) -> Route:
    return Route(serves=serves, b=b, manager=manager, **kw)


def api(serves, b, manager, **kw) -> Route:
    return Route(serves=serves, b=b, manager=manager, anonymous=401, **kw)


POST = ("POST",)
RANGE = "?start=2025-03-01&end=2025-03-31"
GET = ("GET",)

#: every route of the project outside the admin site and :data:`PUBLIC`
ROUTES: dict[str, Route] = {
    # the queue and `Get next`: the caller's own brands (brand B has nothing to take; a manager works no ticket)
    "queue/": page(ALL, 200, 200),
    "queue/next/": page(POST, 302, 302),
    # bulk actions on brand A's ticket: out of brand B's scope (404, nothing read), the manager's to read only (403)
    "queue/bulk/": page(POST, 404, 403),
    # new work since the page was drawn: a count of the caller's own queue
    "queue/news/": page(ALL, 200, 200, query="?since=0"),
    # saved views: a team view of brand A is made and removed by its supervisors only
    "queue/views/": page(POST, 404, 403),
    "queue/views/<int:pk>/remove/": page(POST, 404, 403),
    # the caller's own opt-in to browser notifications (switching it off when it is off writes nothing)
    "queue/alerts/": page(POST, 302, 302),
    # one ticket of brand A
    "tickets/<int:pk>/": page(ALL, 404, 200),
    "tickets/<int:pk>/priority/": page(POST, 404, 403),
    "tickets/<int:pk>/restore/": page(POST, 404, 403),
    "tickets/<int:pk>/claim/": page(POST, 404, 403),
    "tickets/<int:pk>/release/": page(POST, 404, 403),
    "tickets/<int:pk>/resolve/": page(POST, 404, 403),
    "tickets/<int:pk>/reopen/": page(POST, 404, 403),
    "tickets/<int:pk>/reply/": page(POST, 404, 403),
    "tickets/<int:pk>/note/": page(POST, 404, 403),
    "tickets/<int:pk>/tags/": page(POST, 404, 403),
    "tickets/<int:pk>/assign/": page(POST, 404, 403),
    "tickets/<int:pk>/customer/link/": page(POST, 404, 403),
    "tickets/<int:pk>/customer/unlink/": page(POST, 404, 403),
    # who else is on the page: the cache only, for whoever may see the ticket
    "tickets/<int:pk>/presence/": page(POST, 404, 200),
    "tickets/<int:pk>/snippets/": page(ALL, 404, 403),
    "tickets/<int:pk>/snippets/render/": page(ALL, 404, 403, query="?snippet={snippet}"),
    # the composer's check of a draft for phrases that send the customer elsewhere: reads only
    "tickets/<int:pk>/reply/bounces/": page(POST, 404, 403),
    # our copies of a customer's image and of a reply's image (docs/media.md): read-only, for whoever sees the
    # ticket; GET and HEAD only (405 for the other methods)
    "media/m/<int:pk>/": page(GET, 404, 200),
    "media/r/<int:pk>/": page(GET, 404, 200),
    # one reply of brand A, in review
    "replies/<int:pk>/revise/": page(POST, 404, 403),
    "replies/<int:pk>/retry/": page(POST, 404, 403),
    "review/": page(ALL, 200, 200),
    "review/<int:pk>/approve/": page(POST, 404, 403),
    "review/<int:pk>/changes/": page(POST, 404, 403),
    # the caller's own profile and API keys: an empty form changes nothing; a manager may make a key of their own
    "profile/": page(("GET", "POST"), 200, 200, manager_writes=True, b_by_method={"POST": 400}),
    # brand A's supervisor's key: nobody else's to revoke
    "profile/keys/<int:pk>/revoke/": page(POST, 404, 404),
    # the caller's own notifications
    "notifications/": page(ALL, 200, 200),
    "notifications/badge/": page(ALL, 200, 200),
    "notifications/read/": page(POST, 302, 302),
    # the team view: brand A's supervisors only (brand B's operator leads no brand: 403 across brands, 404 on A)
    "team/": page(ALL, 403, 403),
    "team/<slug:slug>/": page(ALL, 404, 403),
    # the caller's own performance, in brands they work (brand A named: unknown to brand B, no work for a manager)
    "me/performance/": page(ALL, 404, 403, query="?brand={slug}"),
    # the caller's own scorecards (brand B's operator has none; a manager works no ticket)
    "me/scorecards/": page(ALL, 200, 403),
    # brand A's operator's scorecard: only they acknowledge it (anyone else: not theirs, 404)
    "me/scorecards/<int:pk>/acknowledge/": page(POST, 404, 404),
    # QA grading: brand A's supervisors (qa:grade); a manager reads QA only in the report
    "qa/": page(ALL, 404, 403, query="?brand={slug}"),
    "qa/replies/<int:pk>/": page(("GET", "POST"), 404, 403),
    # brand A's settings
    "settings/": page(ALL, 200, 200),
    "settings/channels/": page(ALL, 403, 403),  # B operator and A manager configure no brand
    "settings/<slug:slug>/sla/": page(ALL, 404, 403),
    "settings/<slug:slug>/priority/": page(ALL, 404, 403),
    "settings/<slug:slug>/review/": page(ALL, 404, 403),
    # brand A's settings history: read-only, for its supervisors and managers
    "settings/<slug:slug>/history/": page(GET, 404, 200),
    # brand A's goals: its managers set them (the one write a manager has), as do its supervisors
    "settings/<slug:slug>/goals/": page(("GET", "POST"), 404, 200, manager_writes=True),
    # brand A's satisfaction surveys: its supervisors
    "settings/<slug:slug>/csat/": page(("GET", "POST"), 404, 403),
    # brand A's QA rubric and weekly share: its supervisors
    "settings/<slug:slug>/qa/": page(("GET", "POST"), 404, 403),
    # brand A's outbound webhooks: supervisors only (webhooks:manage); the secret is in no answer after creation
    "settings/<slug:slug>/webhooks/": page(("GET", "POST"), 404, 403),
    "settings/<slug:slug>/webhooks/<int:pk>/": page(("GET", "POST"), 404, 403),
    # reports: read-only for managers; the all-brands report is an admin's
    "reports/": page(ALL, 403, 200),
    "reports/go/": page(ALL, 404, 302, query="?brand={slug}"),
    "reports/definitions/": page(ALL, 200, 200),
    "reports/all-brands/": page(ALL, 404, 404, query=RANGE),
    "reports/all-brands/tickets/": page(ALL, 404, 404, query=RANGE + "&metric=all"),
    "reports/all-brands/export/": page(ALL, 404, 404, query=RANGE + "&format=csv"),
    "reports/<slug:slug>/": page(ALL, 404, 200, query=RANGE),
    "reports/<slug:slug>/tickets/": page(ALL, 404, 200, query=RANGE + "&metric=all"),
    "reports/<slug:slug>/export/": page(ALL, 404, 200, query=RANGE + "&format=xlsx&data=rows"),
    "reports/<slug:slug>/summary/": page(ALL, 404, 200, query=RANGE),
    # brand A's knowledge: supervisors (managers only where the brand grants it; brand A does not)
    "knowledge/": page(ALL, 200, 200),
    "knowledge/<slug:slug>/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/snippets/new/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/snippets/<int:pk>/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/snippets/<int:pk>/status/": page(POST, 404, 403),
    "knowledge/<slug:slug>/snippets/<int:pk>/compare/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/snippets/<int:pk>/restore/": page(POST, 404, 403),
    "knowledge/<slug:slug>/products/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/products/new/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/products/<int:pk>/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/import/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/export/snippets/": page(ALL, 404, 403),
    "knowledge/<slug:slug>/export/products/": page(ALL, 404, 403),
    # the API, with a token; ingest naming brand A (by slug or by its channel account): unknown to brand B (400),
    # not the manager's to ingest (403)
    "api/v1/mentions/": api(POST, 400, 403),
    "api/v1/tickets/": api(GET, 200, 200),
    "api/v1/tickets/<int:pk>/": api(GET, 404, 200),
    "api/v1/tickets/<int:pk>/suggestions/": api(GET, 404, 403),
    "api/v1/tickets/<int:pk>/render/": api(POST, 404, 403),
    "api/v1/tickets/<int:pk>/replies/": api(POST, 404, 403),
    # the notes: a manager reads those meant for the client, and writes none
    "api/v1/tickets/<int:pk>/notes/": api(("GET", "POST"), 404, 200, manager_by_method={"POST": 403}),
    # bulk actions on brand A's ticket: nothing in brand B's scope (404), the manager's to read only (403)
    "api/v1/tickets/bulk/": api(POST, 404, 403),
    # `Get next` through the API: brand B has nothing to take (204), a manager works no ticket (403)
    "api/v1/tickets/next/": api(POST, 204, 403),
    # the saved views the caller may use: brand B's operator sees none of brand A's; a team view of brand A is made
    # and removed by its supervisors only (view:team): unknown to brand B (404), refused to the manager (403)
    "api/v1/views/": api(("GET", "POST"), 200, 200, b_by_method={"POST": 404}, manager_by_method={"POST": 403}),
    "api/v1/views/<int:pk>/": api(("DELETE",), 404, 403),
    "api/v1/tickets/<int:pk>/assign/": api(POST, 404, 403),
    # the ticket's customer card (a manager reads it) and linking identities (``ticket:work``)
    "api/v1/tickets/<int:pk>/customer/": api(GET, 404, 200),
    "api/v1/tickets/<int:pk>/customer/link/": api(POST, 404, 403),
    "api/v1/tickets/<int:pk>/customer/unlink/": api(POST, 404, 403),
    "api/v1/replies/<int:pk>/revise/": api(POST, 404, 403),
    "api/v1/tickets/<int:pk>/priority/": api(POST, 404, 403),
    "api/v1/tickets/<int:pk>/tags/": api(POST, 404, 403),
    "api/v1/tickets/<int:pk>/<slug:action>/": api(POST, 404, 403),
    "api/v1/replies/<int:pk>/": api(GET, 404, 200),
    "api/v1/replies/<int:pk>/retry/": api(POST, 404, 403),
    "api/v1/snippets/": api(GET, 400, 400, query="?brand={slug}"),
    "api/v1/reviews/": api(GET, 200, 200),
    # brand A's channel accounts: its supervisors' (brand B's operator and brand A's manager configure nothing)
    "api/v1/channel-accounts/": api(GET, 403, 403),
    "api/v1/replies/<int:pk>/approve/": api(POST, 404, 403),
    "api/v1/replies/<int:pk>/request-changes/": api(POST, 404, 403),
    # knowledge, reports, channel accounts, settings (apimore): brand A's knowledge is its supervisors' (404 for
    # brand B, 403 for the manager: brand A does not grant managers knowledge); its report is the manager's to
    # read; one channel account, the supervisors'; the settings are read by the manager (settings:history) and
    # changed by the supervisors, the goals by the manager too; the webhooks are the supervisors' alone
    "api/v1/knowledge/<slug:slug>/snippets/": api(("GET", "POST"), 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/": api(("GET", "PATCH"), 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/archive/": api(POST, 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/unarchive/": api(POST, 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/": api(POST, 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/": api(GET, 404, 403),
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/<int:number>/": api(GET, 404, 403),
    "api/v1/knowledge/<slug:slug>/products/": api(("GET", "POST"), 404, 403),
    "api/v1/knowledge/<slug:slug>/products/<int:pk>/": api(("GET", "PATCH"), 404, 403),
    "api/v1/reports/<slug:slug>/": api(GET, 404, 200, query=RANGE),
    "api/v1/reports/<slug:slug>/tickets/": api(GET, 404, 200, query=RANGE + "&metric=all"),
    "api/v1/channel-accounts/<int:pk>/": api(GET, 404, 403),
    "api/v1/channel-accounts/<int:pk>/status/": api(GET, 404, 403),
    "api/v1/settings/<slug:slug>/": api(GET, 404, 200),
    "api/v1/settings/<slug:slug>/sla/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/review/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/csat/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/goals/": api(("GET", "PATCH"), 404, 200, manager_writes=True),
    "api/v1/settings/<slug:slug>/webhooks/": api(("GET", "POST"), 404, 403),
    # settings, more areas (apiset): priority, bounce phrases and the QA rubric are read by the manager
    # (settings:history) and changed by the supervisors; the webhooks are the supervisors' alone
    "api/v1/settings/<slug:slug>/priority/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/priority/urgency/": api(POST, 404, 403),
    "api/v1/settings/<slug:slug>/priority/urgency/<int:pk>/": api(("DELETE",), 404, 403),
    "api/v1/settings/<slug:slug>/priority/spam/": api(POST, 404, 403),
    "api/v1/settings/<slug:slug>/priority/spam/<int:pk>/": api(("DELETE",), 404, 403),
    "api/v1/settings/<slug:slug>/priority/blocked/": api(POST, 404, 403),
    "api/v1/settings/<slug:slug>/priority/blocked/<int:pk>/": api(("DELETE",), 404, 403),
    "api/v1/settings/<slug:slug>/bounces/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/qa/": api(("GET", "PATCH"), 404, 403, manager_by_method={"GET": 200}),
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/": api(("GET", "PATCH", "DELETE"), 404, 403),
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/rotate/": api(POST, 404, 403),
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/deliveries/": api(GET, 404, 403),
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/again/": api(POST, 404, 403),
    # QA and media (apiqa): brand A's supervisors read (qa:view) and grade (qa:grade); a manager reads QA only in
    # the report; the caller's own scorecards (brand B's operator and the manager have none); only the graded
    # operator acknowledges
    "api/v1/qa/sample/": api(GET, 404, 403, query="?brand={slug}"),
    "api/v1/qa/calibration/": api(GET, 404, 403, query="?brand={slug}"),
    "api/v1/qa/replies/<int:pk>/": api(("GET", "POST"), 404, 403),
    "api/v1/scorecards/": api(GET, 200, 200),
    "api/v1/scorecards/<int:pk>/acknowledge/": api(POST, 404, 404),
    # media and saved views (apigaps): our stored copies to keys, as the pages show them (a manager reads)
    "api/v1/media/m/<int:pk>/": api(GET, 404, 200),
    "api/v1/media/r/<int:pk>/": api(GET, 404, 200),
    # webhooks: no session; unsigned deliveries are refused (forgery in tests/security/test_webhook_forgery.py)
    "webhooks/x/": Route(ALL, 0, 0, public={"GET": 400, "POST": 401, "PUT": 405, "PATCH": 405, "DELETE": 405}),
    "webhooks/meta/": Route(ALL, 0, 0, public={"GET": 403, "POST": 401, "PUT": 405, "PATCH": 405, "DELETE": 405}),
}

#: ``api/v1/tickets/<id>/<action>/``: every action it takes, and one it does not (404 for everyone signed in)
API_ACTIONS = ("claim", "release", "resolve", "reopen", "restore")
UNKNOWN_ACTION = "delete"


def project_routes() -> list[str]:
    return [route for route, _pattern in walk(get_resolver().url_patterns) if not route.startswith("admin/")]


def test_every_route_is_walked_or_public_with_a_reason():
    routes = set(project_routes())
    assert routes - set(ROUTES) - set(PUBLIC) == set(), "give each new route its expectations in ROUTES"
    assert set(ROUTES) | set(PUBLIC) == routes, "a route listed here no longer exists"
    assert all(reason for reason in PUBLIC.values())


# --- brand A's world ----------------------------------------------------------------------------------------


@pytest.fixture
def world(cast):
    """Brand A with one of every object a route addresses, all marked with :data:`SECRET`: an open unclaimed
    ticket (tagged), a reply in review on another ticket, a snippet, a product, settings rules, a listening rule,
    a channel account and an unread notification of its operator."""
    brand = cast.brand_a
    channel = make_channel(brand, platform="x", external_id="4242", name=f"{SECRET} channel", access_token="tok")
    ReviewPolicy.objects.create(brand=brand, review_all=True)
    ticket = make_ticket(brand, platform_id="wi-1", handle="acme_customer", text=f"{SECRET} paket", author_id="c1")
    # the same customer on Instagram, and one more identity already linked to them (undone by the unlink route)
    make_ticket(brand, platform="instagram", platform_id="wi-ig", handle="acme.customer", text="halo", author_id="ig1")
    linked = make_ticket(
        brand, platform="instagram", platform_id="wi-ig2", handle="acme.cust2", text="halo", author_id="ig2"
    )
    customers.link(ticket=ticket, user=cast.supervisor, platform="instagram", handle="acme.cust2")
    tags.set_ticket_tags(ticket=ticket, user=cast.supervisor, names=["vip"])
    worked = make_ticket(brand, platform_id="wi-2", text=f"{SECRET} tagihan", author_id="c2")
    workflow.claim_ticket(ticket=worked, user=cast.operator)
    reply = replies.submit_reply(ticket=worked, user=cast.operator, body=f"{SECRET} balasan")
    assert reply.status == ReplyStatus.IN_REVIEW
    product = make_product(brand, f"{SECRET} Kuota")
    snippet = make_snippet(brand, title=f"{SECRET} Salam", body="Halo {customer_name}!", shortcut="salam")
    UrgencyTerm.objects.create(brand=brand, pattern="penipuan", label="fraud", weight=30)
    SpamPattern.objects.create(brand=brand, pattern="promo gratis", label="spam")
    BlockedAuthor.objects.create(brand=brand, platform="x", handle="spammer", note=SECRET)
    ListeningRule.objects.create(brand=brand, name=f"{SECRET} rule", keywords="acme")
    Notification.objects.create(
        user=cast.operator,
        brand=brand,
        ticket=ticket,
        kind=Notification.Kind.SLA_WARNING,
        created_at=ticket.received_at,
    )
    team_view = SavedView.objects.create(name=f"{SECRET} view", brand=brand, query={"q": SECRET})
    webhook = webhooks.create(
        brand=brand, name=f"{SECRET} hook", url="https://hooks.example.com/acme", events=["ticket.created"]
    )
    # a customer's photo stored from the (fake) CDN and an image on the reply in review (docs/media.md)
    cdn = FakeCDN()
    cdn.add(PHOTO_URL, image_bytes())
    with_photo = make_ticket(brand, platform="facebook", text=f"{SECRET} foto", media=(MediaRef("image", PHOTO_URL),))
    photo = MentionMedia.objects.get(mention__ticket=with_photo)
    with patch.object(channel_media, "transport", cdn.transport):
        media.fetch_copy(media_id=photo.pk)
    reply_image = media.attach(
        reply=reply, image=media.check_image(content=image_bytes(), name="a.png", rule=channel_media.X_IMAGE)
    )
    delivery = WebhookDelivery.objects.create(
        subscription=webhook, brand=brand, kind="ticket.created", body="{}", status=WebhookDelivery.Status.DELIVERED
    )
    # a published reply of brand A's operator, graded by its supervisor (the QA routes)
    published = Reply.objects.create(
        brand=brand,
        ticket=ticket,
        author=cast.operator,
        body=f"{SECRET} terkirim",
        status=ReplyStatus.SENT,
        sent_at=ticket.received_at,
    )
    second_grader = make_user("sup_a_qa")
    Membership.objects.create(user=second_grader, brand=brand, role=Role.SUPERVISOR)
    scorecard = qa.grade(reply=published, grader=second_grader, grade=QA_GRADE)
    return {
        "published": published,
        "scorecard": scorecard,
        "team_view": team_view,
        "webhook": webhook,
        "delivery": delivery,
        "brand": brand,
        "ticket": ticket,
        "reply": reply,
        "snippet": snippet,
        "product": product,
        "channel": channel,
        "urgency": UrgencyTerm.objects.get(brand=brand),
        "spam": SpamPattern.objects.get(brand=brand),
        "blocked": BlockedAuthor.objects.get(brand=brand),
        "api_key": api_keys.create_key(user=cast.supervisor, name=SECRET, scope="write", brand_slugs=[brand.slug]).key,
        "operator": cast.operator,
        "linked_author": linked.author_id,
        "photo": photo,
        "reply_image": reply_image,
    }


def paths(route: str, world) -> list[str]:
    """The concrete paths of ``route`` with brand A's objects; a parameter it does not know fails the test."""
    slug, reply = world["brand"].slug, world["reply"]
    if route.startswith(("replies/", "review/<", "api/v1/replies/")):
        pk = reply.pk
    elif route.startswith(("qa/replies/", "api/v1/qa/replies/")):
        pk = world["published"].pk
    elif route.startswith(("me/scorecards/<int:pk>", "api/v1/scorecards/<int:pk>")):
        pk = world["scorecard"].pk
    elif route.startswith("knowledge/<slug:slug>/snippets/<int:pk>"):
        pk = world["snippet"].pk
    elif route.startswith("knowledge/<slug:slug>/products/<int:pk>"):
        pk = world["product"].pk
    elif route.startswith("api/v1/knowledge/<slug:slug>/snippets/<int:pk>"):
        pk = world["snippet"].pk
    elif route.startswith("api/v1/knowledge/<slug:slug>/products/<int:pk>"):
        pk = world["product"].pk
    elif route.startswith("api/v1/channel-accounts/<int:pk>"):
        pk = world["channel"].pk
    elif route.startswith("profile/keys/"):
        pk = world["api_key"].pk
    elif route.startswith(("queue/views/<int:pk>", "api/v1/views/<int:pk>")):
        pk = world["team_view"].pk
    elif route.startswith(("settings/<slug:slug>/webhooks/<int:pk>", "api/v1/settings/<slug:slug>/webhooks/<int:pk>")):
        pk = world["webhook"].pk
    elif route.startswith("api/v1/settings/<slug:slug>/priority/") and route.endswith("/<int:pk>/"):
        pk = world[route.split("/")[5]].pk  # urgency, spam, blocked
    elif route.startswith(("media/m/", "api/v1/media/m/")):
        pk = world["photo"].pk
    elif route.startswith(("media/r/", "api/v1/media/r/")):
        pk = world["reply_image"].pk
    else:
        pk = world["ticket"].pk
    unknown = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"pk", "slug", "action", "number"}
    assert not unknown, f"teach paths() the parameter(s) {unknown} of {route!r}"
    path = "/" + route.replace("<int:pk>", str(pk)).replace("<slug:slug>", slug).replace("<int:number>", "1")
    query = ROUTES[route].query.format(slug=slug, snippet=world["snippet"].pk)
    if "<slug:action>" in path:
        return [path.replace("<slug:action>", a) + query for a in (*API_ACTIONS, UNKNOWN_ACTION)]
    return [path + query]


def sla_form(brand) -> dict:
    """The brand's SLA form as the page shows it, with one closed day added (a save that changes something)."""
    data = {**SlaSettingsForm.initial_from(current_settings(brand)), "holidays": "2026-12-31 Tutup buku"}
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}


#: the new-snippet form as the page sends it
SNIPPET_FORM = {
    "title": "Salam",
    "body": "Halo {customer_name}, ada yang bisa kami bantu?",
    "language": "id",
    "tone": "formal",
    "tags": "salam",
    "shortcut": "",
    "status": "published",
    "note": "",
}


#: a complete scorecard on the default rubric, as the grading page sends it (and as the service takes it)
QA_FORM = {
    "coaching": "Lebih ramah",
    **{f"score-{key}": "4" for key in ("tone", "knowledge", "ownership", "language", "etiquette")},
    **{f"comment-{key}": "" for key in ("tone", "knowledge", "ownership", "language", "etiquette")},
}
#: the same scorecard through the API
QA_API_GRADE = {
    "coaching": "Lebih ramah",
    "scores": {key: {"score": 4} for key in ("tone", "knowledge", "ownership", "language", "etiquette")},
}
QA_GRADE = qa.Grade(lines={k: qa.Line(4) for k in ("tone", "knowledge", "ownership", "language", "etiquette")})
#: the rubric page: a new weekly share and one criterion's weight changed
QA_SETTINGS_FORM = {
    "sample_percent": "10",
    "c-TOTAL_FORMS": "1",
    "c-INITIAL_FORMS": "0",
    "c-0-key": "tone",
    "c-0-name": "Nada",
    "c-0-description": "",
    "c-0-weight": "40",
    "c-0-is_active": "on",
}

#: a new webhook as the page sends it
WEBHOOK_FORM = {"name": "CRM", "url": "https://hooks.example.com/crm", "events": ["ticket.created", "sla.breach"]}


def payloads(route: str, world) -> list:
    """What the real page (or a well-behaved API client) sends to ``route``: valid for someone who may."""
    brand, snippet, product = world["brand"], world["snippet"], world["product"]
    snippet_form = {**SNIPPET_FORM, "title": "Salam baru"}
    product_form = {
        "name": "Kuota Mini",
        "category": "data",
        "specifications": "kuota: 5 GB",
        "faq": "",
        "competitor_notes": "",
    }
    forms = {
        "queue/next/": [keyed()],
        "queue/views/": [{"name": "Urgent for the team", "team": brand.pk, "priority": "4"}],
        "api/v1/views/": [{"name": "Urgent for the team", "team": brand.slug, "query": {"priority": "4"}}],
        "tickets/<int:pk>/priority/": [{"priority": 4}],
        "tickets/<int:pk>/claim/": [keyed()],
        "tickets/<int:pk>/reply/": [keyed({"body": "Halo Kak, mohon DM nomor pesanan ya", "snippets": ""})],
        "tickets/<int:pk>/note/": [keyed({"body": "cek resi"})],
        "tickets/<int:pk>/tags/": [{"tags": "vip, tagihan"}, {"tags": ""}],
        "queue/bulk/": [
            {"tickets": f"{world['ticket'].pk}:0", "action": "resolve"},
            {"tickets": [f"{world['ticket'].pk}:0"], "action": "assign", "assignee": world["operator"].pk},
            {"tickets": f"{world['ticket'].pk}:0", "action": "tag", "tag": "rusak"},
            {"tickets": f"{world['ticket'].pk}:0", "action": "priority", "priority": 4},
        ],
        "tickets/<int:pk>/assign/": [{"assignee": world["operator"].pk, "expected": 0, "note": "tolong cek"}],
        "tickets/<int:pk>/customer/link/": [{"platform": "instagram", "handle": "acme.customer"}],
        "tickets/<int:pk>/customer/unlink/": [{"author": world["linked_author"]}],
        "tickets/<int:pk>/presence/": [{"body": "mengetik"}],
        "replies/<int:pk>/revise/": [keyed({"body": "Halo Kak, boleh DM nomor pesanannya?"})],
        "replies/<int:pk>/retry/": [keyed()],
        "review/<int:pk>/approve/": [keyed({"revision": 1}), keyed({"revision": 1, "edit": "1", "body": "Halo!"})],
        "review/<int:pk>/changes/": [keyed({"revision": 1, "code": "tone", "note": "Lebih ramah ya"})],
        "settings/<slug:slug>/sla/": [sla_form(brand)],
        "settings/<slug:slug>/priority/": [
            {"action": "routing", "routing_mode": "load", "operator_capacity": 3, "idle_owner_minutes": 0},
            {"action": "urgency", "pattern": "darurat", "label": "urgent", "weight": 40},
            {"action": "spam", "pattern": "klik link", "label": "spam"},
            {"action": "blocked", "platform": "x", "handle": "troll", "note": ""},
            {"action": "delete-urgency", "pk": world["urgency"].pk},
            {"action": "delete-spam", "pk": world["spam"].pk},
            {"action": "delete-blocked", "pk": world["blocked"].pk},
        ],
        "settings/<slug:slug>/review/": [{"sample_percent": 50, "review_all": "on", "flagged_terms": "gratis"}],
        "settings/<slug:slug>/goals/": [{"fr_compliance": "90", "reopen_rate": "5", "csat": "85"}],
        "settings/<slug:slug>/csat/": [
            {
                "enabled": "on",
                "platforms": ["facebook", "instagram"],
                "default_language": "id",
                "expiry_days": 7,
                "repeat_window_hours": 72,
                "low_rating": 2,
                "reopen_on_low": "on",
            }
        ],
        "settings/<slug:slug>/webhooks/": [WEBHOOK_FORM],
        "settings/<slug:slug>/qa/": [QA_SETTINGS_FORM],
        "qa/replies/<int:pk>/": [QA_FORM],
        "settings/<slug:slug>/webhooks/<int:pk>/": [
            {"action": "again", "delivery": world["delivery"].pk},
            {**WEBHOOK_FORM, "action": "update", "name": "Renamed"},
            {"action": "rotate"},
            {"action": "pause"},
            {"action": "resume"},
            {"action": "delete"},
        ],
        "tickets/<int:pk>/reply/bounces/": [{"body": "silakan hubungi call center"}],
        "profile/": [{"name": "CRM", "scope": "write", "brands": [brand.slug]}],
        "knowledge/<slug:slug>/snippets/new/": [snippet_form],
        "knowledge/<slug:slug>/snippets/<int:pk>/": [{**snippet_form, "note": "lebih ramah"}],
        "knowledge/<slug:slug>/snippets/<int:pk>/status/": [{"status": "archived"}],
        "knowledge/<slug:slug>/snippets/<int:pk>/restore/": [{"number": 1}],
        "knowledge/<slug:slug>/products/new/": [product_form],
        "knowledge/<slug:slug>/products/<int:pk>/": [{**product_form, "name": product.name}],
        "knowledge/<slug:slug>/import/": [
            {"kind": "snippets", "file": knowledge.export_snippets_csv(brand=brand).replace("Salam", "Halo")},
            {"kind": "products", "file": knowledge.export_products_csv(brand=brand).replace("Kuota", "Paket")},
        ],
        "api/v1/mentions/": [
            [_mention(brand=brand.slug)],
            [_mention(channel_account=world["channel"].pk)],
            {"mentions": [_mention(brand=brand.slug, platform_id="forged-2")]},
        ],
        "api/v1/tickets/<int:pk>/render/": [{"snippet": snippet.pk}],
        "api/v1/tickets/<int:pk>/replies/": [{"body": "Halo Kak, kami cek dulu ya"}],
        "api/v1/tickets/<int:pk>/notes/": [{"body": "cek resi"}, {"body": "untuk klien", "visibility": "client"}],
        "api/v1/tickets/bulk/": [
            {"action": "resolve", "tickets": [{"id": world["ticket"].pk, "expected_assignee": None}]},
            {"action": "tag", "tag": "vip2", "tickets": [{"id": world["ticket"].pk, "expected_assignee": None}]},
        ],
        "api/v1/tickets/<int:pk>/assign/": [{"assignee": "op_a", "expected_assignee": None, "note": "tolong cek"}],
        "api/v1/tickets/<int:pk>/customer/link/": [{"platform": "instagram", "handle": "acme.customer"}],
        "api/v1/tickets/<int:pk>/customer/unlink/": [{"identity": world["linked_author"]}],
        "api/v1/replies/<int:pk>/revise/": [{"body": "Halo Kak, sudah kami cek"}],
        "api/v1/tickets/<int:pk>/priority/": [{"priority": "urgent"}],
        "api/v1/tickets/<int:pk>/tags/": [{"tags": ["vip", "tagihan"]}, {"tags": []}],
        "api/v1/replies/<int:pk>/approve/": [{"revision": 1}, {"body": "Halo Kak!", "revision": 1}],
        "api/v1/replies/<int:pk>/request-changes/": [{"reason": "tone", "note": "Lebih ramah ya", "revision": 1}],
        "api/v1/knowledge/<slug:slug>/snippets/": [{"title": "Salam baru", "body": "Halo {customer_name}"}],
        "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/": [{"title": "Salam lagi", "note": "judul"}],
        "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/": [{"number": 1}],
        "api/v1/knowledge/<slug:slug>/products/": [{"name": "Kuota Mini", "specifications": {"kuota": "5 GB"}}],
        "api/v1/knowledge/<slug:slug>/products/<int:pk>/": [{"category": "data"}],
        "api/v1/settings/<slug:slug>/sla/": [{"hours_0": "08:00-16:00", "round_the_clock": False}],
        "api/v1/settings/<slug:slug>/review/": [{"sample_percent": 50}],
        "api/v1/settings/<slug:slug>/csat/": [{"enabled": True, "platforms": ["facebook"]}],
        "api/v1/settings/<slug:slug>/goals/": [{"csat": 80}],
        "api/v1/settings/<slug:slug>/priority/": [{"routing_mode": "load", "operator_capacity": 5}],
        "api/v1/settings/<slug:slug>/priority/urgency/": [{"pattern": "darurat", "label": "urgent", "weight": 30}],
        "api/v1/settings/<slug:slug>/priority/spam/": [{"pattern": "slot ?gacor", "is_regex": True, "label": "judi"}],
        "api/v1/settings/<slug:slug>/priority/blocked/": [{"platform": "instagram", "handle": "bot", "note": "spam"}],
        "api/v1/settings/<slug:slug>/bounces/": [{"bounce_terms": "ke kantor"}],
        "api/v1/settings/<slug:slug>/qa/": [
            {"sample_percent": 10, "criteria": [{"key": "tone", "name": "Nada", "weight": 40}]}
        ],
        "api/v1/settings/<slug:slug>/webhooks/": [{**WEBHOOK_FORM, "name": "CRM API"}],
        "api/v1/settings/<slug:slug>/webhooks/<int:pk>/": [{"name": "Renamed", "is_active": False}],
        "api/v1/settings/<slug:slug>/webhooks/<int:pk>/again/": [{"delivery": world["delivery"].pk}],
        "api/v1/qa/replies/<int:pk>/": [QA_API_GRADE],
        "webhooks/x/": [{"for_user_id": "4242", "tweet_create_events": []}],
        "webhooks/meta/": [{"object": "page", "entry": [{"id": "4242", "changes": []}]}],
    }
    return forms.get(route, [{}])


def _mention(**target) -> dict:
    return {
        "platform": "x",
        "platform_id": target.pop("platform_id", "forged-1"),
        "author": {"id": "c1", "handle": "acme_customer", "name": "Forged", "followers_count": 9_999_999},
        "text": "forged mention",
        "posted_at": "2025-03-03T09:00:00Z",
        **target,
    }


# --- clients --------------------------------------------------------------------------------------------------


class Caller:
    """One attacker: a browser session with its CSRF token (enforced), or an API client with a token."""

    def __init__(self, user, *, api_client: bool):
        self.api = api_client
        if api_client:
            self.client = KeyedAPIClient()
            if user is not None:
                self.client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
            self.csrf = {}
        else:
            self.client = Client(enforce_csrf_checks=True)
            if user is not None:
                self.client.force_login(user)
            self.client.get("/login/" if user is None else "/queue/")
            self.csrf = {"HTTP_X_CSRFTOKEN": self.client.cookies["csrftoken"].value}

    def send(self, method: str, path: str, data):
        if self.api:
            if method == "GET":
                return self.client.get(path)
            return getattr(self.client, method.lower())(path, data, format="json")
        if method == "GET":
            return self.client.get(path, **self.csrf)
        if method == "POST":
            if isinstance(data, dict) and "file" in data:
                upload = SimpleUploadedFile("import.csv", data["file"].encode(), content_type="text/csv")
                data = {**data, "file": upload, "csrfmiddlewaretoken": self.csrf["HTTP_X_CSRFTOKEN"]}
            return self.client.post(path, data if isinstance(data, dict) else json.dumps(data), **self.csrf)
        body = urlencode(data, doseq=True) if isinstance(data, dict) else json.dumps(data)
        ctype = "application/x-www-form-urlencoded" if isinstance(data, dict) else "application/json"
        return getattr(self.client, method.lower())(path, body, content_type=ctype, **self.csrf)


@pytest.fixture
def quiet(monkeypatch, django_capture_on_commit_callbacks):
    """Everything a refused request could have sent or queued, recorded: tasks, commit callbacks, mail and any
    HTTP call (``responses`` with no address registered)."""
    tasks: list[str] = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **kw: tasks.append(self.name))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as network:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            yield {"tasks": tasks, "network": network, "callbacks": callbacks}


def nothing_sent(quiet) -> dict:
    return {
        "tasks": list(quiet["tasks"]),
        "calls": [call.request.url for call in quiet["network"].calls],
        "callbacks": len(quiet["callbacks"]),
        "mail": [m.subject for m in mail.outbox],
    }


def expected(route: Route, method: str, who: str) -> int:
    if route.public:
        return route.public[method]
    if who == "anonymous":
        return route.anonymous
    if method not in route.serves:
        return 405
    if who == "operator_b":
        return route.b_by_method.get(method, route.b)
    return route.manager_by_method.get(method, route.manager)


def is_api(route: str) -> bool:
    return route.startswith("api/")


@pytest.mark.parametrize("who", ["operator_b", "manager", "anonymous"])
def test_no_route_and_no_method_writes_into_brand_a(cast, world, quiet, who):
    user = None if who == "anonymous" else getattr(cast, who)
    callers = {False: Caller(user, api_client=False), True: Caller(user, api_client=True)}
    before = db_state()
    mismatches, changed = [], []
    walked = 0
    for route, spec in ROUTES.items():
        caller = callers[is_api(route)]
        for path in paths(route, world):
            for method in METHODS:
                for data in payloads(route, world) if method != "GET" else [{}]:
                    response = caller.send(method, path, data)
                    walked += 1
                    want = expected(spec, method, who)
                    if path.endswith(f"/{UNKNOWN_ACTION}/") and who != "anonymous" and method == "POST":
                        want = 404
                    got = response.status_code
                    if got != want:
                        mismatches.append((method, path, got, want))
                    elif got == 302 and who == "anonymous" and not spec.public:
                        assert response["Location"].startswith("/login/?next="), (method, path)
                    if who != "manager" and not response.streaming and SECRET in response.content.decode():
                        mismatches.append((method, path, "shows brand A's text", ""))
                    after = db_state()
                    if after != before:
                        if not (who == "manager" and spec.manager_writes):
                            changed.append((method, path, [k for k in after if after[k] != before[k]]))
                        before = after
    assert mismatches == [], "\n".join(map(str, mismatches))
    assert changed == []
    assert nothing_sent(quiet) == {"tasks": [], "calls": [], "callbacks": 0, "mail": []}
    assert walked > 350


# --- the payloads are valid: brand A's supervisor sending the same is accepted ----------------------------------

#: (route, status for the supervisor, does the database change?); GET-only routes need no control
ACCEPTED = {
    "queue/next/": 302,
    "queue/bulk/": 302,
    "tickets/<int:pk>/assign/": 302,
    "tickets/<int:pk>/customer/link/": 302,
    "tickets/<int:pk>/customer/unlink/": 302,
    "queue/views/": 302,
    "queue/views/<int:pk>/remove/": 302,
    "tickets/<int:pk>/priority/": 302,
    "tickets/<int:pk>/claim/": 302,
    "tickets/<int:pk>/resolve/": 302,
    "tickets/<int:pk>/reply/": 302,
    "tickets/<int:pk>/note/": 302,
    "tickets/<int:pk>/tags/": 302,
    "review/<int:pk>/approve/": 302,
    "review/<int:pk>/changes/": 302,
    "settings/<slug:slug>/sla/": 302,
    "settings/<slug:slug>/priority/": 302,
    "settings/<slug:slug>/review/": 302,
    "settings/<slug:slug>/goals/": 200,
    "profile/": 200,
    "profile/keys/<int:pk>/revoke/": 302,
    "settings/<slug:slug>/csat/": 302,
    "settings/<slug:slug>/qa/": 302,
    "qa/replies/<int:pk>/": 302,
    "settings/<slug:slug>/webhooks/": 200,
    "settings/<slug:slug>/webhooks/<int:pk>/": 302,
    "knowledge/<slug:slug>/snippets/new/": 302,
    "knowledge/<slug:slug>/snippets/<int:pk>/": 302,
    "knowledge/<slug:slug>/snippets/<int:pk>/status/": 302,
    "knowledge/<slug:slug>/products/new/": 302,
    "knowledge/<slug:slug>/products/<int:pk>/": 302,
    "knowledge/<slug:slug>/import/": 302,
    "api/v1/mentions/": 201,
    "api/v1/tickets/<int:pk>/<slug:action>/": 0,  # per action: API_ACTION_ACCEPTED
    "api/v1/tickets/<int:pk>/replies/": 201,
    "api/v1/tickets/<int:pk>/notes/": 201,
    "api/v1/tickets/bulk/": 200,
    "api/v1/tickets/next/": 200,
    "api/v1/tickets/<int:pk>/assign/": 200,
    "api/v1/tickets/<int:pk>/customer/link/": 200,
    "api/v1/tickets/<int:pk>/customer/unlink/": 200,
    "api/v1/tickets/<int:pk>/priority/": 200,
    "api/v1/tickets/<int:pk>/tags/": 200,
    "api/v1/replies/<int:pk>/approve/": 200,
    "api/v1/replies/<int:pk>/request-changes/": 200,
    "api/v1/knowledge/<slug:slug>/snippets/": 201,
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/archive/": 200,
    "api/v1/knowledge/<slug:slug>/products/": 201,
    "api/v1/settings/<slug:slug>/priority/urgency/": 201,
    "api/v1/settings/<slug:slug>/priority/spam/": 201,
    "api/v1/settings/<slug:slug>/priority/blocked/": 201,
    "api/v1/settings/<slug:slug>/webhooks/": 201,
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/rotate/": 200,
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/again/": 201,
    "api/v1/qa/replies/<int:pk>/": 201,
    "api/v1/views/": 201,
}
#: ``api/v1/tickets/<id>/<action>/``, in this order (a resolved ticket takes no reply)
API_ACTION_ACCEPTED = {"claim": 200, "resolve": 200}


def _claimed_by_supervisor(cast, world) -> None:
    workflow.claim_ticket(ticket=world["ticket"], user=cast.supervisor)


#: the state an action needs before the supervisor sends it (a reply needs the ticket claimed)
PREPARE = {
    "tickets/<int:pk>/reply/": _claimed_by_supervisor,
    "api/v1/tickets/<int:pk>/replies/": _claimed_by_supervisor,
}


@pytest.mark.parametrize("route", sorted(ACCEPTED))
def test_the_payloads_are_accepted_from_someone_who_may(cast, world, route):
    """Each payload of the matrix, sent by brand A's supervisor on a fresh brand A, writes: the refusals above
    are the scoping layer's, not a form error, a missing CSRF token or idempotency key."""
    caller = Caller(cast.supervisor, api_client=is_api(route))
    PREPARE.get(route, lambda cast, world: None)(cast, world)
    (first, *_more) = paths(route, world)
    if route.endswith("<slug:action>/"):
        sends = [(first.replace("/claim/", f"/{a}/"), want) for a, want in API_ACTION_ACCEPTED.items()]
    else:
        sends = [(first, ACCEPTED[route])]
    for path, want in sends:
        before = db_state()
        response = caller.send("POST", path, payloads(route, world)[0])
        assert response.status_code == want, (path, response.content[:300])
        assert db_state() != before, path


def test_the_routes_without_a_control_are_reads_or_refuse_by_state(cast, world):
    """The POST routes that :func:`test_the_payloads_are_accepted_from_someone_who_may` leaves out: their action
    needs a state brand A's world does not have (a claimed, resolved or ignored ticket, a failed or sent-back
    reply, an older snippet version), or it touches only the caller's own things (the cache's ticket viewers, their
    own notifications). Each answers someone who may as the page would, with the state's refusal."""
    posts = {r for r, s in ROUTES.items() if "POST" in s.serves and s.serves != ALL and not s.public}
    assert posts - set(ACCEPTED) == {
        "tickets/<int:pk>/release/",
        "tickets/<int:pk>/reopen/",
        "tickets/<int:pk>/restore/",
        "tickets/<int:pk>/presence/",
        "replies/<int:pk>/revise/",
        "replies/<int:pk>/retry/",
        "knowledge/<slug:slug>/snippets/<int:pk>/restore/",
        "notifications/read/",
        "queue/alerts/",
        "api/v1/tickets/<int:pk>/render/",
        "api/v1/replies/<int:pk>/retry/",
        "api/v1/replies/<int:pk>/revise/",
        "tickets/<int:pk>/reply/bounces/",
        "me/scorecards/<int:pk>/acknowledge/",
        "api/v1/scorecards/<int:pk>/acknowledge/",
        "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/unarchive/",
        "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/",
    }
    supervisor, operator = Caller(cast.supervisor, api_client=False), Caller(cast.operator, api_client=False)
    for caller, route, message in [
        (supervisor, "tickets/<int:pk>/release/", "Nobody owns this ticket."),
        (supervisor, "tickets/<int:pk>/reopen/", "Only a resolved or closed ticket can be reopened."),
        (supervisor, "tickets/<int:pk>/restore/", "Only an ignored ticket can be restored."),
        (
            supervisor,
            "knowledge/<slug:slug>/snippets/<int:pk>/restore/",
            "That version is what the snippet already says.",
        ),
        (operator, "replies/<int:pk>/retry/", f"Only a reply that was not published can be retried; {IN_REVIEW}"),
    ]:
        (path,) = paths(route, world)
        response = caller.send("POST", path, payloads(route, world)[0])
        assert response.status_code == 302, route
        assert [str(m) for m in response.wsgi_request._messages][-1] == message, route
    (path,) = paths("replies/<int:pk>/revise/", world)
    response = operator.send("POST", path, payloads("replies/<int:pk>/revise/", world)[0])
    assert response.status_code == 400
    (shown,) = [i.obj for i in response.context["conversation"] if i.kind == "reply" and i.obj == world["reply"]]
    assert shown.revise_form.errors["body"] == [
        "Only a reply sent back for changes or not published can be revised; this one is In review."
    ]
    (path,) = paths("tickets/<int:pk>/presence/", world)
    assert supervisor.send("POST", path, {"body": "x"}).status_code == 200
    (path,) = paths("tickets/<int:pk>/reply/bounces/", world)
    response = operator.send("POST", path, payloads("tickets/<int:pk>/reply/bounces/", world)[0])
    assert response.status_code == 200
    assert "“hubungi call center”" in response.content.decode()
    api_operator = Caller(cast.operator, api_client=True)
    (path,) = paths("api/v1/scorecards/<int:pk>/acknowledge/", world)
    response = api_operator.send("POST", path, {})
    assert (response.status_code, response.json()["acknowledged_now"]) == (200, True)
    (path,) = paths("me/scorecards/<int:pk>/acknowledge/", world)
    assert operator.send("POST", path, {}).status_code == 302  # only the graded operator acknowledges
    assert Scorecard.objects.get(pk=world["scorecard"].pk).acknowledged_at is not None
    (path,) = paths("notifications/read/", world)
    assert operator.send("POST", path, {}).status_code == 302
    (path,) = paths("queue/alerts/", world)
    assert operator.send("POST", path, {"enabled": "1"}).status_code == 302
    assert list(QueuePreference.objects.values_list("user_id", "browser_alerts")) == [(cast.operator.pk, True)]
    assert list(Notification.objects.values_list("read_at", flat=True)) != [None]
    (path,) = paths("api/v1/replies/<int:pk>/retry/", world)
    response = api_operator.send("POST", path, {})
    assert response.status_code == 409
    assert response.json()["detail"] == f"Only a reply that was not published can be retried; {IN_REVIEW}"
    (path,) = paths("api/v1/replies/<int:pk>/revise/", world)
    response = api_operator.send("POST", path, {"body": "Halo Kak"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Only a reply sent back for changes or not published can be revised; this one is In review."},
    )
    sup_api = Caller(cast.supervisor, api_client=True)
    for route, detail in [
        ("api/v1/knowledge/<slug:slug>/snippets/<int:pk>/unarchive/", "This snippet is not archived."),
        ("api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/", "That version is what the snippet already says."),
    ]:
        (path,) = paths(route, world)
        response = sup_api.send("POST", path, payloads(route, world)[0])
        assert (response.status_code, response.json()) == (409, {"detail": detail}), route
    (path,) = paths("api/v1/tickets/<int:pk>/render/", world)
    response = sup_api.send("POST", path, {"snippet": world["snippet"].pk})
    assert response.json()["text"] == "Halo Acme_Customer!"


IN_REVIEW = "this one is In review."


def test_a_post_without_the_csrf_token_is_refused_even_from_someone_who_may(cast, world, quiet):
    """The matrix sends the CSRF token; without it, brand A's own supervisor is refused (403) on a page and on
    the API through the browser's session, and nothing changes. Token-authenticated API calls carry no cookie
    for a third-party page to ride on, so they need none."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.supervisor)
    before = db_state()
    ticket = world["ticket"].pk
    assert browser.post(f"/tickets/{ticket}/note/", keyed({"body": "no token"})).status_code == 403
    assert browser.post("/settings/acme/priority/", {"action": "spam", "pattern": "x", "label": "y"}).status_code == 403
    api_session = Client(enforce_csrf_checks=True)
    api_session.force_login(cast.supervisor)
    response = api_session.post(
        f"/api/v1/tickets/{ticket}/notes/",
        {"body": "no token"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40",
    )
    assert response.status_code == 403
    assert db_state() == before
    token = Caller(cast.supervisor, api_client=True)
    assert token.send("POST", f"/api/v1/tickets/{ticket}/notes/", {"body": "with a token"}).status_code == 201


# --- shared records: what one brand could rewrite for the other ---------------------------------------------------


def test_brand_b_cannot_reach_brand_a_snippets_products_or_tags_through_its_own_pages(cast, world, quiet):
    """Snippets and products are addressed under a brand's slug, tags by name within a brand: brand B's
    supervisor, naming brand A's ids under brand B's own slug, in a reply or a render of brand B's own ticket,
    reaches nothing of brand A; the same tag name makes brand B a tag of its own."""
    Membership.objects.filter(user=cast.operator_b).update(role=Role.SUPERVISOR)
    b = Caller(cast.operator_b, api_client=False)
    own, snippet, product = cast.brand_b.slug, world["snippet"].pk, world["product"].pk
    ticket_b = make_ticket(cast.brand_b, platform_id="b-1", text="halo")
    workflow.claim_ticket(ticket=ticket_b, user=cast.operator_b)
    before = db_state()
    for method, path, data, status in [
        ("POST", f"/knowledge/{own}/snippets/{snippet}/", {"title": "x", "body": "y", "language": "id"}, 404),
        ("POST", f"/knowledge/{own}/snippets/{snippet}/status/", {"status": "archived"}, 404),
        ("POST", f"/knowledge/{own}/snippets/{snippet}/restore/", {"number": 1}, 404),
        ("GET", f"/knowledge/{own}/snippets/{snippet}/compare/", {}, 404),
        ("POST", f"/knowledge/{own}/products/{product}/", {"name": "x"}, 404),
        ("GET", f"/tickets/{ticket_b.pk}/snippets/render/?snippet={snippet}", {}, 404),
    ]:
        assert b.send(method, path, data).status_code == status, path
    api_b = Caller(cast.operator_b, api_client=True)
    assert api_b.send("POST", f"/api/v1/tickets/{ticket_b.pk}/render/", {"snippet": snippet}).status_code == 404
    assert db_state() == before
    # brand A's snippet id in brand B's reply: the reply is brand B's, the id is not counted as used
    reply_b = keyed({"body": "Halo", "snippets": snippet})
    assert b.send("POST", f"/tickets/{ticket_b.pk}/reply/", reply_b).status_code == 302
    assert not Event.objects.filter(kind="reply.snippets_used").exists()
    assert db_state()["snippets"] == before["snippets"]
    assert b.send("POST", f"/tickets/{ticket_b.pk}/tags/", {"tags": "vip"}).status_code == 302
    assert sorted(Tag.objects.filter(name="vip").values_list("brand__slug", flat=True)) == ["acme", "globex"]
    assert list(Tag.objects.get(brand=cast.brand_a, name="vip").tickets.all()) == [world["ticket"]]
    assert nothing_sent(quiet)["calls"] == []


# --- the admin site ----------------------------------------------------------------------------------------------


def admin_urls(world) -> list[str]:
    """Every page of the admin site for every registered model: list, add, and for brand A's object of it
    (where brand A has one) change, delete and history."""
    objects = {
        "brand": world["brand"],
        "ticket": world["ticket"],
        "reply": world["reply"],
        "snippet": world["snippet"],
        "product": world["product"],
        "channelaccount": world["channel"],
        "urgencyterm": world["urgency"],
        "spampattern": world["spam"],
        "blockedauthor": world["blocked"],
        "author": world["ticket"].author,
        "mention": world["ticket"].mentions.first(),
        "note": None,
        "notification": Notification.objects.filter(brand=world["brand"]).first(),
        "listeningrule": ListeningRule.objects.filter(brand=world["brand"]).first(),
        "event": world["ticket"].events.first(),
    }
    urls = ["/admin/"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = objects.get(model._meta.model_name) or model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk]))
    return urls


def test_the_admin_is_closed_to_staff_who_are_not_superusers(cast, world, quiet):
    """The admin site has no brand scoping (superusers see every brand by design), so a staff flag and every
    model permission given to brand B's operator still opens none of it: each page and each POST to it answers
    with the admin's login page, and nothing changes."""
    user = cast.operator_b
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    before = db_state()
    urls = admin_urls(world)
    assert len(urls) > 60
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"name": "owned", "post": "yes"} if method == "post" else None)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/admin/login/?next="), (method, url)
    assert db_state() == before
    assert nothing_sent(quiet) == {"tasks": [], "calls": [], "callbacks": 0, "mail": []}
    # and a superuser still gets in
    root = Client()
    root.force_login(cast.admin)
    assert root.get(f"/admin/brands/snippet/{world['snippet'].pk}/change/").status_code == 200


# --- write paths outside HTTP: load_config and ingest_file ---------------------------------------------------------


def load_config(tmp_path, document: dict, *args: str) -> str:
    path = tmp_path / "globex.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    out = StringIO()
    call_command("load_config", str(path), *args, stdout=out)
    return out.getvalue().strip()


def brand_a_rows(state: dict, brand_id: int) -> dict:
    """The rows of ``state`` that belong to brand ``brand_id`` (or to its staff), table by table."""
    staff = set(Membership.objects.filter(brand_id=brand_id).values_list("user_id", flat=True))
    return {
        table: [
            row
            for row in rows
            if row.get("brand_id") == brand_id
            or (table == "users" and row["pk"] in staff)
            or row.get("id") == brand_id
            and table == "brands"
        ]
        for table, rows in state.items()
    }


@pytest.mark.parametrize(
    ("brand_b", "problem"),
    [
        ({"slug": "acme", "name": "Owned"}, "brands[0].slug: this file may only describe brand globex"),
        (
            {"slug": "globex", "channels": [{"platform": "x", "external_id": "4242", "name": "mine"}]},
            "brands[0].channels[0]: x account 4242 belongs to another brand",
        ),
        (
            {"slug": "globex", "routing": {"operators": {"mgr_a": {"languages": ["id"]}}}},
            "brands[0].routing.operators.mgr_a: not a member of this brand",
        ),
        (
            {"slug": "globex", "review": {"on_probation": ["op_a"]}},
            "brands[0].review.on_probation: 'op_a' is not a member of this brand",
        ),
    ],
)
def test_a_config_file_for_brand_b_cannot_write_into_brand_a(cast, world, tmp_path, brand_b, problem):
    before = db_state()
    with pytest.raises(CommandError) as refused:
        load_config(tmp_path, {"brands": [brand_b]}, "--brand", "globex")
    assert problem in str(refused.value)
    assert db_state() == before


@pytest.mark.parametrize(
    ("user", "problem"),
    [
        ({"username": "mgr_a", "email": "owned@evil.example"}, "users[0].username: mgr_a is an admin or a member"),
        ({"username": "root", "email": "owned@evil.example"}, "users[0].username: root is an admin or a member"),
        ({"username": "newcomer", "admin": True}, "users[0].admin: a file for brand globex cannot make a superuser"),
    ],
)
def test_a_config_file_for_brand_b_cannot_change_brand_a_staff_or_make_an_admin(cast, world, tmp_path, user, problem):
    before = db_state()
    with pytest.raises(CommandError) as refused:
        load_config(tmp_path, {"users": [user], "brands": [{"slug": "globex"}]}, "--brand", "globex")
    assert problem in str(refused.value)
    assert db_state() == before


def test_brand_b_names_what_brand_a_has_and_gets_its_own(cast, world, tmp_path):
    """Rules, snippets, products, patterns and blocked authors are keyed within a brand: brand B's file naming
    brand A's (a listening rule, a snippet shortcut, a product, a pattern, a handle) makes brand B's own rows, and
    a user of brand B's own staff is updated, while every row of brand A (and its staff) stays as it was."""
    before = brand_a_rows(db_state(), cast.brand_a.pk)
    document = {
        "users": [{"username": "op_b", "email": "op_b@globex.example"}, {"username": "new_b"}],
        "brands": [
            {
                "slug": "globex",
                "members": {"op_b": "supervisor", "new_b": "operator", "mgr_a": "manager"},
                "listening_rules": [{"name": f"{SECRET} rule", "keywords": ["globex"]}],
                "products": [{"name": f"{SECRET} Kuota", "category": "b"}],
                "snippets": [{"title": "Salam B", "body": "Halo dari B", "shortcut": "salam"}],
                "urgency_terms": [{"pattern": "penipuan", "label": "b", "weight": 5}],
                "spam_patterns": [{"pattern": "promo gratis", "label": "b"}],
                "blocked_authors": [{"platform": "x", "handle": "spammer", "note": "b"}],
            }
        ],
    }
    summary = load_config(tmp_path, document, "--brand", "globex")
    assert "users created" in summary
    assert brand_a_rows(db_state(), cast.brand_a.pk) == before
    for model in (ListeningRule, UrgencyTerm, SpamPattern, BlockedAuthor):
        assert sorted(model.objects.values_list("brand__slug", flat=True)) == ["acme", "globex"], model
    assert list(Membership.objects.filter(user=cast.manager).values_list("brand__slug", "role").order_by("pk")) == [
        ("acme", "manager"),
        ("globex", "manager"),
    ]


def test_ingest_file_for_brand_b_naming_brand_a_lands_in_brand_b(cast, world, tmp_path):
    """``ingest_file --brand globex``: a record naming brand A, or addressed to brand A's channel account, is
    brand B's mention on brand B's own customer profile; brand A's tickets, mentions and authors stay as they
    were."""
    before = brand_a_rows(db_state(), cast.brand_a.pk)
    records = [
        {
            "platform": "x",
            "platform_id": "wi-1",  # brand A's mention id
            "brand": "acme",
            "author": {"id": "c1", "handle": "acme_customer", "name": "Owned", "followers_count": 9_999_999},
            "text": "forged edit of brand A's mention",
            "posted_at": "2025-03-03T09:00:00Z",
        }
    ]
    path = tmp_path / "mentions.json"
    path.write_text(json.dumps(records))
    out = StringIO()
    call_command("ingest_file", "--platform", "json", str(path), "--brand", "globex", "--no-progress", stdout=out)
    assert out.getvalue().startswith("created 1, duplicates 0, edited 0")
    assert brand_a_rows(db_state(), cast.brand_a.pk) == before
    assert Ticket.objects.get(brand=cast.brand_b).author.name == "Owned"
