"""SLA reports (read-only): the brand picker, a brand's report, the tickets behind a figure, exports and the
definitions. Scoped by ``brands.access``: out of scope 404, in scope without ``report:view`` 403; admins also
get a report across every brand (in the site's time zone)."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.access import brands_for, get_brand_for_user, has_perm, is_admin
from brands.services import goals
from smrc import spreadsheets

from ..forms.reports import DrillDownForm, ExportForm, RangeForm, presets
from ..reports import charts, exports, headline, serving, summary
from ..reports import csat as csat_report
from ..reports import qa as qa_report
from ..reports.definitions import definitions_html
from ..reports.queries import NO_TAG, DrillDownError, build_report, drill_down, population

DRILL_PAGE_SIZE = 50

METRIC_LABELS = {
    "all": gettext_lazy("All tickets received"),
    "day": gettext_lazy("Received on a day"),
    "hour": gettext_lazy("Received in an hour of the week"),
    "fr_answered": gettext_lazy("With a first response"),
    "fr_met": gettext_lazy("First response within SLA"),
    "fr_breached": gettext_lazy("First response breached"),
    "nr_answered": gettext_lazy("With a next response"),
    "nr_breached": gettext_lazy("Next response breached"),
    "resolved": gettext_lazy("Resolved"),
    "res_met": gettext_lazy("Resolution within SLA"),
    "res_breached": gettext_lazy("Resolution breached"),
    "platform": gettext_lazy("Channel"),
    "priority": gettext_lazy("Priority"),
    "operator": gettext_lazy("Operator"),
    "sentiment": gettext_lazy("Sentiment"),
    "intent": gettext_lazy("Intent"),
    "tag": gettext_lazy("Tag"),
    "changes_requested": gettext_lazy("Changes requested in review"),
    "bounced": gettext_lazy("Resolved after sending the customer elsewhere"),
    "in_channel": gettext_lazy("Resolved in channel"),
    "handed_off": gettext_lazy("Handed from one owner to another"),
    "reopened": gettext_lazy("Reopened"),
    "csat_sent": gettext_lazy("Satisfaction survey sent"),
    "csat_rated": gettext_lazy("Rated by the customer"),
    "csat_satisfied": gettext_lazy("Rated 4 or 5"),
    "csat_unsatisfied": gettext_lazy("Rated 1 to 3"),
    "csat_rating": gettext_lazy("Rated"),
    "csat_group": gettext_lazy("Rated, in a group"),
}


def _today(tz: ZoneInfo) -> date:
    return timezone.now().astimezone(tz).date()


@login_required
def report_index(request):
    """Brands the user may report on, each with the range presets; admins also get "all brands"."""
    brands = list(brands_for(request.user, perm="report:view").only("pk", "name", "slug", "time_zone"))
    if not brands and not is_admin(request.user):
        raise PermissionDenied
    rows = [(brand, presets(_today(ZoneInfo(brand.time_zone)))) for brand in brands]
    context = {
        "rows": rows,
        "all_presets": presets(_today(ZoneInfo(settings.TIME_ZONE))) if is_admin(request.user) else None,
        "form": RangeForm(initial={"start": None}, tz=ZoneInfo(settings.TIME_ZONE)),
    }
    return render(request, "reports/index.html", context)


def _scope(request, slug: str | None):
    """(brand or None for all brands, brand ids, time zone). 404 out of scope, 403 without ``report:view``."""
    if slug is None:
        if not is_admin(request.user):
            raise Http404
        ids = list(brands_for(request.user, perm="report:view").values_list("pk", flat=True))
        return None, ids, ZoneInfo(settings.TIME_ZONE)
    brand = get_brand_for_user(request.user, slug, perm="report:view")
    return brand, [brand.pk], ZoneInfo(brand.time_zone)


def _links(brand) -> dict[str, str]:
    if brand is None:
        return {
            "report": reverse("tickets:report_all"),
            "tickets": reverse("tickets:report_all_tickets"),
            "export": reverse("tickets:report_all_export"),
        }
    return {
        "report": reverse("tickets:report", args=[brand.slug]),
        "tickets": reverse("tickets:report_tickets", args=[brand.slug]),
        "export": reverse("tickets:report_export", args=[brand.slug]),
    }


def _bad_range(request, brand, tz, form):
    context = {"brand": brand, "form": form, "presets": presets(_today(tz)), "links": _links(brand), "tz": tz}
    return render(request, "reports/report.html", context, status=400)


def _headline(brand, brand_ids, rng, data, served, satisfaction, now) -> list:
    """The headline figures against the previous period of the same length and the brand's goals."""
    before = headline.previous_range(rng)
    previous = headline.values(
        build_report(brand_ids, before, now=now),
        serving.serving(brand_ids, before),
        csat_report.csat(brand_ids, before),
    )
    return headline.headline(headline.values(data, served, satisfaction), previous, goals.goals_for(brand))


