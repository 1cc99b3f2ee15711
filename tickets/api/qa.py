"""QA scorecards through the API (docs/qa.md, docs/api.md "QA scorecards"): the week's sample of the brands the
caller grades, the calibration list, one reply with its scorecards and grading it, the caller's own scorecards
and acknowledging one. The pages' selectors and services, scoped as the pages: a reply or brand out of scope is a
404; in scope, reads need ``qa:view`` and grading ``qa:grade`` (403), so a supervisor's read-only key reads what
the supervisor reads and grades nothing. Blind grading holds here too: the others' scorecards of a reply are shown
only once the caller graded it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for, get_brand_for_user, has_perm
from brands.services import qa as rubric

from ..forms.qa import QaFilterForm
from ..selectors import qa as qa_reads
from ..services import qa
from .schema import operation
from .ticket import PAGE, PAGE_SIZE

TAGS = ["qa"]
BRAND = OpenApiParameter("brand", OpenApiTypes.STR, description="A brand's slug (default: every brand you grade).")
WEEK = OpenApiParameter("week", OpenApiTypes.STR, description="An ISO week, `2026-W49` (default: the current one).")


# --- what the endpoints answer ----------------------------------------------------------------------------------


class CriterionOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.IntegerField()


class LineOut(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.key")
    name = serializers.CharField(source="criterion.name")
    weight = serializers.IntegerField()
    score = serializers.IntegerField()
    comment = serializers.CharField()


class ScorecardOut(serializers.Serializer):
    id = serializers.IntegerField()
    brand = serializers.CharField(source="brand.slug")
    reply = serializers.IntegerField(source="reply_id")
    ticket = serializers.IntegerField(source="reply.ticket_id")
    operator = serializers.CharField(source="operator.username")
    grader = serializers.CharField(source="grader.username")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    coaching = serializers.CharField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    lines = LineOut(many=True)


class SampleReplyOut(serializers.Serializer):
    id = serializers.IntegerField(source="reply.pk")
    ticket = serializers.IntegerField(source="reply.ticket_id")
    author = serializers.CharField(source="reply.author.username")
    body = serializers.CharField(source="reply.body")
    sent_at = serializers.DateTimeField(source="reply.sent_at")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="`share`, `low_csat`; empty: graded outside the sample."
    )
    graders = serializers.ListField(child=serializers.CharField())
    mine = serializers.IntegerField(source="mine.pk", allow_null=True, default=None, help_text="Your scorecard.")


class BrandSampleOut(serializers.Serializer):
    brand = serializers.CharField(source="brand.slug")
    week = serializers.SerializerMethodField()
    percent = serializers.IntegerField()
    graded = serializers.IntegerField()
    replies = SampleReplyOut(many=True, source="rows")

    def get_week(self, sample) -> str:
        return qa.week_label(sample.monday)


class WeekSampleOut(serializers.Serializer):
    week = serializers.CharField()
    previous_week = serializers.CharField()
    next_week = serializers.CharField()
    brands = BrandSampleOut(many=True)


class AgreementOut(serializers.Serializer):
    name = serializers.CharField()
    pairs = serializers.IntegerField()
    mean_difference = serializers.FloatField(allow_null=True, help_text="0 is full agreement, 4 the most apart.")
    exact_percent = serializers.FloatField(allow_null=True, help_text="The share of pairs that gave the same score.")


class CalibrationItemOut(serializers.Serializer):
    reply = serializers.IntegerField(source="reply.pk")
    ticket = serializers.IntegerField(source="reply.ticket_id")
    scorecards = ScorecardOut(many=True, source="cards")
    criteria = AgreementOut(many=True)


class BrandCalibrationOut(serializers.Serializer):
    brand = serializers.CharField()
    week = serializers.CharField()
    replies = CalibrationItemOut(many=True)
    criteria = AgreementOut(many=True)


class CalibrationOut(serializers.Serializer):
    week = serializers.CharField()
    brands = BrandCalibrationOut(many=True)


class GradedReplyOut(serializers.Serializer):
    id = serializers.IntegerField(source="reply.pk")
    brand = serializers.CharField(source="reply.brand.slug")
    ticket = serializers.IntegerField(source="reply.ticket_id")
    author = serializers.CharField(source="reply.author.username")
    body = serializers.CharField(source="reply.body")
    status = serializers.CharField(source="reply.status")
    sent_at = serializers.DateTimeField(source="reply.sent_at", allow_null=True)
    gradable = serializers.BooleanField(help_text="Whether you may grade it now.")
    refusal = serializers.CharField(help_text="Why you may not grade it (empty when you may).")
    criteria = CriterionOut(many=True, help_text="The brand's rubric in use: send a score for each `key`.")
    mine = ScorecardOut(allow_null=True)
    others_count = serializers.IntegerField(help_text="How many others graded it.")
    others = ScorecardOut(many=True, help_text="The others' scorecards: shown only once you graded it.")


class ScorecardPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ScorecardOut(many=True)


class AcknowledgedOut(ScorecardOut):
    acknowledged_now = serializers.BooleanField(help_text="False: it already was, and nothing changed.")


# --- what they take ---------------------------------------------------------------------------------------------


class LineIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=qa.MAX_COMMENT, required=False, allow_blank=True, default="")


class GradeIn(serializers.Serializer):
    """A score from 1 to 5 for every criterion in use, by its key; a score of 1 or 2 needs a comment."""

    scores = serializers.DictField(child=LineIn(), allow_empty=False)
    coaching = serializers.CharField(max_length=qa.MAX_COACHING, required=False, allow_blank=True, default="")

    def validate_scores(self, value):
        if len(value) > 50:
            raise ValidationError(_("Ensure this field has no more than %(n)d elements.") % {"n": 50})
        return value

    def to_grade(self) -> qa.Grade:
        data = self.validated_data
        lines = {key: qa.Line(line["score"], line.get("comment", "")) for key, line in data["scores"].items()}
        return qa.Grade(lines=lines, coaching=data.get("coaching", ""))


# --- the endpoints ----------------------------------------------------------------------------------------------


def _brands_and_week(request, perm: str):
    """The brands asked for (``brand``: one, 404 out of scope, 403 without ``perm``; else every brand where the
    caller holds it, 403 when none) and the week's Monday (``week``, else the current one)."""
    form = QaFilterForm(request.query_params)
    slug = form.brand_slug()
    if slug:
        chosen = [get_brand_for_user(request.user, slug, perm=perm)]
    else:
        chosen = list(brands_for(request.user, perm=perm).order_by("name"))
        if not chosen:
            raise PermissionDenied
    return chosen, form.monday() or qa.current_week(chosen[0])


