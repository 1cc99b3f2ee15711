"""Finding snippets fast: an in-memory TF-IDF index of a brand's published snippets (docs/knowledge.md).

The index is built from one query and kept per process. Each lookup first asks the database for a cheap stamp
(count and latest ``updated_at`` of the brand's snippets): any create, edit, publish or archive changes it and
the index is rebuilt; usage counts (which do not touch ``updated_at``) are refreshed at most every
:data:`MAX_AGE_SECONDS`. Expiry is checked at lookup time, so a promotion disappears the second it ends.

Ranking for a ticket (``suggest``) = cosine similarity of the customer's words to the snippet's words (title and
tags count double) + :data:`PRODUCT_BOOST` when the snippet's product is named by the customer
+ :data:`LANGUAGE_BOOST` when the snippet is in the customer's language + :data:`USAGE_WEIGHT` × log(1 + uses),
uses counting an edited use as half (what worked before). Ties: title, then id.
"""

import bisect
import math
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db.models import Count, Max

from ...models import Product, Snippet, SnippetStatus

PRODUCT_BOOST = 0.3
LANGUAGE_BOOST = 0.1
USAGE_WEIGHT = 0.05
MAX_AGE_SECONDS = 60
#: words too common to tell snippets apart (Indonesian and English)
STOPWORDS = frozenset(
    """
    yang dan di ke dari ini itu untuk dengan ada tidak saya kami kita anda kamu aku apa apakah bagaimana kapan
    sudah belum akan bisa juga atau pada karena jadi mau gak ga nggak enggak dong sih ya kok lah nya min kak
    mohon tolong terima kasih halo hai the a an and or of to in on for with is are was were be been it this that
    my your our you we i me please can could would will do does did not no yes hi hello thanks thank have has
    """.split()
)
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-case words of two or more characters, accents folded, stopwords dropped."""
    folded = text.lower()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return [w for w in _WORD_RE.findall(folded) if len(w) > 1 and w not in STOPWORDS and w != "_"]


@dataclass
class Entry:
    id: int
    title: str
    shortcut: str
    language: str
    tone: str
    tags: str
    product_id: int | None
    product_name: str
    expires_at: datetime | None
    uses: float
    excerpt: str


@dataclass
class Index:
    """Entries in id order and, per word, the positions of the entries holding it with their normalized TF-IDF
    weights (numpy arrays, so scoring a query is a few vector additions whatever the number of snippets)."""

    stamp: tuple
    built_at: float
    entries: list[Entry] = field(default_factory=list)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    products: list[tuple[int, frozenset[str]]] = field(default_factory=list)  # product id → words of its name
    vocabulary: list[str] = field(default_factory=list)  # sorted, for prefix search
    shortcuts: list[tuple[str, int]] = field(default_factory=list)  # sorted (shortcut, position)
    popular: list[int] = field(default_factory=list)  # positions by uses, then title, then id
    expires: np.ndarray = field(default_factory=lambda: np.zeros(0))  # POSIX time, +inf for never
    product_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # 0 for none
    usage: np.ndarray = field(default_factory=lambda: np.zeros(0))  # USAGE_WEIGHT × log(1 + uses)
    languages: dict[str, np.ndarray] = field(default_factory=dict)  # language → mask


def _stamp(brand_id: int) -> tuple:
    row = Snippet.objects.filter(brand_id=brand_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    products = Product.objects.filter(brand_id=brand_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    return (row["n"], row["last"], products["n"], products["last"])


def _set_usage(index: Index) -> None:
    index.usage = np.array([USAGE_WEIGHT * math.log1p(e.uses) for e in index.entries], dtype=np.float64)
    index.popular = sorted(
        range(len(index.entries)), key=lambda i: (-index.entries[i].uses, index.entries[i].title, index.entries[i].id)
    )


def build_index(brand_id: int, stamp: tuple = ()) -> Index:
    rows = (
        Snippet.objects.filter(brand_id=brand_id, status=SnippetStatus.PUBLISHED)
        .order_by("pk")
        .values_list(
            "pk",
            "title",
            "body",
            "shortcut",
            "language",
            "tone",
            "tags",
            "product_id",
            "product__name",
            "expires_at",
            "used_as_is",
            "used_edited",
        )
    )
    index = Index(stamp=stamp, built_at=time.monotonic())
    documents: list[Counter] = []
    df: Counter = Counter()
    for pk, title, body, shortcut, language, tone, tags, product_id, product_name, expires, as_is, edited in rows:
        index.entries.append(
            Entry(
                pk,
                title,
                shortcut,
                language,
                tone,
                tags,
                product_id,
                product_name or "",
                expires,
                as_is + edited / 2,
                body[:160],
            )
        )
        words = Counter(tokens(body))
        for word in tokens(f"{title} {tags}"):
            words[word] += 2
        for word in tokens(product_name or ""):
            words[word] += 1
        documents.append(words)
        df.update(words.keys())
    n = len(documents) or 1
    index.idf = {word: math.log((1 + n) / (1 + count)) + 1 for word, count in df.items()}
    lists: dict[str, tuple[list[int], list[float]]] = {}
    for position, words in enumerate(documents):
        weights = {w: (1 + math.log(tf)) * index.idf[w] for w, tf in words.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        for word, weight in weights.items():
            ids, ws = lists.setdefault(word, ([], []))
            ids.append(position)
            ws.append(weight / norm)
    index.postings = {
        w: (np.array(ids, dtype=np.int32), np.array(ws, dtype=np.float64)) for w, (ids, ws) in lists.items()
    }
    index.vocabulary = sorted(index.postings)
    index.shortcuts = sorted((e.shortcut, i) for i, e in enumerate(index.entries) if e.shortcut)
    index.expires = np.array(
        [e.expires_at.timestamp() if e.expires_at else math.inf for e in index.entries], dtype=np.float64
    )
    index.product_ids = np.array([e.product_id or 0 for e in index.entries], dtype=np.int64)
    codes = np.array([e.language for e in index.entries])
    index.languages = {code: codes == code for code in set(codes.tolist())}
    _set_usage(index)
    index.products = [
        (pk, frozenset(tokens(name)))
        for pk, name in Product.objects.filter(brand_id=brand_id).values_list("pk", "name")
    ]
    return index


def refresh_usage(index: Index, brand_id: int) -> None:
    """Read the usage counts again (one narrow query) without rebuilding the index."""
    rows = Snippet.objects.filter(brand_id=brand_id, status=SnippetStatus.PUBLISHED).values_list(
        "pk", "used_as_is", "used_edited"
    )
    uses = {pk: as_is + edited / 2 for pk, as_is, edited in rows}
    for entry in index.entries:
        entry.uses = uses.get(entry.id, entry.uses)
    _set_usage(index)
    index.built_at = time.monotonic()


_cache: dict[int, Index] = {}
_lock = threading.Lock()


def index_for(brand_id: int) -> Index:
    """The brand's index: rebuilt when its snippets or products changed (the stamp), its usage counts read again
    when older than :data:`MAX_AGE_SECONDS`."""
    stamp = _stamp(brand_id)
    cached = _cache.get(brand_id)
    if cached is not None and cached.stamp == stamp:
        if time.monotonic() - cached.built_at >= MAX_AGE_SECONDS:
            with _lock:
                refresh_usage(cached, brand_id)
        return cached
    index = build_index(brand_id, stamp)
    with _lock:
        _cache[brand_id] = index
    return index


def forget(brand_id: int | None = None) -> None:
    """Drop cached indexes (tests, benchmarks)."""
    with _lock:
        if brand_id is None:
            _cache.clear()
        else:
            _cache.pop(brand_id, None)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    reasons: tuple[str, ...]


def _similarity(index: Index, words: list[str], *, prefix_last: bool = False) -> np.ndarray:
    counts = Counter(words)
    query: dict[str, float] = {}
    for word, tf in counts.items():
        if word in index.idf:
            query[word] = (1 + math.log(tf)) * index.idf[word]
    if prefix_last and words and words[-1] not in index.idf:
        # Search as you type: the last word may be unfinished; take the words it starts (at most 20).
        stem = words[-1]
        start = bisect.bisect_left(index.vocabulary, stem)
        for word in index.vocabulary[start : start + 20]:
            if not word.startswith(stem):
                break
            query[word] = index.idf[word] * 0.8
    norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    scores = np.zeros(len(index.entries), dtype=np.float64)
    for word, weight in query.items():
        ids, ws = index.postings[word]
        scores[ids] += ws * (weight / norm)  # a word's positions are unique, so this adds once per entry
    return scores


def mentioned_products(index: Index, text: str) -> set[int]:
    words = set(tokens(text))
    return {pk for pk, name_words in index.products if name_words and name_words <= words}


def _top(index: Index, scores: np.ndarray, candidates: np.ndarray, limit: int) -> list[int]:
    """Positions of the best ``limit`` candidates, ties (to 6 decimals) by title, then id."""
    positions = np.flatnonzero(candidates)
    if not len(positions):
        return []
    rounded = np.round(scores[positions], 6)
    if len(positions) > limit:
        threshold = np.partition(rounded, len(rounded) - limit)[len(rounded) - limit]
        keep = rounded >= threshold
        positions, rounded = positions[keep], rounded[keep]
    order = sorted(
        zip(rounded.tolist(), positions.tolist(), strict=True),
        key=lambda pair: (-pair[0], index.entries[pair[1]].title, index.entries[pair[1]].id),
    )
    return [position for _score, position in order[:limit]]


def suggest(index: Index, *, text: str, language: str = "", now: datetime, limit: int = 8) -> list[Hit]:
    """Snippets ranked for a customer's ``text`` (see the module docstring for the formula)."""
    if not index.entries:
        return []
    similarity = _similarity(index, tokens(text))
    products = mentioned_products(index, text)
    usable = index.expires > now.timestamp()
    product_match = np.isin(index.product_ids, list(products)) if products else np.zeros(len(index.entries), bool)
    language_match = index.languages.get(language, np.zeros(len(index.entries), bool))
    scores = similarity + PRODUCT_BOOST * product_match + LANGUAGE_BOOST * language_match + index.usage
    hits = []
    for position in _top(index, scores, ((similarity > 0) | product_match) & usable, limit):
        reasons = ("words",) if similarity[position] > 0 else ()
        reasons += ("product",) if product_match[position] else ()
        reasons += ("language",) if language_match[position] else ()
        reasons += ("used",) if index.usage[position] > 0 else ()
        hits.append(Hit(index.entries[position], round(float(scores[position]), 6), reasons))
    if len(hits) < limit:
        # Nothing (or little) matched: offer what the team uses most in the customer's language.
        seen = {h.entry.id for h in hits}
        for position in index.popular:
            entry = index.entries[position]
            if entry.id in seen or not usable[position] or (language and entry.language != language):
                continue
            hits.append(Hit(entry, 0.0, ("popular",)))
            if len(hits) == limit:
                break
    return hits


def search(index: Index, *, q: str, now: datetime, limit: int = 20) -> list[Hit]:
    """``/short`` finds shortcuts starting with ``short``; words find snippets by title, tags, body and product
    (the last word may be unfinished)."""
    q = q.strip()
    if not q or not index.entries:
        return []
    moment = now.timestamp()
    if q.startswith("/"):
        stem = q[1:].lower()
        found = []
        for shortcut, position in index.shortcuts[bisect.bisect_left(index.shortcuts, (stem, -1)) :]:
            if not shortcut.startswith(stem) or len(found) == limit:
                break
            if index.expires[position] > moment:
                found.append(Hit(index.entries[position], 1.0, ("shortcut",)))
        return found
    words = tokens(q)
    if not words:
        return []
    scores = _similarity(index, words, prefix_last=True)
    positions = _top(index, scores, (scores > 0) & (index.expires > moment), limit)
    return [Hit(index.entries[p], round(float(scores[p]), 6), ("words",)) for p in positions]
