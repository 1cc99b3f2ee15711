"""The ticket page and its actions. Each action: scoped fetch with its capability, one service call, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import perms_for

from ..forms.review import ReviseForm
from ..forms.ticket import NoteForm, ReplyForm, TagsForm
from ..models import ACTIVE_STATUSES, ReplyStatus
from ..selectors.review import changes_label, get_reply_for_user, reviewer_names, revisions_of
from ..selectors.ticket import (
    author_history,
    conversation_of,
    get_ticket_for_user,
    tags_of,
    ticket_page_queryset,
    timeline_of,
)
from ..services import charcount, idempotency, media, replies, tags, viewers, workflow
from . import workspace
from .review import reasons_in_words

#: replies whose review or failure the page explains (reasons, reviewer's note, revisions, Revise / Retry)
EXPLAINED = (ReplyStatus.IN_REVIEW, ReplyStatus.CHANGES_REQUESTED, ReplyStatus.FAILED)


def _explain_replies(conversation, *, revise_form: ReviseForm | None, revise_id: int | None) -> None:
    """Attach to each reply in review, sent back or failed: its review reasons in words, its revisions and the
    reviewer's name (two queries, only when there is such a reply)."""
    shown = [item.obj for item in conversation if item.kind == "reply" and item.obj.status in EXPLAINED]
    if not shown:
        return
    revisions, reviewers = revisions_of(shown), reviewer_names(shown)
    for r in shown:
        r.reason_words = reasons_in_words(r.review_reasons)
        r.revision_list = revisions.get(r.pk, [])
        r.reviewer_name = reviewers.get(r.pk, "")
        r.changes_label = changes_label(r)
        r.revise_form = revise_form if revise_id == r.pk else ReviseForm(initial={"body": r.body})


@login_required
def ticket_detail(
    request,
    pk: int,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    revise_form: ReviseForm | None = None,
    revise_id: int | None = None,
    tags_form: TagsForm | None = None,
    status: int = 400,
):
    ticket = get_ticket_for_user(request.user, pk, queryset=ticket_page_queryset())
    perms = perms_for(request.user, ticket.brand_id)
    team_notes = "note:team" in perms  # brand managers read only the notes meant for the client
    conversation = conversation_of(ticket, team_notes=team_notes)
    blocking = [
        item.obj.status
        for item in conversation
        if item.kind == "reply" and item.obj.status in replies.REPLY_BLOCKING_STATUSES
    ]
    # Only a reply on its way refreshes the thread; one in review or sent back waits for a person.
    reply_in_flight = any(status in (ReplyStatus.APPROVED, ReplyStatus.SENDING) for status in blocking)
    _explain_replies(conversation, revise_form=revise_form, revise_id=revise_id)
    can_work = "ticket:work" in perms
    review_expected, flagged_terms = (
        replies.review_hint(ticket=ticket, user=request.user)
        if can_work and ticket.status in ACTIVE_STATUSES
        else (False, [])
    )
    ticket_tags = tags_of(ticket)
    others = viewers.others(ticket.pk, request.user)
    latest = max((i.obj for i in conversation if i.kind == "mention"), key=lambda m: (m.posted_at, m.pk), default=None)
    image_rule = media.reply_image_rule(ticket, latest) if latest is not None else None
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "timeline": timeline_of(ticket, team_notes=team_notes),
        "tags": ticket_tags,
        "tags_form": tags_form,
        "history": author_history(ticket),
        "perms": perms,
        "can_work": can_work,
        "is_mine": ticket.assignee_id == request.user.pk,
        "is_active": ticket.status in ACTIVE_STATUSES,
        "reply_in_flight": reply_in_flight,
        "reply_blocked": blocking[0] if blocking else "",
        "review_expected": review_expected,
        "flagged_terms": flagged_terms,
        "others": others,
        "reply_form": reply_form or ReplyForm(image_rule=image_rule),
        "image_rule": image_rule,
        "note_form": note_form or NoteForm(),
        "reply_limit": charcount.LIMITS.get(ticket.platform, replies.REPLY_MAX_LENGTH),
        **workspace.ticket_context(request, ticket, perms=perms, others=others),
    }
    if reply_form or note_form or revise_form or tags_form:
        response = render(request, "tickets/ticket.html", context, status=status)
        if request.htmx:
            # A boosted form answered in place: keep the ticket's address in the bar, not the action's.
            response["HX-Replace-Url"] = reverse("tickets:detail", args=[ticket.pk])
        return response
    return render(request, "tickets/ticket.html", context)


