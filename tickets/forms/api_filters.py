"""The filters of the API's knowledge lists (django-filter), declared field by field: the list views hand them a
queryset already scoped by ``brands.access`` and the brand, so a filter only narrows what the caller may see."""

import django_filters
from django.utils.translation import gettext_lazy as _

from brands.models import SnippetLanguage, SnippetStatus, SnippetTone
from brands.services.knowledge.lookups import search_snippets

#: the longest search text the lists read (the knowledge page's search box takes as much)
MAX_QUERY = 200


class SnippetFilter(django_filters.FilterSet):
    """``status``, ``language``, ``tone``, ``product`` (an id), ``shortcut`` and ``q`` (every word in the title,
    body, tags or shortcut, as the knowledge page searches)."""

    status = django_filters.ChoiceFilter(choices=SnippetStatus.choices)
    language = django_filters.ChoiceFilter(choices=SnippetLanguage.choices)
    tone = django_filters.ChoiceFilter(choices=SnippetTone.choices)
    product = django_filters.NumberFilter(field_name="product_id", min_value=1, max_value=2**53)
    shortcut = django_filters.CharFilter(field_name="shortcut", max_length=40)
    q = django_filters.CharFilter(method="search", max_length=MAX_QUERY, label=_("Search"))

    def search(self, queryset, _name, value):
        return search_snippets(queryset, value)


class ProductFilter(django_filters.FilterSet):
    """``category`` (exact) and ``q`` (a part of the name)."""

    category = django_filters.CharFilter(field_name="category", max_length=80)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=MAX_QUERY)