class QaSampleView(APIView):
    """``GET /api/v1/qa/sample/?brand=&week=``: the week's sample of each brand (or one), as the QA page lists it:
    ungraded first, why each reply is there, who graded it, your own scorecard's id."""

    @operation(
        "qa_sample",
        ok={200: WeekSampleOut},
        errors=(403, 404),
        parameters=[BRAND, WEEK],
        summary="The week's QA sample",
        tags=TAGS,
    )
    def get(self, request):
        brands, monday = _brands_and_week(request, "qa:view")
        samples = [qa_reads.week_sample(request.user, brand, monday) for brand in brands]
        data = {
            "week": qa.week_label(monday),
            "previous_week": qa.week_label(monday - timedelta(days=7)),
            "next_week": qa.week_label(monday + timedelta(days=7)),
            "brands": samples,
        }
        return Response(WeekSampleOut(data).data)


class QaCalibrationView(APIView):
    """``GET /api/v1/qa/calibration/?brand=&week=``: the replies of the week graded by two or more people, each
    grader's scorecard and the agreement per criterion, and the week's agreement per criterion, by brand."""

    @operation(
        "qa_calibration",
        ok={200: CalibrationOut},
        errors=(403, 404),
        parameters=[BRAND, WEEK],
        summary="The week's calibration",
        tags=TAGS,
    )
    def get(self, request):
        brands, monday = _brands_and_week(request, "qa:view")
        week = qa.week_label(monday)
        rows = []
        for brand in brands:
            items, totals = qa_reads.calibration(brand, monday)
            rows.append({"brand": brand.slug, "week": week, "replies": items, "criteria": totals})
        return Response(CalibrationOut({"week": week, "brands": rows}).data)


