"""Product knowledge pages for supervisors (and brand managers where the brand allows): snippets and products,
versions, CSV. Each view: scoped fetch with ``knowledge:edit``, one service call (with its event), render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brands_for, get_brand_for_user
from brands.models import SnippetStatus
from brands.services import knowledge
from brands.services.knowledge.lookups import (
    get_product_for_user,
    get_snippet_for_user,
    products_for,
    search_snippets,
    snippets_for,
)
from smrc.bounds import parse_int

from ..forms.knowledge import ImportForm, ProductForm, SnippetForm, SnippetSearchForm

PERM = "knowledge:edit"


@login_required
def knowledge_index(request):
    brands = list(brands_for(request.user, perm=PERM))
    if len(brands) == 1:
        return redirect("knowledge:snippets", slug=brands[0].slug)
    return render(request, "tickets/knowledge/index.html", {"brands": brands})


@login_required
def snippet_list(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    form = SnippetSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = snippets_for(request.user).filter(brand=brand).select_related("product")
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    qs = search_snippets(qs, data.get("q") or "")
    page = Paginator(qs.order_by("title", "pk"), 50).get_page(data.get("page") or 1)
    context = {"brand": brand, "form": form, "page": page, "now": timezone.now()}
    if request.htmx and request.htmx.target == "snippet-rows":
        return render(request, "tickets/knowledge/_snippet_rows.html", context)
    return render(request, "tickets/knowledge/snippets.html", context)


@login_required
def snippet_new(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    form = SnippetForm(request.POST or None, brand=brand)
    if request.method == "POST" and form.is_valid():
        try:
            snippet, _change = knowledge.create_snippet(
                user=request.user,
                brand=brand,
                data=form.to_data(),
                note=form.cleaned_data["note"],
            )
        except knowledge.KnowledgeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Snippet created."))
            return redirect("knowledge:snippet", slug=brand.slug, pk=snippet.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/knowledge/snippet_form.html", {"brand": brand, "form": form}, status=status)


@login_required
def snippet_edit(request, slug: str, pk: int):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    snippet = get_snippet_for_user(request.user, brand, pk)
    if request.method == "POST":
        form = SnippetForm(request.POST, brand=brand)
        if form.is_valid():
            try:
                _snippet, change = knowledge.update_snippet(
                    user=request.user,
                    snippet=snippet,
                    data=form.to_data(),
                    note=form.cleaned_data["note"],
                )
            except knowledge.KnowledgeError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Snippet saved.") if change else _("Nothing changed."))
                return redirect("knowledge:snippet", slug=brand.slug, pk=snippet.pk)
        status = 400
    else:
        form = SnippetForm(initial=SnippetForm.initial_from(snippet), brand=brand)
        status = 200
    versions = list(snippet.versions.select_related("author").order_by("-number"))
    context = {"brand": brand, "snippet": snippet, "form": form, "versions": versions}
    return render(request, "tickets/knowledge/snippet_form.html", context, status=status)


@login_required
@require_POST
def snippet_status(request, slug: str, pk: int):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    snippet = get_snippet_for_user(request.user, brand, pk)
    status = request.POST.get("status", "")
    if status not in SnippetStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            knowledge.set_status(user=request.user, snippet=snippet, status=status)
        except knowledge.KnowledgeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Snippet is now %(status)s.") % {"status": SnippetStatus(status).label})
    return redirect("knowledge:snippet", slug=brand.slug, pk=snippet.pk)


@login_required
def snippet_compare(request, slug: str, pk: int):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    snippet = get_snippet_for_user(request.user, brand, pk)
    versions = {v.number: v for v in snippet.versions.select_related("author")}
    a, b = parse_int(request.GET.get("a", 0)) or 0, parse_int(request.GET.get("b", 0)) or 0
    b = b if b in versions else snippet.version
    a = a if a in versions else max(b - 1, 1)
    old, new = versions[min(a, b)], versions[max(a, b)]
    context = {
        "brand": brand,
        "snippet": snippet,
        "old": old,
        "new": new,
        "diff": [
            (knowledge.version_field_label(name), lines)
            for name, lines in knowledge.compare_versions(old=old, new=new).items()
        ],
        "numbers": sorted(versions, reverse=True),
    }
    return render(request, "tickets/knowledge/compare.html", context)


@login_required
@require_POST
def snippet_restore(request, slug: str, pk: int):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    snippet = get_snippet_for_user(request.user, brand, pk)
    number = parse_int(request.POST.get("number", ""), min_value=1)
    try:
        if number is None:
            raise ValueError(number)
        _snippet, change = knowledge.restore_version(user=request.user, snippet=snippet, number=number)
    except ValueError:
        messages.error(request, _("Choose a version to restore."))
    except knowledge.KnowledgeError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        if change:
            messages.success(request, _("Version %(n)d restored as a new version.") % {"n": number})
        else:
            messages.info(request, _("That version is what the snippet already says."))
    return redirect("knowledge:snippet", slug=brand.slug, pk=snippet.pk)


@login_required
def product_list(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    products = products_for(request.user).filter(brand=brand).order_by("name")
    return render(request, "tickets/knowledge/products.html", {"brand": brand, "products": products})


@login_required
def product_edit(request, slug: str, pk: int | None = None):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    product = get_product_for_user(request.user, brand, pk) if pk is not None else None
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                saved, _change = knowledge.save_product(
                    user=request.user, brand=brand, data=form.to_data(), product=product
                )
            except knowledge.KnowledgeError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Product saved."))
                return redirect("knowledge:product", slug=brand.slug, pk=saved.pk)
        status = 400
    else:
        form = ProductForm(initial=ProductForm.initial_from(product) if product else None)
        status = 200
    context = {"brand": brand, "product": product, "form": form}
    return render(request, "tickets/knowledge/product_form.html", context, status=status)


@login_required
def import_csv(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    problems: list[str] = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        importer = (
            knowledge.import_snippets_csv if form.cleaned_data["kind"] == "snippets" else knowledge.import_products_csv
        )
        try:
            result = importer(user=request.user, brand=brand, text=form.cleaned_data["file"])
        except knowledge.KnowledgeError as exc:
            problems = [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(
                request,
                _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.")
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("knowledge:import", slug=brand.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tickets/knowledge/import.html", {"brand": brand, "form": form, "problems": problems}, status=status
    )


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_snippets(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    return _csv_response(knowledge.export_snippets_csv(brand=brand), f"{brand.slug}-snippets.csv")


@login_required
def export_products(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm=PERM)
    return _csv_response(knowledge.export_products_csv(brand=brand), f"{brand.slug}-products.csv")
