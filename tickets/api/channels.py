"""The channel accounts and their status, as the channel accounts page shows them: for the brands where the
caller configures (``brand:configure``; admins every brand). Secrets are never answered, only whether each is
set."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import channel_accounts_for, is_admin, key_scope, require

from ..services import inbound
from .schema import operation
from .serializers import ChannelAccountOut
from .serializers_more import ChannelStatusOut


class ChannelAccountListView(APIView):
    """``GET /api/v1/channel-accounts/``: every account of the caller's configurable brands with its delivery
    status; 403 for anyone who configures no brand (as the page)."""

    @operation(
        "channel_accounts_list",
        ok={200: ChannelAccountOut(many=True)},
        errors=(403,),
        summary="Channel accounts and their status",
        tags=["channels"],
    )
    def get(self, request):
        accounts = list(channel_accounts_for(request.user, perm="brand:configure").select_related("brand"))
        if not accounts and not (is_admin(request.user) and key_scope(request.user) is None):
            raise PermissionDenied
        stats = inbound.delivery_stats([a.pk for a in accounts])
        rows = [{"account": a, **stats[a.pk]} for a in accounts]
        return Response(ChannelAccountOut(rows, many=True).data)


def _account_row(request, pk: int) -> dict:
    """Account ``pk`` with its delivery status: 404 out of the caller's brands, 403 where they configure nothing."""
    account = channel_accounts_for(request.user).select_related("brand").filter(pk=pk).first()
    if account is None:
        raise Http404
    require(request.user, account.brand_id, "brand:configure")
    return {"account": account, **inbound.delivery_stats([account.pk])[account.pk]}


class ChannelAccountDetailView(APIView):
    """``GET /api/v1/channel-accounts/<id>/``: one account as the list shows it (secrets: only whether set)."""

    @operation(
        "channel_accounts_retrieve",
        ok={200: ChannelAccountOut},
        errors=(403, 404),
        summary="One channel account",
        tags=["channels"],
    )
    def get(self, request, pk: int):
        return Response(ChannelAccountOut(_account_row(request, pk)).data)


class ChannelAccountStatusView(APIView):
    """``GET /api/v1/channel-accounts/<id>/status/``: the account's delivery status alone (for a monitor)."""

    @operation(
        "channel_accounts_status",
        ok={200: ChannelStatusOut},
        errors=(403, 404),
        summary="A channel account's delivery status",
        tags=["channels"],
    )
    def get(self, request, pk: int):
        return Response(ChannelStatusOut(_account_row(request, pk)).data)