class QaReplyView(APIView):
    """``GET /api/v1/qa/replies/<id>/``: a reply to grade, the rubric, your scorecard and — once you graded it —
    the others'. ``POST`` ``{"scores": {"<key>": {"score", "comment"}}, "coaching"}``: grade it (``qa:grade``):
    201 with the reply as ``GET`` shows it; 400 naming the criterion when a score is missing or a low one has no
    comment; 409 when you graded it already (two submissions at once: one is kept, the other gets 409), it is
    not published, or it is yours. Nothing is written on a refusal."""

    @operation(
        "qa_replies_retrieve",
        ok={200: GradedReplyOut},
        errors=(403, 404),
        summary="A reply to grade, with its scorecards",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        reply = qa_reads.get_reply_to_grade(request.user, pk, perm="qa:view")
        return Response(_graded(request, reply))

    @operation(
        "qa_replies_grade",
        body=GradeIn,
        ok={201: GradedReplyOut},
        errors=(403, 404, 409),
        summary="Grade a reply",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        reply = qa_reads.get_reply_to_grade(request.user, pk)
        try:  # as the page: a reply the caller may not grade, or graded already, is refused whatever was sent
            qa.check_gradable(reply, request.user)
            if qa_reads.graded_by(reply, request.user):
                raise qa.AlreadyGraded()
        except qa.NotGradable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except qa.AlreadyGraded:
            return Response({"detail": _("You already graded this reply.")}, status=status.HTTP_409_CONFLICT)
        data = GradeIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            qa.grade(reply=reply, grader=request.user, grade=data.to_grade())
        except qa.NotGradable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except qa.AlreadyGraded:
            return Response({"detail": _("You already graded this reply.")}, status=status.HTTP_409_CONFLICT)
        except qa.InvalidGrade as exc:
            errors = {key: msgs for key, msgs in exc.errors.items() if key}
            body = {"scores": errors} if errors else {}
            if "" in exc.errors:
                body["coaching"] = exc.errors[""]
            raise ValidationError(body) from exc
        return Response(_graded(request, reply), status=status.HTTP_201_CREATED)


def _graded(request, reply) -> dict:
    cards = qa_reads.scorecards_of_reply(reply)
    mine = next((c for c in cards if c.grader_id == request.user.pk), None)
    refusal = ""
    try:
        qa.check_gradable(reply, request.user)
    except qa.NotGradable as exc:
        refusal = str(exc)
    if mine is not None and not refusal:
        refusal = _("You already graded this reply.")
    if not refusal and not has_perm(request.user, reply.brand_id, "qa:grade"):
        refusal = _("Your key reads grades only.")
    data = {
        "reply": reply,
        "gradable": not refusal,
        "refusal": refusal,
        "criteria": rubric.criteria_for(reply.brand),
        "mine": mine,
        "others_count": len(cards) - (mine is not None),
        "others": [c for c in cards if c.grader_id != request.user.pk] if mine is not None else [],
    }
    return GradedReplyOut(data).data


class ScorecardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class MyScorecardsView(APIView):
    """``GET /api/v1/scorecards/``: your own scorecards (of your replies), newest first, with every criterion's
    score and comment and the coaching note; never anyone else's. Empty for someone who answers no customer."""

    @operation(
        "scorecards_list",
        ok={200: ScorecardPageOut},
        errors=(404,),
        parameters=[PAGE, PAGE_SIZE],
        summary="Your scorecards",
        tags=TAGS,
    )
    def get(self, request):
        paginator = ScorecardPagination()
        page = paginator.paginate_queryset(qa_reads.own_scorecards(request.user), request, view=self)
        return paginator.get_paginated_response(ScorecardOut(page, many=True).data)


class ScorecardAcknowledgeView(APIView):
    """``POST /api/v1/scorecards/<id>/acknowledge/``, no body: you read your scorecard. Only its operator (anyone
    else: 404); a read-only key: 403. A second time changes nothing and answers 200 with
    ``acknowledged_now: false``."""

    @operation(
        "scorecards_acknowledge",
        ok={200: AcknowledgedOut},
        errors=(403, 404),
        summary="Acknowledge your scorecard",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        card = qa_reads.get_own_scorecard(request.user, pk)
        if not has_perm(request.user, card.brand_id, "ticket:work"):
            raise PermissionDenied
        card.acknowledged_now = qa.acknowledge(scorecard=card, user=request.user)
        return Response(AcknowledgedOut(card).data)
