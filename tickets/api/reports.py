"""The SLA report through the API: every figure of the report page as JSON (the headline against the previous
period and the brand's goals, volume, response times, compliance, the breakdowns, review, serving in channel,
CSAT, QA), and the tickets behind a figure (the page's drill-down), cursor-paginated.

The same parameters and validation as the page (``start`` and ``end``, local dates of the brand, both included;
the page's own range form) and the same scoping: a brand out of scope 404, in scope without ``report:view`` 403
(read-only keys hold it). The all-brands report is the admins' (404 for anyone else), in the site's time zone."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for, get_brand_for_user, is_admin
from brands.services import goals

from ..forms.reports import DrillDownForm, RangeForm
from ..reports import csat as csat_report
from ..reports import headline, serving
from ..reports.qa import qa_report
from ..reports.queries import DrillDownError, build_report, drill_down, population
from ..selectors.ticket import ticket_tags_prefetch
from .schema import operation
from .serializers import TicketOut
from .serializers_more import CheckedCursorPagination, ReportOut, cursor_page

TAGS = ["reports"]
PERM = "report:view"

START = OpenApiParameter(
    "start", OpenApiTypes.DATE, required=True, description="The first day (YYYY-MM-DD, the brand's local date)."
)
END = OpenApiParameter(
    "end", OpenApiTypes.DATE, required=True, description="The last day, included (at most 366 days after start)."
)
METRIC = OpenApiParameter(
    "metric",
    OpenApiTypes.STR,
    required=True,
    enum=[c for c, _label in DrillDownForm.base_fields["metric"].choices],
    description="The figure whose tickets to list (docs/report-definitions.md).",
)
VALUE = OpenApiParameter(
    "value", OpenApiTypes.STR, description="The group or day the metric needs (a platform, priority, day …)."
)
CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="The `next` or `previous` link's cursor.")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page, at most 200 (default 50).")

ReportTicketPageOut = cursor_page("ReportTicketPageOut", TicketOut)


class DrillPagination(CheckedCursorPagination):
    """Oldest first, as the page lists them."""

    ordering = ("received_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _scope(request, slug: str | None):
    """(brand or None for all brands, brand ids, time zone): as the report page."""
    if slug is None:
        if not is_admin(request.user):
            raise Http404
        ids = list(brands_for(request.user, perm=PERM).values_list("pk", flat=True))
        return None, ids, ZoneInfo(settings.TIME_ZONE)
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    return brand, [brand.pk], ZoneInfo(brand.time_zone)


def _range(request, tz):
    form = RangeForm(request.query_params, tz=tz)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        if "__all__" in errors:
            errors["detail"] = " ".join(errors.pop("__all__"))
        raise ValidationError(errors)
    return form.report_range()


def _period(rng) -> dict:
    return {"start": rng.first, "end": rng.last, "days": rng.days}


def _distribution(d) -> dict:
    return {"count": d.count, "p50": d.p50, "p90": d.p90, "p95": d.p95}


def _compliance(c) -> dict:
    return {"met": c.met, "breached": c.breached, "measured": c.measured, "percent": c.percent}


def _group(g) -> dict:
    return {
        "key": g.key,
        "label": str(g.label),
        "tickets": g.tickets,
        "first_response": _distribution(g.first_response),
        "fr_compliance": _compliance(g.fr_compliance),
        "res_compliance": _compliance(g.res_compliance),
    }


def _csat_figures(f) -> dict:
    return {
        "key": f.key,
        "label": str(f.label),
        "sent": f.sent,
        "rated": f.rated,
        "satisfied": f.satisfied,
        "percent": f.percent,
        "average": f.average,
        "response_percent": f.response_percent,
        "ratings": {str(k): v for k, v in sorted(f.ratings.items())},
    }


def _figure(f) -> dict:
    m = f.metric
    return {
        "metric": m.key,
        "label": str(m.label),
        "unit": m.unit,
        "higher_is_better": m.higher_is_better,
        "value": f.value,
        "previous": f.previous,
        "change": f.change,
        "trend": f.trend,
        "goal": f.goal,
        "goal_met": f.goal_met,
    }


def _qa_group(g) -> dict:
    return {"key": g.key, "label": str(g.label), "count": g.count, "mean": g.mean}


def qa_document(qa) -> dict:
    """The page's QA section (``reports.qa.qa_report``, the same figures)."""
    return {
        "scorecards": qa.overall.count,
        "mean": qa.overall.mean,
        "acknowledged": qa.acknowledged,
        **{name: [_qa_group(g) for g in getattr(qa, name)] for name in ("by_operator", "by_criterion", "weeks")},
    }


