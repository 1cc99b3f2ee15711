"""Scoped lookups of a brand's knowledge (products and snippets) for the pages: built on the one scoping layer
(:func:`brands.access.scope_to_brands`), so out of scope is a 404 like everywhere else."""

from django.db.models import Q, QuerySet
from django.http import Http404

from ...access import User, scope_to_brands
from ...models import Brand, Product, Snippet


def snippets_for(user: User, perm: str = "ticket:view") -> QuerySet[Snippet]:
    """Every snippet (any status) of the brands where ``user`` holds ``perm``."""
    return scope_to_brands(Snippet.objects.all(), user, perm=perm)


def products_for(user: User, perm: str = "ticket:view") -> QuerySet[Product]:
    return scope_to_brands(Product.objects.all(), user, perm=perm)


def brand_products(brand: Brand) -> QuerySet[Product]:
    """The products of ``brand`` (already fetched through :func:`get_brand_for_user`), by name: a snippet's choices."""
    return Product.objects.filter(brand=brand).order_by("name")


def search_snippets(qs: QuerySet[Snippet], q: str, *, max_words: int = 8) -> QuerySet[Snippet]:
    """``qs`` narrowed to the snippets holding every word of ``q`` (the first ``max_words``; a leading ``/`` of a
    shortcut ignored) in their title, body, tags or shortcut."""
    for word in q.split()[:max_words]:
        word = word.lstrip("/")
        qs = qs.filter(
            Q(title__icontains=word) | Q(body__icontains=word) | Q(tags__icontains=word) | Q(shortcut__icontains=word)
        )
    return qs


def get_snippet_for_user(user: User, brand: Brand, pk: int) -> Snippet:
    """Snippet ``pk`` of ``brand`` (already fetched through :func:`get_brand_for_user`), else 404."""
    snippet = snippets_for(user).filter(brand=brand, pk=pk).select_related("product").first()
    if snippet is None:
        raise Http404
    return snippet


def get_product_for_user(user: User, brand: Brand, pk: int) -> Product:
    product = products_for(user).filter(brand=brand, pk=pk).first()
    if product is None:
        raise Http404
    return product
