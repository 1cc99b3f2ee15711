"""Listening rules: which brands a searched or imported item is for (docs/channels.md).

An item matches a rule when the rule covers its platform and language, the text names one of the rule's handles
(``@handle``), hashtags (``#tag``) or keywords (whole words, case-insensitive), and no exclusion. An item that
matches rules of several brands is for each of them: one mention, and one ticket, per brand.
"""

from collections.abc import Iterable

from ...models import ListeningRule
from .. import patterns


def _has(text: str, terms: Iterable[str], prefix: str = "") -> bool:
    """Any of ``terms`` (with ``prefix``: ``@`` handles, ``#`` hashtags) as whole words, not right after a
    letter, ``@`` or ``#``; on RE2, within the first ``patterns.MATCH_CHARS`` characters."""
    head = (text or "")[: patterns.MATCH_CHARS]
    for term in terms:
        try:
            if term and patterns.compile_literal(prefix + term, not_after="@#").search(head) is not None:
                return True
        except patterns.PatternError:
            continue
    return False


def matches(rule: ListeningRule, *, platform: str, text: str, language: str = "", author_handle: str = "") -> bool:
    if not rule.is_active:
        return False
    if rule.platform_list and platform not in rule.platform_list:
        return False
    if rule.language and language and language.split("-")[0].lower() != rule.language.lower():
        return False
    if _has(text, rule.exclusion_list):
        return False
    handles = rule.handle_list
    if author_handle and author_handle.lower() in {h.lower() for h in handles}:
        return False  # the brand's own post is not a mention of it
    return _has(text, handles, "@") or _has(text, rule.hashtag_list, "#") or _has(text, rule.keyword_list)


def active_rules() -> list[ListeningRule]:
    return list(ListeningRule.objects.filter(is_active=True).order_by("brand_id", "pk"))


def brands_for_item(
    rules: list[ListeningRule], *, platform: str, text: str, language: str = "", author_handle: str = ""
) -> list[int]:
    """The ids of the brands whose rules match, each once, in id order."""
    found = {
        rule.brand_id
        for rule in rules
        if matches(rule, platform=platform, text=text, language=language, author_handle=author_handle)
    }
    return sorted(found)
