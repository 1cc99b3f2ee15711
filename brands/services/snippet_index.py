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

import math
import re
import threading
import time
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max

from ..models import Product, Snippet, SnippetStatus

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
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
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

    def usable(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass
class Index:
    stamp: tuple
    built_at: float
    entries: list[Entry] = field(default_factory=list)
    postings: dict[str, tuple[array, array]] = field(default_factory=dict)  # word → (entry positions, weights)
    idf: dict[str, float] = field(default_factory=dict)
    products: list[tuple[int, frozenset[str]]] = field(default_factory=list)  # product id → words of its name
    vocabulary: list[str] = field(default_factory=list)  # sorted, for prefix search


def _stamp(brand_id: int) -> tuple:
    row = Snippet.objects.filter(brand_id=brand_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    products = Product.objects.filter(brand_id=brand_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    return (row["n"], row["last"], products["n"], products["last"])


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
    index.postings = {w: (array("I", ids), array("f", ws)) for w, (ids, ws) in lists.items()}
    index.vocabulary = sorted(index.postings)
    index.products = [
        (pk, frozenset(tokens(name)))
        for pk, name in Product.objects.filter(brand_id=brand_id).values_list("pk", "name")
    ]
    return index


_cache: dict[int, Index] = {}
_lock = threading.Lock()


def index_for(brand_id: int) -> Index:
    """The brand's index, rebuilt when its snippets or products changed or it is older than a minute."""
    stamp = _stamp(brand_id)
    cached = _cache.get(brand_id)
    if cached is not None and cached.stamp == stamp and time.monotonic() - cached.built_at < MAX_AGE_SECONDS:
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


def _similarity(index: Index, words: list[str], *, prefix_last: bool = False) -> dict[int, float]:
    counts = Counter(words)
    query: dict[str, float] = {}
    for word, tf in counts.items():
        if word in index.idf:
            query[word] = (1 + math.log(tf)) * index.idf[word]
    if prefix_last and words and words[-1] not in index.idf:
        # Search as you type: the last word may be unfinished; take the words it starts (at most 20).
        import bisect

        stem = words[-1]
        start = bisect.bisect_left(index.vocabulary, stem)
        for word in index.vocabulary[start : start + 20]:
            if not word.startswith(stem):
                break
            query[word] = index.idf[word] * 0.8
    norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    scores: dict[int, float] = {}
    get = scores.get
    for word, weight in query.items():
        ids, ws = index.postings[word]
        q = weight / norm
        for position, w in zip(ids, ws, strict=True):
            scores[position] = get(position, 0.0) + w * q
    return scores


def mentioned_products(index: Index, text: str) -> set[int]:
    words = set(tokens(text))
    return {pk for pk, name_words in index.products if name_words and name_words <= words}


def suggest(index: Index, *, text: str, language: str = "", now: datetime, limit: int = 8) -> list[Hit]:
    """Snippets ranked for a customer's ``text`` (see the module docstring for the formula)."""
    similarity = _similarity(index, tokens(text))
    products = mentioned_products(index, text)
    candidates = set(similarity)
    if products:
        candidates |= {i for i, e in enumerate(index.entries) if e.product_id in products}
    hits = []
    for position in candidates:
        entry = index.entries[position]
        if not entry.usable(now):
            continue
        score = similarity.get(position, 0.0)
        reasons = ["words"] if score else []
        if entry.product_id in products:
            score += PRODUCT_BOOST
            reasons.append("product")
        if language and entry.language == language:
            score += LANGUAGE_BOOST
            reasons.append("language")
        if entry.uses:
            score += USAGE_WEIGHT * math.log1p(entry.uses)
            reasons.append("used")
        hits.append(Hit(entry, round(score, 6), tuple(reasons)))
    hits.sort(key=lambda h: (-h.score, h.entry.title, h.entry.id))
    if len(hits) < limit:
        # Nothing (or little) matched: offer what the team uses most in the customer's language.
        seen = {h.entry.id for h in hits}
        rest = [
            e for e in index.entries if e.id not in seen and e.usable(now) and (not language or e.language == language)
        ]
        rest.sort(key=lambda e: (-e.uses, e.title, e.id))
        hits += [Hit(e, 0.0, ("popular",)) for e in rest[: limit - len(hits)]]
    return hits[:limit]


def search(index: Index, *, q: str, now: datetime, limit: int = 20) -> list[Hit]:
    """``/short`` finds shortcuts starting with ``short``; words find snippets by title, tags, body and product
    (the last word may be unfinished)."""
    q = q.strip()
    if not q:
        return []
    if q.startswith("/"):
        stem = q[1:].lower()
        found = [e for e in index.entries if e.shortcut and e.shortcut.startswith(stem) and e.usable(now)]
        found.sort(key=lambda e: (e.shortcut != stem, e.shortcut, e.id))
        return [Hit(e, 1.0, ("shortcut",)) for e in found[:limit]]
    words = tokens(q)
    if not words:
        return []
    scores = _similarity(index, words, prefix_last=True)
    hits = [Hit(index.entries[p], round(s, 6), ("words",)) for p, s in scores.items() if index.entries[p].usable(now)]
    hits.sort(key=lambda h: (-h.score, h.entry.title, h.entry.id))
    return hits[:limit]
