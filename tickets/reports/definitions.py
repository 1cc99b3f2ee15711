"""``docs/report-definitions.md`` (in Indonesian ``report-definitions.id.md``) as HTML for the definitions page,
rendered with Python-Markdown.

The file is ours, in the repository (never user input), so its HTML is trusted; raw HTML in it is still
escaped rather than passed through."""

from functools import cache
from pathlib import Path

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

PATH = Path(settings.BASE_DIR) / "docs" / "report-definitions.md"


class _EscapeRawHtml(markdown.extensions.Extension):
    def extendMarkdown(self, md):  # noqa: N802 - the name Markdown calls
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def definitions_html() -> SafeString:
    """The definitions in the active language: ``report-definitions.<language>.md`` when there is one (Indonesian),
    else the English original."""
    return _definitions_html(get_language() or settings.LANGUAGE_CODE)


def path_for(language: str) -> Path:
    translated = PATH.with_suffix(f".{language.split('-')[0]}.md")
    return translated if translated.exists() else PATH


@cache
def _definitions_html(language: str) -> SafeString:
    text = path_for(language).read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", _EscapeRawHtml()], output_format="html")
    # The page's own title is the h1: shift the document's headings one level down.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return mark_safe(html)  # noqa: S308 - our own document, raw HTML disabled
