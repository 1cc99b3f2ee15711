"""A brand's product knowledge through the API, as on the knowledge pages: snippets and products listed (filtered
with django-filter, cursor-paginated), created and changed through the page's forms and the same
``brands.services.knowledge`` calls (each change of a snippet a new version, with its audit record), snippets
archived and unarchived, their versions listed and read, an older version restored as a new one.

Scoped as the pages: the brand out of the caller's scope 404, in scope without ``knowledge:edit`` 403 (a
read-only key holds no ``knowledge:edit``: the pages show what only editors see, drafts included)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import get_brand_for_user
from brands.services import knowledge
from brands.services.knowledge.lookups import get_product_for_user, get_snippet_for_user, products_for, snippets_for

from ..forms.api_filters import ProductFilter, SnippetFilter
from ..forms.knowledge import ProductForm, SnippetForm
from .schema import operation
from .serializers_more import (
    CheckedCursorPagination,
    ProductIn,
    ProductOut,
    ProductPageOut,
    RestoreIn,
    SnippetIn,
    SnippetOut,
    SnippetPageOut,
    SnippetVersionOut,
    SnippetVersionPageOut,
)

PERM = "knowledge:edit"
TAGS = ["knowledge"]
#: the API's source of the audit record: the same record as the page's, saying it came through the API
SOURCE = "api"

CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="The `next` or `previous` link's cursor.")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page, at most 200 (default 50).")


def _str(name: str, description: str, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description, enum=enum)


SNIPPET_FILTERS = [
    _str("status", "draft, published or archived", enum=["draft", "published", "archived"]),
    _str("language", "id or en", enum=["id", "en"]),
    _str("tone", "formal or casual", enum=["formal", "casual"]),
    OpenApiParameter("product", OpenApiTypes.INT, description="A product's id."),
    _str("shortcut", "The shortcut, without the /."),
    _str("q", "Every word in the title, body, tags or shortcut."),
]
PRODUCT_FILTERS = [_str("category", "The category, exactly."), _str("q", "A part of the name.")]


class KnowledgePagination(CheckedCursorPagination):
    """Newest first, by id; a cursor stays valid while snippets are added."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class VersionPagination(KnowledgePagination):
    ordering = "-number"


def _filtered(filter_class, request, queryset):
    filters = filter_class(request.query_params, queryset=queryset)
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    return filters.qs


def _page(request, view, queryset, out, pagination=KnowledgePagination) -> Response:
    paginator = pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(out(page, many=True).data)


def _refused(form) -> ValidationError:
    """The page form's errors as the API's 400: ``{field: [messages]}``, the whole object's under ``detail``."""
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    if "__all__" in errors:
        errors["detail"] = " ".join(errors.pop("__all__"))
    return ValidationError(errors)


