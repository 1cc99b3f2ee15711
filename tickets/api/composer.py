"""The composer's snippets: search a brand's snippets, suggestions for a ticket, a snippet filled for a ticket."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for

from ..selectors.ticket import get_ticket_for_user, ticket_page_queryset
from ..services import composer
from .schema import operation
from .serializers import RenderIn, RenderOut, SnippetHitOut, SnippetSearchIn, SnippetSearchOut, SuggestionsOut


class SnippetSearchView(APIView):
    """``GET /api/v1/snippets/?q=&brand=``: published, unexpired snippets of one of the caller's brands
    matching words or ``/shortcut``. ``brand`` may be left out by a member of a single brand."""

    @operation(
        "snippets_search",
        ok={200: SnippetSearchOut},
        errors=(400,),
        parameters=[SnippetSearchIn],
        summary="Search a brand's published snippets",
        tags=["knowledge"],
    )
    def get(self, request):
        params = SnippetSearchIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        brands = brands_for(request.user, perm="ticket:work")
        brand = brands.filter(slug=f["brand"]).first() if "brand" in f else None
        if brand is None:
            candidates = list(brands[:2]) if "brand" not in f else []
            if len(candidates) != 1:
                raise ValidationError({"brand": [_("Unknown brand.") if "brand" in f else _("Give a brand slug.")]})
            brand = candidates[0]
        hits = composer.search(brand_id=brand.pk, q=f["q"], limit=f["limit"])
        return Response({"brand": brand.slug, "results": SnippetHitOut(hits, many=True).data})


class TicketSuggestionsView(APIView):
    """``GET /api/v1/tickets/<id>/suggestions/``: snippets ranked for this ticket, with why."""

    @operation(
        "tickets_suggestions",
        ok={200: SuggestionsOut},
        errors=(403, 404),
        summary="Snippets ranked for a ticket",
        tags=["knowledge"],
    )
    def get(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        return Response(
            {"ticket": ticket.pk, "results": SnippetHitOut(composer.suggestions(ticket=ticket), many=True).data}
        )


class TicketRenderSnippetView(APIView):
    """``POST /api/v1/tickets/<id>/render/`` ``{"snippet": id}``: the snippet filled for this ticket and the
    placeholders left unfilled. 404 for a snippet of another brand; 409 for a draft, archived or expired one."""

    @operation(
        "tickets_render_snippet",
        body=RenderIn,
        ok={200: RenderOut},
        errors=(403, 404, 409),
        summary="A snippet filled for a ticket",
        tags=["knowledge"],
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work", queryset=ticket_page_queryset())
        data = RenderIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            snippet = composer.usable_snippet(ticket=ticket, snippet_id=data.validated_data["snippet"])
        except composer.SnippetNotFound as exc:
            raise Http404 from exc
        except composer.SnippetUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        rendered = composer.render(ticket=ticket, user=request.user, snippet=snippet)
        return Response({"snippet": snippet.pk, "text": rendered.text, "unfilled": rendered.unfilled})
