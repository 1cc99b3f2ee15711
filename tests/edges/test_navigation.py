"""Edge 6 and item 10 of issue 15: each role lands where its work is and the navigation shows what it may use and
nothing it may not. Every page a role reaches from "/" is crawled (the top bar, the settings pages' own
navigation, crumbs, lists): no link answers 403 or 404, and a one-brand supervisor reaches every settings page,
the channel accounts included."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from brands.models import Role
from tests.factories import PASSWORD, make_member, make_ticket, make_user

LINK = re.compile(r'<a [^>]*href="(/[^"]*)"')
SKIP = ("/logout/", "/admin/", "/static/", "/i18n/")
PAGES_PER_ROLE = 80


def crawl(user) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    start = client.get("/", follow=False)["Location"]
    seen, todo = {}, deque([start])
    while todo and len(seen) < PAGES_PER_ROLE:
        url = todo.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            path = urlsplit(href).path
            if href not in seen and not path.startswith(SKIP) and "/export/" not in path and "metric=" not in href:
                todo.append(href)
    return seen


@pytest.fixture
def roles(cast):
    make_ticket(cast.brand_a, text="Halo, kuota saya hilang")
    make_ticket(cast.brand_b, platform_id="b1", text="Kartu saya terblokir")
    knowledge_manager = make_user("mgr_kn")
    cast.brand_b.managers_edit_knowledge = True
    cast.brand_b.save(update_fields=["managers_edit_knowledge"])
    make_member(knowledge_manager, cast.brand_b, Role.MANAGER)
    return {
        "operator": cast.operator,
        "supervisor": cast.supervisor,
        "manager": cast.manager,
        "operator_b": cast.operator_b,
        "manager_with_knowledge": knowledge_manager,
        "admin": cast.admin,
    }


@pytest.mark.parametrize("role", ["operator", "supervisor", "manager", "operator_b", "manager_with_knowledge", "admin"])
def test_no_link_a_role_is_shown_answers_403_or_404(roles, role):
    answers = crawl(roles[role])
    refused = {url: status for url, status in answers.items() if status in (403, 404)}
    assert refused == {}
    assert len(answers) > 3


def test_managers_land_on_the_reports_and_operators_on_the_queue(cast):
    for user, where in ((cast.manager, "/reports/"), (cast.operator, "/queue/"), (cast.supervisor, "/queue/")):
        client = Client()
        client.force_login(user)
        assert client.get("/")["Location"] == where
        # a log-in without "next" lands the same way
        response = Client().post("/login/", {"username": user.get_username(), "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == where


def test_a_one_brand_supervisor_reaches_every_settings_page_and_the_channel_accounts(cast):
    answers = crawl(cast.supervisor)
    for path in (
        "/settings/",
        f"/settings/{cast.brand_a.slug}/sla/",
        f"/settings/{cast.brand_a.slug}/priority/",
        f"/settings/{cast.brand_a.slug}/review/",
        f"/settings/{cast.brand_a.slug}/goals/",
        f"/settings/{cast.brand_a.slug}/history/",
        "/settings/channels/",
    ):
        assert answers.get(path) == 200, path


def test_managers_reach_their_goals_and_history_from_settings(cast):
    answers = crawl(cast.manager)
    assert answers.get(f"/settings/{cast.brand_a.slug}/goals/") == 200
    assert answers.get(f"/settings/{cast.brand_a.slug}/history/") == 200
    assert f"/settings/{cast.brand_a.slug}/sla/" not in answers


def test_an_operator_is_shown_no_settings_and_no_channel_accounts(cast):
    client = Client()
    client.force_login(cast.operator_b)
    for url in ("/queue/", "/settings/"):
        page = client.get(url).content.decode()
        assert "/settings/channels/" not in page
    assert 'href="/settings/"' not in client.get("/queue/").content.decode()
