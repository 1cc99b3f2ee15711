"""Supervisor review: the queue of replies waiting for review (by SLA due time, the ticket beside the reply),
approve / edit and approve / request changes; the brand's review policy settings. Thin: scoped fetch with its
capability, one service call, redirect. Replies outside the user's brands answer 404, reviewers without
``reply:approve`` on the brand 403."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import get_brand_for_user
from brands.services import review_policy
from smrc.bounds import parse_id

from ..forms.review import ApproveForm, ChangesForm, ReviewPolicyForm
from ..models import ReplyStatus
from ..selectors.review import (
    changes_label,
    decisions_of,
    get_reply_for_user,
    mentions_of,
    operators_of,
    review_policy_for,
    review_queue_for,
    reviewer_names,
    revisions_of,
)
from ..services import idempotency, replies
from ..services.workflow import WorkflowError

if TYPE_CHECKING:  # annotations only: the pages reach models through services and selectors
    from ..models import Reply

QUEUE_LIMIT = 200


def reasons_in_words(reasons: list[dict]) -> list[str]:
    return [review_policy.describe(r) for r in reasons or []]


@login_required
def review_queue(request):
    items = list(review_queue_for(request.user)[:QUEUE_LIMIT])
    selected = None
    wanted = parse_id(request.GET.get("r", ""))
    if wanted is not None:
        selected = next((r for r in items if r.pk == wanted), None)
        if selected is None:
            # not in review any more (or not yours): show it read-only if it is in scope, else 404
            selected = get_reply_for_user(request.user, wanted, perm="reply:approve")
    elif items:
        selected = items[0]
    context = {"items": items, "selected": selected, "approve_form": None, "changes_form": None}
    if selected is not None:
        context.update(_detail_context(request, selected, items))
    return render(request, "tickets/review/queue.html", context)


def _detail_context(request, reply: "Reply", items: "list[Reply]", **forms) -> dict:
    ticket = reply.ticket
    ids = [r.pk for r in items]
    index = ids.index(reply.pk) if reply.pk in ids else -1
    revisions = revisions_of([reply]).get(reply.pk, [])
    if request.method == "GET" and reply.status == ReplyStatus.IN_REVIEW and reply.author_id != request.user.pk:
        replies.mark_review_started(reply)
    latest = revisions[-1].number if revisions else 1
    reply.changes_label = changes_label(reply)
    reply.reviewer_name = reviewer_names([reply]).get(reply.pk, "")
    return {
        "ticket": ticket,
        "mentions": mentions_of(reply),
        "revisions": revisions,
        "decisions": decisions_of(reply),
        "reasons": reasons_in_words(reply.review_reasons),
        "own": reply.author_id == request.user.pk,
        "next_url": f"{reverse('tickets:review')}?r={ids[index + 1]}" if 0 <= index < len(ids) - 1 else "",
        "prev_url": f"{reverse('tickets:review')}?r={ids[index - 1]}" if index > 0 else "",
        "approve_form": forms.get("approve_form") or ApproveForm(initial={"revision": latest, "body": reply.body}),
        "changes_form": forms.get("changes_form") or ChangesForm(initial={"revision": latest}),
    }


def _after(request, reply: "Reply"):
    """Back to the queue, on the next reply waiting."""
    nxt = review_queue_for(request.user).exclude(pk=reply.pk).first()
    url = reverse("tickets:review")
    return redirect(f"{url}?r={nxt.pk}" if nxt else url)


def _refused(request, reply: "Reply", status: int = 400, **forms):
    items = list(review_queue_for(request.user)[:QUEUE_LIMIT])
    reply.refresh_from_db()
    context = {"items": items, "selected": reply, **_detail_context(request, reply, items, **forms)}
    return render(request, "tickets/review/queue.html", context, status=status)


def _with_error(form, exc: Exception):
    """The decision's form with the refusal on top; a spent key gets a fresh one (sending again is new)."""
    form.add_error(None, str(exc))
    if isinstance(exc, idempotency.KeyReused):
        form.renew_key()
    return form


@login_required
@require_POST
def approve(request, pk: int):
    reply = get_reply_for_user(request.user, pk, perm="reply:approve")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _refused(request, reply, approve_form=form)
    body = form.cleaned_data["body"] if "edit" in request.POST else None
    try:
        replies.approve_reply(
            reply=reply,
            user=request.user,
            body=body,
            expected_revision=form.cleaned_data["revision"],
            key=form.cleaned_data[idempotency.FIELD],
        )
    except (WorkflowError, idempotency.KeyReused) as exc:
        return _refused(request, reply, status=409, approve_form=_with_error(form, exc))
    messages.success(request, _("Reply approved; it is being published."))
    return _after(request, reply)


@login_required
@require_POST
def request_changes(request, pk: int):
    reply = get_reply_for_user(request.user, pk, perm="reply:approve")
    form = ChangesForm(request.POST)
    if not form.is_valid():
        return _refused(request, reply, changes_form=form)
    try:
        replies.request_changes(
            reply=reply,
            user=request.user,
            code=form.cleaned_data["code"],
            note=form.cleaned_data["note"],
            expected_revision=form.cleaned_data["revision"],
            key=form.cleaned_data[idempotency.FIELD],
        )
    except (WorkflowError, idempotency.KeyReused) as exc:
        return _refused(request, reply, status=409, changes_form=_with_error(form, exc))
    messages.success(request, _("Sent back to %(name)s with your note.") % {"name": reply.author.get_username()})
    return _after(request, reply)


@login_required
def review_settings(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    policy = review_policy_for(brand)
    members = operators_of(brand)
    if request.method == "POST":
        form = ReviewPolicyForm(request.POST, instance=policy)
        if form.is_valid():
            probation = {pk for x in request.POST.getlist("probation") if (pk := parse_id(x)) is not None}
            # one service call: the policy, who is on probation (of the operators listed) and the audit record
            review_policy.update_review_policy(
                brand=brand,
                values=form.cleaned_data,
                on_probation=probation,
                among={m.pk for m in members},
                user=request.user,
            )
            messages.success(request, _("Review policy saved. It applies to replies submitted from now on."))
            return redirect("tickets:review_settings", slug=brand.slug)
        status = 400
    else:
        form = ReviewPolicyForm(instance=policy)
        status = 200
    return render(
        request, "tickets/review/settings.html", {"brand": brand, "form": form, "members": members}, status=status
    )
