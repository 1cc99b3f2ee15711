"""The limits the page benchmarks are measured against: bare Django pages over the same tables.

``ROOT_URLCONF = "bench._bare"`` (bench/pages.py sets it while it measures) adds, before the app's own URLs:

- ``/bench-bare/empty/``: an empty response through the whole middleware stack (session, auth, CSRF, locale,
  presence, request log): the floor any page pays;
- ``/bench-bare/queue/``: the queue's first page of rows — the same scoped, ordered queryset as the queue
  (``queue_for``: same SQL) — rendered by a template of a dozen lines;
- ``/bench-bare/tickets/<pk>/``: the ticket with its mentions (the same scoped fetch), as plainly.

The gap between a real page and its bare one is what the real page adds: filter counts, brand lists, the
template's markup and tags, the composer, the timeline.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from tickets.selectors.queue import QueueFilters, queue_for
from tickets.selectors.ticket import get_ticket_for_user, ticket_page_queryset

QUEUE = engines["django"].from_string(
    """<!doctype html><title>queue</title><table>
{% for t in tickets %}<tr><td><a href="/tickets/{{ t.pk }}/">{{ t.subject }}</a></td><td>{{ t.brand.name }}</td>
<td>@{{ t.author.handle }}</td><td>{{ t.status }}</td><td>{{ t.priority }}</td><td>{{ t.due_at|date:"c" }}</td>
<td>{{ t.assignee.username|default:"" }}</td></tr>{% endfor %}</table>"""
)
TICKET = engines["django"].from_string(
    """<!doctype html><title>{{ ticket.subject }}</title><h1>{{ ticket.subject }}</h1>
<p>{{ ticket.brand.name }} · @{{ ticket.author.handle }} · {{ ticket.status }}</p>
{% for m in mentions %}<article><b>@{{ m.author.handle }}</b> {{ m.posted_at|date:"c" }}<p>{{ m.text }}</p></article>
{% endfor %}"""
)


def empty(request):
    return HttpResponse("ok")


def queue(request):
    rows = list(queue_for(request.user, QueueFilters())[: settings.SMRC_QUEUE_PAGE_SIZE])
    return HttpResponse(QUEUE.render({"tickets": rows}, request))


def ticket(request, pk: int):
    found = get_ticket_for_user(request.user, pk, queryset=ticket_page_queryset())
    mentions = found.mentions.select_related("author").order_by("posted_at", "pk")
    return HttpResponse(TICKET.render({"ticket": found, "mentions": mentions}, request))


urlpatterns = [
    path("bench-bare/empty/", empty),
    path("bench-bare/queue/", queue),
    path("bench-bare/tickets/<int:pk>/", ticket),
    path("", include("smrc.urls")),
]
