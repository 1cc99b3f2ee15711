"""Forms of the product-knowledge pages. They parse; ``brands.services.knowledge`` validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Product, SnippetLanguage, SnippetStatus, SnippetTone
from brands.services import knowledge
from brands.services.knowledge.lookups import brand_products
from smrc.bounds import IntegerField

from ..services.replies import REPLY_MAX_LENGTH

MAX_CSV_BYTES = 2 * 1024 * 1024
#: a product's long texts (questions, notes, specifications) typed in a form
TEXT_MAX_LENGTH = 20000


class SnippetSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", _("Any status")), *SnippetStatus.choices], required=False)
    page = IntegerField(required=False, min_value=1, max_value=10000)


class SnippetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(
        label=_("Body"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        strip=True,
        help_text=_(
            "Placeholders: {customer_name} {customer_handle} {operator_name} {brand} {ticket} "
            "{product.name} {product.category} {product.<field>}"
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=SnippetLanguage.choices)
    tone = forms.ChoiceField(label=_("Tone"), choices=SnippetTone.choices)
    tags = forms.CharField(label=_("Tags"), max_length=300, required=False, help_text=_("Comma-separated."))
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    shortcut = forms.CharField(label=_("Shortcut"), max_length=40, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=SnippetStatus.choices)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty if it never expires (promotions end)."),
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=200, required=False)

    def __init__(self, *args, brand, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = brand_products(brand)

    def to_data(self) -> knowledge.SnippetData:
        d = self.cleaned_data
        return knowledge.SnippetData(
            title=d["title"],
            body=d["body"],
            language=d["language"],
            tone=d["tone"],
            tags=d["tags"] or "",
            product=d["product"],
            shortcut=d["shortcut"] or "",
            status=d["status"],
            expires_at=d["expires_at"],
        )

    def add_service_errors(self, error: knowledge.KnowledgeError) -> None:
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    @staticmethod
    def initial_from(snippet) -> dict:
        return {name: getattr(snippet, name) for name in knowledge.SNIPPET_FIELDS}


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.CharField(label=_("Category"), max_length=80, required=False)
    specifications = forms.CharField(
        label=_("Specifications"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One per line: field: value (e.g. battery: 5000 mAh). Snippets use {product.battery}."),
    )
    faq = forms.CharField(
        label=_("Frequent questions"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    competitor_notes = forms.CharField(
        label=_("Notes on competitors"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_specifications(self) -> dict[str, str]:
        try:
            return knowledge.parse_specifications(self.cleaned_data["specifications"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def to_data(self) -> knowledge.ProductData:
        return knowledge.ProductData(**{name: self.cleaned_data[name] for name in knowledge.PRODUCT_FIELDS})

    def add_service_errors(self, error: knowledge.KnowledgeError) -> None:
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    @staticmethod
    def initial_from(product) -> dict:
        initial = {name: getattr(product, name) for name in knowledge.PRODUCT_FIELDS}
        initial["specifications"] = "\n".join(f"{k}: {v}" for k, v in product.specifications.items())
        return initial


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[("snippets", _("Snippets")), ("products", _("Products"))])
    file = forms.FileField(label=_("CSV file (UTF-8)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is over the limit of 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
