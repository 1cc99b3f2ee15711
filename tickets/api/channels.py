"""The channel accounts and their status, as the channel accounts page shows them: for the brands where the
caller configures (``brand:configure``; admins every brand). Secrets are never answered, only whether each is
set."""

from django.core.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import channel_accounts_for, is_admin, key_scope

from ..services import inbound
from .schema import operation
from .serializers import ChannelAccountOut


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