@login_required
def report(request, slug: str | None = None):
    brand, brand_ids, tz = _scope(request, slug)
    form = RangeForm(request.GET, tz=tz)
    if not form.is_valid():
        return _bad_range(request, brand, tz, form)
    rng = form.report_range()
    now = timezone.now()
    data = build_report(brand_ids, rng, now=now)
    served = serving.serving(brand_ids, rng)
    satisfaction = csat_report.csat(brand_ids, rng)
    before = headline.previous_range(rng)
    query = urlencode({"start": rng.first.isoformat(), "end": rng.last.isoformat()})
    context = {
        "serving": served,
        "previous": before,
        "headline": _headline(brand, brand_ids, rng, data, served, satisfaction, now),
        "csat": satisfaction,
        "qa": qa_report.qa_report(brand_ids, rng),
        "can_set_goals": brand is not None and has_perm(request.user, brand.pk, "goals:edit"),
        "goals_url": reverse("tickets:goal_settings", args=[brand.slug]) if brand is not None else "",
        "summary_url": (
            reverse("tickets:report_summary", args=[brand.slug]) if brand is not None and summary.is_month(rng) else ""
        ),
        "brand": brand,
        "form": form,
        "presets": presets(_today(tz)),
        "links": _links(brand),
        "tz": tz,
        "r": data,
        "query": query,
        "bars": charts.day_bars(data),
        "chart": {"width": charts.WIDTH, "height": charts.HEIGHT, "base": charts.HEIGHT - charts.AXIS},
        "heat": charts.heatmap_rows(data),
        "segments": charts.split_segments(data),
        "hours": range(24),
    }
    return render(request, "reports/report.html", context)


@login_required
def report_tickets(request, slug: str | None = None):
    brand, brand_ids, tz = _scope(request, slug)
    form = RangeForm(request.GET, tz=tz)
    drill = DrillDownForm(request.GET)
    if not form.is_valid():
        return _bad_range(request, brand, tz, form)
    if not drill.is_valid():
        context = {"brand": brand, "bad": True, "links": _links(brand), "drill": drill}
        return render(request, "reports/tickets.html", context, status=400)
    rng = form.report_range()
    page = drill.cleaned_data.get("page") or 1
    try:
        if drill.cleaned_data["metric"] in csat_report.METRICS:
            metric, value = drill.cleaned_data["metric"], drill.cleaned_data["value"]
            qs = csat_report.drill(brand_ids, rng, metric=metric, value=value)
        elif drill.cleaned_data["metric"] in serving.METRICS:
            qs = serving.drill(population(brand_ids, rng), drill.cleaned_data["metric"]).order_by("received_at", "pk")
        else:
            metric, value = drill.cleaned_data["metric"], drill.cleaned_data["value"]
            qs = drill_down(brand_ids, rng, metric=metric, value=value, now=timezone.now())
    except DrillDownError:
        return render(
            request, "reports/tickets.html", {"brand": brand, "bad": True, "links": _links(brand)}, status=400
        )
    metric, value = drill.cleaned_data["metric"], drill.cleaned_data["value"]
    offset = (page - 1) * DRILL_PAGE_SIZE
    rows = list(
        qs.select_related("brand", "author", "assignee").defer("assignee__password")[
            offset : offset + DRILL_PAGE_SIZE + 1
        ]
    )
    base = {
        "start": rng.first.isoformat(),
        "end": rng.last.isoformat(),
        **{k: drill.cleaned_data[k] for k in ("metric", "value")},
    }
    context = {
        "brand": brand,
        "links": _links(brand),
        "rng": rng,
        "metric": drill.cleaned_data["metric"],
        "metric_label": METRIC_LABELS[drill.cleaned_data["metric"]],
        "value": _("No tag") if (metric, value) == ("tag", NO_TAG) else value,
        "tickets": rows[:DRILL_PAGE_SIZE],
        "page": page,
        "prev_query": urlencode({**base, "page": page - 1}) if page > 1 else None,
        "next_query": urlencode({**base, "page": page + 1}) if len(rows) > DRILL_PAGE_SIZE else None,
        "back_query": urlencode({"start": rng.first.isoformat(), "end": rng.last.isoformat()}),
        "tz": tz,
    }
    return render(request, "reports/tickets.html", context)


