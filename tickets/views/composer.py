"""The composer's endpoints on the ticket page (htmx): snippets for this ticket, one filled for it, and the
warning about phrases that send the customer elsewhere while the reply is written."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ..forms.composer import BounceCheckForm, ComposerSearchForm, RenderForm
from ..selectors.ticket import get_ticket_for_user, ticket_page_queryset
from ..services import composer


@login_required
def snippet_options(request, pk: int):
    """The listbox of snippets: ranked suggestions for the ticket, or search results for ``q`` (words or
    ``/shortcut``). Operators see only published, unexpired snippets of the ticket's brand."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = ComposerSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = composer.search(brand_id=ticket.brand_id, q=q) if q else composer.suggestions(ticket=ticket)
    return render(request, "tickets/_snippet_options.html", {"ticket": ticket, "hits": hits, "q": q})


@login_required
def snippet_render(request, pk: int):
    """``?snippet=<id>``: the snippet filled for this ticket, as JSON ``{id, title, text, unfilled}``.
    404 for a snippet of another brand, 409 for a draft, archived or expired one."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work", queryset=ticket_page_queryset())
    form = RenderForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        snippet = composer.usable_snippet(ticket=ticket, snippet_id=form.cleaned_data["snippet"])
    except composer.SnippetNotFound as exc:
        raise Http404 from exc
    except composer.SnippetUnavailable as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    rendered = composer.render(ticket=ticket, user=request.user, snippet=snippet)
    return JsonResponse(
        {"id": snippet.pk, "title": snippet.title, "text": rendered.text, "unfilled": rendered.unfilled}
    )


@login_required
@require_POST
def bounce_check(request, pk: int):
    """The reply being written (``body``, POST: a draft never goes into a URL or a log) checked for phrases that
    send the customer elsewhere; answers the warning fragment (empty when there is none)."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = BounceCheckForm(request.POST)
    if not form.is_valid():  # longer than any reply may be: nothing to warn about, and nothing is checked
        return JsonResponse({"errors": form.errors}, status=400)
    result = composer.check_bounces(ticket=ticket, text=form.cleaned_data["body"])
    return render(request, "tickets/_bounce_warning.html", {"check": result})
