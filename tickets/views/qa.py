"""QA scorecards (docs/qa.md): the supervisors' QA page (the week's sample of each brand they grade, and the
calibration list), grading one reply, an operator's own scorecards with their acknowledgement, and the brand's
rubric settings.

Scoping: ``/qa/`` and grading need ``qa:grade`` (supervisors, admins): a reply out of scope is a 404, in scope
without the capability a 403. An operator reads and acknowledges only their own scorecards (anyone else's: 404).
Brand managers read QA results in the report only (``report:view``). The rubric is brand configuration
(``brand:configure``), audited like every setting.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brands.access import brand_ids_for, brands_for, get_brand_for_user
from brands.services import qa as rubric
from smrc.bounds import parse_int

from ..forms.qa import CriteriaFormSet, GradeForm, QaFilterForm, QaSettingsForm, criteria_initial
from ..selectors import qa as qa_reads
from ..services import qa

SCORECARDS_PAGE = 20


@login_required
def qa_index(request):
    """The week's sample of each brand the person grades (or of one), graded and not, and the calibration list."""
    form = QaFilterForm(request.GET)
    graded = list(brands_for(request.user, perm="qa:grade").order_by("name"))
    slug = form.brand_slug()
    if slug:
        chosen = [get_brand_for_user(request.user, slug, perm="qa:grade")]
    elif not graded:
        raise PermissionDenied
    else:
        chosen = graded
    monday = form.monday() or qa.current_week(chosen[0])
    samples = []
    for brand in chosen:
        sample = qa_reads.week_sample(request.user, brand, monday)
        sample.calibration, sample.agreement = qa_reads.calibration(brand, monday)
        samples.append(sample)
    context = {
        "samples": samples,
        "brands": graded,
        "brand": chosen[0] if slug else None,
        "week": qa.week_label(monday),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": qa.week_label(monday - timedelta(days=7)),
        "next_week": qa.week_label(monday + timedelta(days=7)),
        "ignored_filters": sorted(form.errors),
    }
    return render(request, "tickets/qa/index.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def qa_grade(request, pk: int):
    """Grade one published reply. Graders see the others' scorecards of this reply only once they graded it
    themselves (blind grading keeps calibration honest)."""
    reply = qa_reads.get_reply_to_grade(request.user, pk)
    criteria = rubric.criteria_for(reply.brand)
    cards = qa_reads.scorecards_of_reply(reply)
    mine = next((c for c in cards if c.grader_id == request.user.pk), None)
    refusal = None
    try:
        qa.check_gradable(reply, request.user)
    except qa.NotGradable as exc:
        refusal = str(exc)
    status = 200
    form = GradeForm(criteria=criteria)
    if request.method == "POST":
        if refusal or mine is not None:
            messages.error(request, refusal or _("You already graded this reply."))
            return redirect("tickets:qa_grade", pk=reply.pk)
        form = GradeForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                qa.grade(reply=reply, grader=request.user, grade=form.to_grade())
            except qa.AlreadyGraded:
                messages.error(request, _("You already graded this reply."))
                return redirect("tickets:qa_grade", pk=reply.pk)
            except qa.InvalidGrade as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, _("Scorecard saved. The operator is notified."))
                return redirect("tickets:qa_grade", pk=reply.pk)
        status = 400
    context = {
        "reply": reply,
        "ticket": reply.ticket,
        "form": form,
        "mine": mine,
        "others": [c for c in cards if c.grader_id != request.user.pk] if mine is not None else [],
        "others_count": len(cards) - (mine is not None),
        "refusal": refusal,
        "week": qa.week_label(qa.monday_of(reply.sent_at.astimezone(qa.zone_of(reply.brand)).date()))
        if reply.sent_at
        else "",
    }
    return render(request, "tickets/qa/grade.html", context, status=status)


@login_required
def my_scorecards(request):
    """The person's own scorecards, newest first, with every comment; for whoever works tickets."""
    if brand_ids_for(request.user, "ticket:work") == []:
        raise PermissionDenied
    page = Paginator(qa_reads.own_scorecards(request.user), SCORECARDS_PAGE).get_page(
        parse_int(request.GET.get("page", 1)) or 1
    )
    return render(request, "tickets/qa/mine.html", {"page": page})


@login_required
@require_POST
def acknowledge(request, pk: int):
    """The graded operator read the scorecard: once; a second time changes nothing."""
    card = qa_reads.get_own_scorecard(request.user, pk)
    if qa.acknowledge(scorecard=card, user=request.user):
        messages.success(request, _("Scorecard acknowledged."))
    else:
        messages.info(request, _("You already acknowledged this scorecard."))
    back = "tickets:my_performance" if request.POST.get("back") == "performance" else "tickets:my_scorecards"
    return redirect(f"{reverse(back)}#sc{card.pk}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def qa_settings(request, slug: str):
    """The brand's rubric and weekly sample share, for its supervisors; every save with its audit record."""
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    current = rubric.settings_for(brand)
    status = 200
    if request.method == "POST":
        form = QaSettingsForm(request.POST)
        rows = CriteriaFormSet(request.POST, prefix="c")
        if form.is_valid() and rows.is_valid():
            try:
                rubric.save_rubric(
                    brand=brand,
                    sample_percent=form.cleaned_data["sample_percent"],
                    rows=rows.rows(),
                    user=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("QA settings saved. Scorecards from now on use this rubric."))
                return redirect("tickets:qa_settings", slug=brand.slug)
        status = 400
    else:
        form = QaSettingsForm(initial={"sample_percent": current.sample_percent})
        rows = CriteriaFormSet(initial=criteria_initial(rubric.criteria_for(brand, active_only=False)), prefix="c")
    context = {"brand": brand, "form": form, "rows": rows}
    return render(request, "tickets/qa/settings.html", context, status=status)