def _act(request, pk: int, action, success: str, *, keyed: bool = False):
    """One button's action; ``keyed``: the form carries an idempotency key (``{% submission_key %}``), so a
    repeat of the press answers as the first one did."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    _run_button(request, lambda **key: action(ticket=ticket, user=request.user, **key), success, keyed=keyed)
    return redirect("tickets:detail", pk=pk)


def _run_button(request, call, success: str, *, keyed: bool) -> None:
    """Run ``call`` (with ``key=`` when ``keyed``) and say how it went; a key missing or malformed does nothing."""
    kwargs = {}
    if keyed:
        kwargs["key"] = idempotency.parse(request.POST.get(idempotency.FIELD))
        if kwargs["key"] is None:
            messages.error(request, _("This page was out of date, so nothing was done. Try again."))
            return
    try:
        call(**kwargs)
    except (workflow.WorkflowError, idempotency.KeyReused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


@login_required
@require_POST
def claim(request, pk: int):
    return _act(request, pk, workflow.claim_ticket, _("You own this ticket now."), keyed=True)


@login_required
@require_POST
def release(request, pk: int):
    return _act(request, pk, workflow.release_ticket, _("The ticket is back in the queue."))


@login_required
@require_POST
def resolve(request, pk: int):
    return _act(request, pk, workflow.resolve_ticket, _("Ticket resolved."))


@login_required
@require_POST
def reopen(request, pk: int):
    return _act(request, pk, workflow.reopen_ticket, _("Ticket reopened."))


@login_required
@require_POST
def reply(request, pk: int):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    if _oversized(request):  # an upload far over any image limit is refused unread
        form = ReplyForm.refused(_("The upload is too large, so nothing was done."))
        return ticket_detail(request, pk, reply_form=form, status=413)
    form = ReplyForm(request.POST, request.FILES, image_rule=media.reply_image_rule(ticket))
    if not form.is_valid():
        return ticket_detail(request, pk, reply_form=form)
    try:
        sent = replies.submit_reply(
            ticket=ticket,
            user=request.user,
            body=form.cleaned_data["body"],
            snippet_ids=form.cleaned_data["snippets"],
            key=form.cleaned_data[idempotency.FIELD],
            image=form.cleaned_data["image"],
        )
    except (workflow.WorkflowError, idempotency.KeyReused) as exc:
        return ticket_detail(request, pk, reply_form=form, status=_refuse(form, "body", exc))
    # A repeat of the submission (a double click) answers as the first did: the reply went to review or not.
    if sent.review_reasons:
        reasons = " ".join(reasons_in_words(sent.review_reasons))
        messages.success(request, _("Submitted for review. %(reasons)s") % {"reasons": reasons})
    else:
        messages.success(request, _("Reply sent."))
    return redirect("tickets:detail", pk=pk)


def _oversized(request) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > settings.SMRC_REPLY_IMAGE_MAX_BYTES + 256 * 1024


@login_required
@require_POST
def revise(request, pk: int):
    reply = get_reply_for_user(request.user, pk, perm="ticket:work")
    form = ReviseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            revised = replies.revise_reply(
                reply=reply, user=request.user, body=form.cleaned_data["body"], key=form.cleaned_data[idempotency.FIELD]
            )
        except (workflow.WorkflowError, idempotency.KeyReused) as exc:
            status = _refuse(form, "body", exc)
        else:
            if revised.status == ReplyStatus.IN_REVIEW:
                messages.success(request, _("Revised and submitted for review."))
            else:
                messages.success(request, _("Revised; it is being published."))
            return redirect("tickets:detail", pk=reply.ticket_id)
    return ticket_detail(request, reply.ticket_id, revise_form=form, revise_id=reply.pk, status=status)


@login_required
@require_POST
def retry(request, pk: int):
    reply = get_reply_for_user(request.user, pk, perm="ticket:work")
    _run_button(
        request,
        lambda **key: replies.retry_reply(reply=reply, user=request.user, **key),
        _("Publishing the reply again."),
        keyed=True,
    )
    return redirect("tickets:detail", pk=reply.ticket_id)


@login_required
@require_POST
def presence_beat(request, pk: int):
    """The page's heartbeat (htmx, every ~10 s): note that this user is here, and whether they are writing
    (the reply box is not empty); answer who else is. Cache only, no database write."""
    ticket = get_ticket_for_user(request.user, pk)
    viewers.beat(ticket.pk, request.user, composing=bool(request.POST.get("body", "").strip()))
    return render(request, "tickets/_presence.html", {"others": viewers.others(ticket.pk, request.user)})


def _form_action(request, pk: int, *, form_class, form_name: str, field: str, action, success: str):
    """Validate ``form_class`` and call ``action(ticket, cleaned_data)``; a bad form or a refusal re-renders the
    ticket with the form and its error in place (400)."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            action(ticket, form.cleaned_data)
        except (workflow.WorkflowError, idempotency.KeyReused) as exc:
            status = _refuse(form, field, exc)
        else:
            messages.success(request, success)
            return redirect("tickets:detail", pk=pk)
    return ticket_detail(request, pk, status=status, **{form_name: form})


def _refuse(form, field: str, exc: Exception) -> int:
    """Put a refusal into the form; a spent key (the form was sent before with other content) gets the form a
    fresh one, so sending it again is a new submission: 409. A state that refuses the action: 400."""
    form.add_error(field, ValidationError(str(exc), code=getattr(exc, "code", None)))
    if isinstance(exc, idempotency.KeyReused):
        form.renew_key()
        return 409
    return 400


@login_required
@require_POST
def note(request, pk: int):
    return _form_action(
        request,
        pk,
        form_class=NoteForm,
        form_name="note_form",
        field="body",
        action=lambda ticket, data: workflow.add_note(
            ticket=ticket,
            user=request.user,
            body=data["body"],
            visibility=data["visibility"],
            key=data[idempotency.FIELD],
        ),
        success=_("Note added."),
    )


@login_required
@require_POST
def set_tags(request, pk: int):
    return _form_action(
        request,
        pk,
        form_class=TagsForm,
        form_name="tags_form",
        field="tags",
        action=lambda ticket, data: tags.set_ticket_tags(ticket=ticket, user=request.user, names=data["tags"]),
        success=_("Tags saved."),
    )
