"""The review workflow: the replies waiting for review, approve or request changes."""

from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.review import get_reply_for_user, review_queue_for, with_review_details
from ..selectors.ticket import replies_for
from ..services import idempotency, replies, workflow
from .keyed import key_reused, keyed_answer, request_key
from .serializers import ApproveIn, RequestChangesIn, ReviewReplyOut


class ReviewPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReviewListView(APIView):
    """``GET /api/v1/reviews/``: replies waiting for review on the brands where the caller approves replies, the
    most urgent SLA deadline first (as the browser's review queue). Anyone else gets an empty page."""

    def get(self, request):
        paginator = ReviewPagination()
        page = paginator.paginate_queryset(with_review_details(review_queue_for(request.user)), request, view=self)
        return paginator.get_paginated_response(ReviewReplyOut(page, many=True).data)


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