def report_document(brand, brand_ids, rng, *, now) -> dict:
    """Every figure the report page draws for ``brand`` (None: all brands) over ``rng``."""
    data = build_report(brand_ids, rng, now=now)
    served = serving.serving(brand_ids, rng)
    satisfaction = csat_report.csat(brand_ids, rng)
    before = headline.previous_range(rng)
    previous = headline.values(
        build_report(brand_ids, before, now=now),
        serving.serving(brand_ids, before),
        csat_report.csat(brand_ids, before),
    )
    figures = headline.headline(headline.values(data, served, satisfaction), previous, goals.goals_for(brand))
    return {
        "brand": brand.slug if brand is not None else None,
        "time_zone": str(rng.tz),
        "period": _period(rng),
        "previous_period": _period(before),
        "headline": [_figure(f) for f in figures],
        "tickets": data.tickets,
        "per_day": [{"day": day, "tickets": n} for day, n in data.per_day],
        "heatmap": data.heatmap,
        "first_response": {
            "business": _distribution(data.fr_business),
            "calendar": _distribution(data.fr_calendar),
            "customer": _distribution(data.fr_customer),
        },
        "next_response": {"business": _distribution(data.nr_business), "calendar": _distribution(data.nr_calendar)},
        "resolution": {"business": _distribution(data.res_business), "calendar": _distribution(data.res_calendar)},
        "fr_compliance": _compliance(data.fr),
        "nr_compliance": _compliance(data.nr),
        "res_compliance": _compliance(data.res),
        "split": {key: _distribution(d) for key, d in data.split.items()},
        **{
            name: [_group(g) for g in getattr(data, name)]
            for name in ("by_platform", "by_priority", "by_operator", "by_sentiment", "by_intent", "by_tag")
        },
        "review": {
            "replies_submitted": data.replies_submitted,
            "replies_approved": data.replies_approved,
            "approval_percent": data.approval_percent,
            "decisions": dict(data.decisions),
            "decisions_total": data.decisions_total,
            "review_approval_percent": data.review_approval_percent,
            "change_reasons": [
                {"code": code, "label": str(label), "count": n} for code, label, n in data.change_reasons
            ],
        },
        "serving": {
            "resolved": served.resolved,
            "bounced": served.bounced,
            "in_channel": served.in_channel,
            "in_channel_percent": served.in_channel_percent,
            "owned": served.owned,
            "handed_off": served.handed_off,
            "handoffs": served.handoffs,
            "handoffs_per_ticket": served.handoffs_per_ticket,
            "ever_resolved": served.ever_resolved,
            "reopened": served.reopened,
            "reopen_percent": served.reopen_percent,
        },
        "csat": {
            "overall": _csat_figures(satisfaction.overall),
            **{
                name: [_csat_figures(f) for f in getattr(satisfaction, name)]
                for name in ("by_operator", "by_platform", "by_priority", "by_brand")
            },
        },
        "qa": qa_document(qa_report(brand_ids, rng)),
    }


class ReportView(APIView):
    """``GET /api/v1/reports/<brand>/?start=…&end=…``: the brand's report (``all-brands``: every brand, admins)."""

    @operation(
        "reports_retrieve",
        ok={200: ReportOut},
        errors=(400, 403, 404),
        parameters=[START, END],
        summary="A brand's SLA report, every figure of the page",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand, ids, tz = _scope(request, None if slug == "all-brands" else slug)
        rng = _range(request, tz)
        return Response(ReportOut(report_document(brand, ids, rng, now=timezone.now())).data)


class ReportTicketsView(APIView):
    """``GET /api/v1/reports/<brand>/tickets/?start=…&end=…&metric=…&value=…``: the tickets behind one figure,
    oldest first, as the page's drill-down; 400 for a metric or value the page refuses."""

    @operation(
        "reports_tickets_list",
        ok={200: ReportTicketPageOut},
        errors=(400, 403, 404),
        parameters=[START, END, METRIC, VALUE, CURSOR, PAGE_SIZE],
        summary="The tickets behind a figure of the report",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand, ids, tz = _scope(request, None if slug == "all-brands" else slug)
        rng = _range(request, tz)
        drill = DrillDownForm(request.query_params)
        if not drill.is_valid():
            raise ValidationError({name: [str(m) for m in ms] for name, ms in drill.errors.items()})
        metric, value = drill.cleaned_data["metric"], drill.cleaned_data["value"]
        try:
            if metric in csat_report.METRICS:
                qs = csat_report.drill(ids, rng, metric=metric, value=value)
            elif metric in serving.METRICS:
                qs = serving.drill(population(ids, rng), metric)
            else:
                qs = drill_down(ids, rng, metric=metric, value=value, now=timezone.now())
        except DrillDownError as exc:
            raise ValidationError({"value": [_("Not a value of this figure.")]}) from exc
        qs = qs.select_related("brand", "author", "assignee").prefetch_related(ticket_tags_prefetch())
        paginator = DrillPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(TicketOut(page, many=True).data)