def _read(serializer_class, request, *, partial: bool) -> dict:
    body = serializer_class(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return body.validated_data


# --- snippets -------------------------------------------------------------------------------------------------


def _snippet_form(brand, values: dict, snippet=None) -> SnippetForm:
    """The knowledge page's snippet form, bound to the snippet as it is (or the new snippet's defaults) with
    ``values`` over it: the API validates exactly as the page."""
    base = {"language": "id", "tone": "formal", "status": "draft", "tags": "", "shortcut": "", "note": ""}
    if snippet is not None:
        base = {**SnippetForm.initial_from(snippet), "product": snippet.product_id, "note": ""}
    data = {**base, **values}
    data["product"] = data.get("product") or ""
    data["expires_at"] = data.get("expires_at") or ""
    return SnippetForm(data, brand=brand)


def _save_snippet(request, brand, values: dict, snippet=None):
    form = _snippet_form(brand, values, snippet)
    if not form.is_valid():
        raise _refused(form)
    try:
        if snippet is None:
            saved, _change = knowledge.create_snippet(
                user=request.user, brand=brand, data=form.to_data(), note=form.cleaned_data["note"], source=SOURCE
            )
        else:
            saved, _change = knowledge.update_snippet(
                user=request.user, snippet=snippet, data=form.to_data(), note=form.cleaned_data["note"], source=SOURCE
            )
    except knowledge.KnowledgeError as exc:
        form.add_service_errors(exc)
        raise _refused(form) from exc
    return saved


class SnippetListView(APIView):
    """``GET /api/v1/knowledge/<brand>/snippets/``: the brand's snippets (every status), newest first, filtered;
    ``POST``: a new snippet (its version 1 and audit record)."""

    @operation(
        "knowledge_snippets_list",
        ok={200: SnippetPageOut},
        errors=(400, 403, 404),
        parameters=[*SNIPPET_FILTERS, CURSOR, PAGE_SIZE],
        summary="A brand's snippets",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        qs = snippets_for(request.user).filter(brand=brand).select_related("brand")
        return _page(request, self, _filtered(SnippetFilter, request, qs), SnippetOut)

    @operation(
        "knowledge_snippets_create",
        ok={201: SnippetOut},
        errors=(403, 404),
        body=SnippetIn,
        summary="Create a snippet",
        tags=TAGS,
    )
    def post(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = _save_snippet(request, brand, _read(SnippetIn, request, partial=False))
        return Response(SnippetOut(snippet).data, status=status.HTTP_201_CREATED)


class SnippetDetailView(APIView):
    """``GET /api/v1/knowledge/<brand>/snippets/<id>/``: one snippet; ``PATCH``: change the fields sent (a new
    version when anything changed; ``note`` says what changed)."""

    @operation("knowledge_snippets_retrieve", ok={200: SnippetOut}, errors=(403, 404), summary="One snippet", tags=TAGS)
    def get(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        return Response(SnippetOut(get_snippet_for_user(request.user, brand, pk)).data)

    @operation(
        "knowledge_snippets_update",
        ok={200: SnippetOut},
        errors=(403, 404),
        body=SnippetIn,
        summary="Change a snippet (a new version)",
        tags=TAGS,
    )
    def patch(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = get_snippet_for_user(request.user, brand, pk)
        saved = _save_snippet(request, brand, _read(SnippetIn, request, partial=True), snippet)
        return Response(SnippetOut(saved).data)


class SnippetStatusView(APIView):
    """``POST /api/v1/knowledge/<brand>/snippets/<id>/archive/`` and ``…/unarchive/`` (back to draft, to be
    published again): a new version each, as the page's status buttons. 409 when it already is (or is not)
    archived; nothing changes then."""

    action = "archive"

    @operation(
        "knowledge_snippets_archive",
        ok={200: SnippetOut},
        errors=(403, 404, 409),
        summary="Archive a snippet",
        tags=TAGS,
    )
    def post(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = get_snippet_for_user(request.user, brand, pk)
        archived = snippet.status == "archived"
        if archived == (self.action == "archive"):
            detail = _("This snippet is already archived.") if archived else _("This snippet is not archived.")
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        new_status = "archived" if self.action == "archive" else "draft"
        try:
            saved, _change = knowledge.set_status(user=request.user, snippet=snippet, status=new_status, source=SOURCE)
        except knowledge.KnowledgeError as exc:
            return Response({"detail": " ".join(m for ms in exc.errors.values() for m in ms)}, status=409)
        return Response(SnippetOut(saved).data)


class SnippetUnarchiveView(SnippetStatusView):
    action = "unarchive"

    @operation(
        "knowledge_snippets_unarchive",
        ok={200: SnippetOut},
        errors=(403, 404, 409),
        summary="Unarchive a snippet (back to draft)",
        tags=TAGS,
    )
    def post(self, request, slug: str, pk: int):
        return super().post(request, slug, pk)


class SnippetVersionListView(APIView):
    """``GET /api/v1/knowledge/<brand>/snippets/<id>/versions/``: every version, newest first."""

    @operation(
        "knowledge_snippet_versions_list",
        ok={200: SnippetVersionPageOut},
        errors=(403, 404),
        parameters=[CURSOR, PAGE_SIZE],
        summary="A snippet's versions",
        tags=TAGS,
    )
    def get(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = get_snippet_for_user(request.user, brand, pk)
        versions = snippet.versions.select_related("author")
        return _page(request, self, versions, SnippetVersionOut, VersionPagination)


class SnippetVersionDetailView(APIView):
    """``GET /api/v1/knowledge/<brand>/snippets/<id>/versions/<number>/``: one version's full content."""

    @operation(
        "knowledge_snippet_versions_retrieve",
        ok={200: SnippetVersionOut},
        errors=(403, 404),
        summary="One version of a snippet",
        tags=TAGS,
    )
    def get(self, request, slug: str, pk: int, number: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = get_snippet_for_user(request.user, brand, pk)
        version = snippet.versions.select_related("author").filter(number=number).first()
        if version is None:
            raise NotFound
        return Response(SnippetVersionOut(version).data)


class SnippetRestoreView(APIView):
    """``POST /api/v1/knowledge/<brand>/snippets/<id>/restore/`` ``{"number": n}``: version ``n``'s content made
    current again as a new version. 409 when it is what the snippet already says; 404 for no such version."""

    @operation(
        "knowledge_snippets_restore",
        ok={200: SnippetOut},
        errors=(403, 404, 409),
        body=RestoreIn,
        summary="Restore a version as a new one",
        tags=TAGS,
    )
    def post(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        snippet = get_snippet_for_user(request.user, brand, pk)
        number = _read(RestoreIn, request, partial=False)["number"]
        if not snippet.versions.filter(number=number).exists():
            raise NotFound(_("There is no version %(n)d.") % {"n": number})
        try:
            saved, change = knowledge.restore_version(user=request.user, snippet=snippet, number=number, source=SOURCE)
        except knowledge.KnowledgeError as exc:
            return Response({"detail": " ".join(m for ms in exc.errors.values() for m in ms)}, status=409)
        if change is None:
            return Response({"detail": _("That version is what the snippet already says.")}, status=409)
        return Response(SnippetOut(saved).data)


# --- products -------------------------------------------------------------------------------------------------


def _save_product(request, brand, values: dict, product=None):
    base = ProductForm.initial_from(product) if product is not None else {}
    data = {"category": "", "specifications": "", "faq": "", "competitor_notes": "", **base, **values}
    if isinstance(data["specifications"], dict):
        data["specifications"] = "\n".join(f"{k}: {v}" for k, v in data["specifications"].items())
    form = ProductForm(data)
    if not form.is_valid():
        raise _refused(form)
    try:
        saved, _change = knowledge.save_product(
            user=request.user, brand=brand, data=form.to_data(), product=product, source=SOURCE
        )
    except knowledge.KnowledgeError as exc:
        form.add_service_errors(exc)
        raise _refused(form) from exc
    return saved


class ProductListView(APIView):
    """``GET /api/v1/knowledge/<brand>/products/``: the brand's products, newest first, filtered; ``POST``: a new
    product (with its audit record)."""

    @operation(
        "knowledge_products_list",
        ok={200: ProductPageOut},
        errors=(400, 403, 404),
        parameters=[*PRODUCT_FILTERS, CURSOR, PAGE_SIZE],
        summary="A brand's products",
        tags=TAGS,
    )
    def get(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        qs = products_for(request.user).filter(brand=brand).select_related("brand")
        return _page(request, self, _filtered(ProductFilter, request, qs), ProductOut)

    @operation(
        "knowledge_products_create",
        ok={201: ProductOut},
        errors=(403, 404),
        body=ProductIn,
        summary="Create a product",
        tags=TAGS,
    )
    def post(self, request, slug: str):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        product = _save_product(request, brand, _read(ProductIn, request, partial=False))
        return Response(ProductOut(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    """``GET /api/v1/knowledge/<brand>/products/<id>/``: one product; ``PATCH``: change the fields sent."""

    @operation("knowledge_products_retrieve", ok={200: ProductOut}, errors=(403, 404), summary="One product", tags=TAGS)
    def get(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        return Response(ProductOut(get_product_for_user(request.user, brand, pk)).data)

    @operation(
        "knowledge_products_update",
        ok={200: ProductOut},
        errors=(403, 404),
        body=ProductIn,
        summary="Change a product",
        tags=TAGS,
    )
    def patch(self, request, slug: str, pk: int):
        brand = get_brand_for_user(request.user, slug, perm=PERM)
        product = get_product_for_user(request.user, brand, pk)
        saved = _save_product(request, brand, _read(ProductIn, request, partial=True), product)
        return Response(ProductOut(saved).data)
