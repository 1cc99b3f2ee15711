"""``docs/report-definitions.md`` as HTML for the definitions page: a deliberately small Markdown subset
(headings, paragraphs, bullet lists, ``code`` and **bold**), every character escaped first."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PATH = Path(settings.BASE_DIR) / "docs" / "report-definitions.md"


def _inline(text: str) -> str:
    text = escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


@cache
def definitions_html() -> SafeString:
    out: list[str] = []
    paragraph: list[str] = []
    in_list = False

    def flush() -> None:
        nonlocal in_list
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if in_list:
            out.append("</li></ul>")
            in_list = False

    for line in PATH.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,3}) (.*)$", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1)) + 1  # the page's own title is the h1
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif re.match(r"^[-*] ", stripped):
            if paragraph:
                out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
                paragraph.clear()
            out.append("</li><li>" if in_list else "<ul><li>")
            in_list = True
            out.append(_inline(stripped[2:]))
        elif in_list:
            out.append(" " + _inline(stripped))
        else:
            paragraph.append(stripped)
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 - built from escaped text only