@login_required
def report_export(request, slug: str | None = None):
    """``format`` csv | xlsx | pdf; ``data`` figures (default) | rows. Rows stream as CSV."""
    brand, brand_ids, tz = _scope(request, slug)
    form = RangeForm(request.GET, tz=tz)
    export = ExportForm(request.GET)
    if not form.is_valid():
        return _bad_range(request, brand, tz, form)
    if not export.is_valid():
        return HttpResponse(_("Unknown export format."), status=400, content_type="text/plain; charset=utf-8")
    rng, fmt, what = form.report_range(), export.cleaned_data["format"], export.cleaned_data["data"] or "figures"
    name = f"smrc-report-{brand.slug if brand else 'all-brands'}-{rng.first:%Y%m%d}-{rng.last:%Y%m%d}-{what}"
    if what == "csat" and fmt in ("csv", "xlsx"):
        rows = csat_report.export_rows(brand_ids, rng)
        if fmt == "csv":
            lines = spreadsheets.csv_lines(csat_report.EXPORT_HEADER, rows)
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        else:
            body = spreadsheets.xlsx_bytes([("ratings", csat_report.EXPORT_HEADER, rows)])
            response = HttpResponse(
                body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
    elif what == "qa" and fmt == "csv":
        rows = qa_report.export_rows(qa_report.qa_report(brand_ids, rng))
        response = StreamingHttpResponse(
            spreadsheets.csv_lines(qa_report.EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8"
        )
    elif what == "qa":
        return HttpResponse(_("QA scores export as CSV."), status=400, content_type="text/plain; charset=utf-8")
    elif what == "csat":
        return HttpResponse(_("Ratings export as CSV or XLSX."), status=400, content_type="text/plain; charset=utf-8")
    elif what == "rows" and fmt == "csv":
        lines = spreadsheets.csv_lines(exports.row_header(rng.tz), exports.ticket_rows(brand_ids, rng))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    elif what == "rows" and fmt == "xlsx":
        body = spreadsheets.xlsx_bytes([("tickets", exports.row_header(rng.tz), exports.ticket_rows(brand_ids, rng))])
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif what == "rows":
        return HttpResponse(
            _("Ticket rows export as CSV or XLSX."), status=400, content_type="text/plain; charset=utf-8"
        )
    else:
        now = timezone.now()
        data = build_report(brand_ids, rng, now=now)
        if fmt == "csv":
            response = StreamingHttpResponse(
                spreadsheets.csv_lines(exports.FIGURE_HEADER, exports.figure_rows(data)),
                content_type="text/csv; charset=utf-8",
            )
        elif fmt == "xlsx":
            body = spreadsheets.xlsx_bytes([("figures", exports.FIGURE_HEADER, exports.figure_rows(data))])
            response = HttpResponse(
                body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        else:
            title = _("SLA report: %(brand)s") % {"brand": brand.name if brand else _("all brands")}
            served, satisfaction = serving.serving(brand_ids, rng), csat_report.csat(brand_ids, rng)
            figures = _headline(brand, brand_ids, rng, data, served, satisfaction, now)
            body = exports.pdf_bytes(
                data,
                title=title,
                headline=figures,
                previous=headline.previous_range(rng),
                qa=qa_report.qa_report(brand_ids, rng),
            )
            response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def report_summary(request, slug: str):
    """The one-page summary of a calendar month for the brand's client (the PDF the monthly mail carries), in the
    brand's language."""
    brand, _brand_ids, tz = _scope(request, slug)
    form = RangeForm(request.GET, tz=tz)
    if not form.is_valid():
        return _bad_range(request, brand, tz, form)
    rng = form.report_range()
    if not summary.is_month(rng):
        return HttpResponse(
            _("The monthly summary covers one calendar month, from its first day to its last."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(summary.summary_pdf(brand, rng, now=timezone.now()), content_type=summary.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{summary.filename(brand, rng)}"'
    return response


@login_required
def report_definitions(request):
    return render(request, "reports/definitions.html", {"body": definitions_html()})


@login_required
def report_go(request):
    """The picker's form: to the chosen brand's report for the chosen range."""
    slug = request.GET.get("brand", "")
    query = urlencode({k: request.GET.get(k, "") for k in ("start", "end")})
    if slug == "all-brands":
        return redirect(f"{reverse('tickets:report_all')}?{query}")
    brand = get_brand_for_user(request.user, slug, perm="report:view")
    return redirect(f"{reverse('tickets:report', args=[brand.slug])}?{query}")
