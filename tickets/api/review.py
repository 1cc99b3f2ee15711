"""The review workflow: the replies waiting for review, approve or request changes."""

from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.review import get_reply_for_user, review_queue_for, with_review_details
from ..selectors.ticket import replies_for
from ..services import idempotency, replies, workflow
from .keyed import key_reused, keyed_answer, request_key
from .schema import IDEMPOTENCY_KEY, operation
from .serializers import ApproveIn, RequestChangesIn, ReviewPageOut, ReviewReplyOut
from .ticket import PAGE, PAGE_SIZE


class ReviewPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReviewListView(APIView):
    """``GET /api/v1/reviews/``: replies waiting for review on the brands where the caller approves replies, the
    most urgent SLA deadline first (as the browser's review queue). Anyone else gets an empty page."""

    @operation(
        "reviews_list",
        ok={200: ReviewPageOut},
        errors=(404,),
        parameters=[PAGE, PAGE_SIZE],
        summary="Replies waiting for review",
        tags=["review"],
    )
    def get(self, request):
        paginator = ReviewPagination()
        page = paginator.paginate_queryset(with_review_details(review_queue_for(request.user)), request, view=self)
        return paginator.get_paginated_response(ReviewReplyOut(page, many=True).data)


def _decision(action: str, body):
    return operation(
        f"replies_{action}",
        body=body,
        ok={200: ReviewReplyOut},
        errors=(403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary={"approve": "Approve a reply (or edit and approve)", "request_changes": "Send a reply back"}[action],
        tags=["review"],
    )


class ReplyReviewView(APIView):
    """``POST /api/v1/replies/<id>/approve/`` (``{"body"}`` to edit and approve) and ``.../request-changes/``
    (``{"reason", "note"}``); ``revision``, the revision read, is optional. Needs ``reply:approve`` on the reply's
    brand (another brand: 404, another role: 403) and an ``Idempotency-Key`` header (400 without; a repeat answers
    200 and decides nothing again; the key with another request, 422). 409 with the service's message when the
    reply left review, was revised since ``revision``, or is the caller's own; nothing changes then."""

    action = ""

    def post(self, request, pk: int):
        reply = get_reply_for_user(request.user, pk, perm="reply:approve")
        key = request_key(request)
        try:
            if self.action == "approve":
                data = ApproveIn(data=request.data)
                data.is_valid(raise_exception=True)
                result = replies.approve_reply(
                    reply=reply,
                    user=request.user,
                    body=data.validated_data.get("body"),
                    expected_revision=data.validated_data.get("revision"),
                    key=key,
                )
            else:
                data = RequestChangesIn(data=request.data)
                data.is_valid(raise_exception=True)
                result = replies.request_changes(
                    reply=reply,
                    user=request.user,
                    code=data.validated_data["reason"],
                    note=data.validated_data["note"],
                    expected_revision=data.validated_data.get("revision"),
                    key=key,
                )
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return keyed_answer(
            result, ReviewReplyOut(with_review_details(replies_for(request.user)).get(pk=reply.pk)).data
        )


class ReplyApproveView(ReplyReviewView):
    action = "approve"

    @_decision("approve", ApproveIn)
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReplyRequestChangesView(ReplyReviewView):
    action = "request_changes"

    @_decision("request_changes", RequestChangesIn)
    def post(self, request, pk: int):
        return super().post(request, pk)
