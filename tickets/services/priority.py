"""Priority that explains itself: author influence, urgency and the combination (docs/priority.md); and the
reading side of a brand's priority and noise rules (:func:`rules_for`), which supervisors write through
``brands.services.priority``.

Everything but :func:`rules_for` is pure: no database, no clock. ``ingest`` gathers the inputs and stores the
result (:meth:`Assessment.as_json`) on the ticket as ``priority_factors``; the ticket page renders it back with
:func:`explain`. Reasons are stored as a code and numbers, not as text, so each reader sees them in their
own language.
"""

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from brands.models import BlockedAuthor, Priority, SpamPattern, UrgencyTerm
from brands.services import patterns
from brands.services.customer_data import bounded_count

logger = logging.getLogger(__name__)

# --- reasons --------------------------------------------------------------------------------------------------

#: reason code → translatable text; ``%(n)s``-style numbers come from :attr:`Reason.params`
REASON_TEXTS = {
    # influence
    "followers": _("%(followers)s followers"),
    "followers_unknown": _("follower count unknown"),
    "engagement": _("%(engagement)s interactions on the message"),
    "engagement_unknown": _("engagement unknown"),
    "verified_org": _("verified business or government account"),
    "verified_blue": _("verified (blue) account"),
    "history": _("%(tickets)s earlier tickets with this brand"),
    "bought_followers": _("followers look bought: %(ratio)s followers per account followed, %(rate)s%% engagement"),
    "follows_many": _("follows %(following)s accounts but only %(followers)s follow back"),
    "new_account": _("account created %(days)s days ago"),
    # priority
    "sentiment_negative": _("negative message"),
    "sentiment_neutral": _("neutral message"),
    "sentiment_positive": _("positive message"),
    "influence": _("author influence %(score)s of 100"),
    "urgency_term": _("mentions %(label)s (“%(term)s”)"),
    "urgency_term_capped": _("mentions %(label)s (“%(term)s”), above the %(cap)s-point urgency cap"),
    "private": _("private message"),
    "repeat_mentions": _("%(count)s messages from the customer on this ticket"),
    "recent_tickets": _("%(count)s other tickets from this customer in the last %(days)s days"),
    "override": _("set by hand"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    points: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        template = REASON_TEXTS.get(self.code)
        if template is None:
            return self.code
        try:
            return str(template) % self.params
        except (KeyError, TypeError, ValueError):
            return str(template)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Reason":
        return cls(code=str(data.get("code", "")), points=int(data.get("points", 0)), params=data.get("params") or {})


# --- influence ------------------------------------------------------------------------------------------------

#: verified types as platforms name them; business/government beat the paid blue tick
ORG_VERIFIED = frozenset({"business", "government", "organization", "organisation", "brand"})
BLUE_VERIFIED = frozenset({"blue", "verified", "true", "1", "yes"})

BOUGHT_RATIO = 50  # followers per account followed
BOUGHT_MIN_FOLLOWERS = 10_000
BOUGHT_MAX_ENGAGEMENT_RATE = 0.0005  # interactions per follower on the message
FOLLOWS_MANY_RATIO = 5
FOLLOWS_MANY_MIN = 1_000
NEW_ACCOUNT_DAYS = 30


@dataclass(frozen=True)
class AuthorSignals:
    followers: int | None = None
    following: int | None = None
    verified_type: str = ""
    engagement: int | None = None  # interactions on the message (likes, reposts, replies, quotes)
    account_age_days: int | None = None
    earlier_tickets: int = 0  # tickets with this brand before this one


@dataclass(frozen=True)
class Score:
    value: int
    reasons: list[Reason]


def influence(signals: AuthorSignals) -> Score:
    """Author influence 0–100 with its reasons.

    Reach ``10·log10(1+followers)`` (≤ 50) + engagement ``5·log10(1+interactions)`` (≤ 20) + verified
    (business/government 20, blue 10) + history ``2 × earlier tickets`` (≤ 10); minus 25 when the followers
    look bought (more than 50 followers per account followed, at least 10,000 followers and under 0.05 %
    engagement), minus 15 when the author follows five times more accounts than follow back (≥ 1,000), minus
    15 for an account younger than 30 days. Clamped to 0–100.
    """
    reasons: list[Reason] = []
    followers = signals.followers
    if followers is None:
        reasons.append(Reason("followers_unknown", 0))
        followers = 0
    else:
        reasons.append(Reason("followers", min(50, round(10 * math.log10(1 + followers))), {"followers": followers}))
    if signals.engagement is None:
        reasons.append(Reason("engagement_unknown", 0))
    else:
        points = min(20, round(5 * math.log10(1 + signals.engagement)))
        reasons.append(Reason("engagement", points, {"engagement": signals.engagement}))
    verified = (signals.verified_type or "").strip().lower()
    if verified in ORG_VERIFIED:
        reasons.append(Reason("verified_org", 20))
    elif verified in BLUE_VERIFIED:
        reasons.append(Reason("verified_blue", 10))
    if signals.earlier_tickets > 0:
        reasons.append(Reason("history", min(10, 2 * signals.earlier_tickets), {"tickets": signals.earlier_tickets}))

    following = signals.following
    if (
        following is not None
        and signals.engagement is not None
        and followers >= BOUGHT_MIN_FOLLOWERS
        and followers > BOUGHT_RATIO * max(following, 1)
        and signals.engagement / followers < BOUGHT_MAX_ENGAGEMENT_RATE
    ):
        ratio = followers // max(following, 1)
        rate = round(100 * signals.engagement / followers, 3)
        reasons.append(Reason("bought_followers", -25, {"ratio": ratio, "rate": rate}))
    if following is not None and following >= FOLLOWS_MANY_MIN and following > FOLLOWS_MANY_RATIO * followers:
        reasons.append(Reason("follows_many", -15, {"following": following, "followers": followers}))
    if signals.account_age_days is not None and signals.account_age_days < NEW_ACCOUNT_DAYS:
        reasons.append(Reason("new_account", -15, {"days": max(0, signals.account_age_days)}))
    value = max(0, min(100, sum(r.points for r in reasons)))
    return Score(value, reasons)


def engagement_from_raw(raw: Any) -> int | None:
    """Interactions on the message, when the payload carries them (X v2 ``public_metrics``, Meta
    ``like_count``/``comments_count``, or a plain ``engagement``); None when it does not. Each count is bounded
    (``customer_data.bounded_count``): an impossible one counts as absent."""
    if not isinstance(raw, dict):
        return None
    if (value := bounded_count(raw.get("engagement"))) is not None:
        return value
    metrics = raw.get("public_metrics") if isinstance(raw.get("public_metrics"), dict) else raw
    keys = ("like_count", "retweet_count", "reply_count", "quote_count", "comments_count", "share_count")
    found = [v for v in (bounded_count(metrics.get(k)) for k in keys) if v is not None]
    return sum(found) if found else None


def account_created_from_raw(raw: Any) -> datetime | None:
    """The author account's creation time, when the payload carries it (``author.created_at``/``user.created_at``)."""
    if not isinstance(raw, dict):
        return None
    for key in ("author", "user"):
        author = raw.get(key)
        if isinstance(author, dict) and isinstance(author.get("created_at"), str):
            try:
                created = datetime.fromisoformat(author["created_at"].replace("Z", "+00:00"))
            except ValueError:
                return None
            return created if created.tzinfo else None
    return None


# --- urgency --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    pattern: str
    label: str
    weight: int
    is_regex: bool = False


#: built-in urgency terms for Indonesian and English; a brand adds its own (``brands.UrgencyTerm``)
DEFAULT_URGENCY_TERMS: tuple[Term, ...] = (
    Term("penipuan", "fraud", 30),
    Term("penipu", "fraud", 30),
    Term("fraud", "fraud", 30),
    Term("scam", "fraud", 30),
    Term("uang hilang", "lost money", 30),
    Term("lost money", "lost money", 30),
    Term("saldo terpotong", "lost money", 20),
    Term("saldo hilang", "lost money", 30),
    Term("OJK", "regulator", 30),
    Term("YLKI", "consumer body", 30),
    Term("BPSK", "consumer body", 30),
    Term("polisi", "police", 30),
    Term("lapor polisi", "police", 30),
    Term("police", "police", 30),
    Term("pengacara", "legal", 30),
    Term("lawyer", "legal", 30),
    Term("somasi", "legal", 30),
    Term(r"(di|meng)?gugat(an)?", "legal", 30, is_regex=True),
    Term("sue", "legal", 30),
    Term("bahaya", "safety", 30),
    Term("keselamatan", "safety", 30),
    Term("safety", "safety", 30),
    Term("kebakaran", "safety", 30),
    Term("meledak", "safety", 30),
)

URGENCY_CAP = 40


@dataclass(frozen=True)
class TermSet:
    """Terms compiled once for RE2 (``brands.services.patterns``): each usable term with its pattern, and the
    terms skipped with the reason. A stored rule that RE2 cannot run (saved before RE2, or edited in the
    database) is skipped, logged once when its set is compiled and marked on the brand's settings page; it
    never stops ingest."""

    compiled: tuple[tuple[Term, patterns.Regexp], ...] = ()
    skipped: tuple[tuple[Term, str], ...] = ()

    def found(self, text: str) -> Iterator[tuple[Term, str]]:
        """Each term found in the first ``MATCH_CHARS`` characters of ``text``, in order, with the text it
        matched."""
        head = (text or "")[:MATCH_CHARS]
        for term, regexp in self.compiled:
            match = regexp.search(head)
            if match is not None:
                yield term, match.group(1) if regexp.groups else match.group(0)

    def first(self, text: str) -> tuple[Term, str] | None:
        return next(self.found(text), None)


@lru_cache(maxsize=512)  # keyed by the terms themselves: a brand's changed rules make a new set, nothing is stale
def term_set(terms: tuple[Term, ...]) -> TermSet:
    compiled, skipped = [], []
    for term in terms:
        try:
            compiled.append((term, patterns.compile_rule(term.pattern, is_regex=term.is_regex)))
        except patterns.PatternError as exc:
            skipped.append((term, str(exc)))
            logger.warning("pattern %r (%s) skipped: %s", term.pattern, term.label, exc)
    return TermSet(tuple(compiled), tuple(skipped))


def as_term_set(terms: "TermSet | Iterable[Term]") -> TermSet:
    return terms if isinstance(terms, TermSet) else term_set(tuple(terms))


#: the text length terms are looked for in (a 100k-character post is read up to here)
MATCH_CHARS = patterns.MATCH_CHARS


def match_terms(text: str, terms: "TermSet | Iterable[Term]") -> list[Term]:
    """The terms found in ``text``, one per label (the heaviest), in the order given. Plain terms match whole
    words, case-insensitively; a term that RE2 cannot run matches nothing (see :class:`TermSet`)."""
    best: dict[str, Term] = {}
    for term, _text in as_term_set(terms).found(text):
        if term.label not in best or term.weight > best[term.label].weight:
            best[term.label] = term
    return list(best.values())


# --- the combination ------------------------------------------------------------------------------------------

SENTIMENT_POINTS = {"negative": 20, "neutral": 0, "positive": -5}
PRIVATE_POINTS = 10
REPEAT_POINTS = 5  # per extra message on the ticket, and per other recent ticket
REPEAT_CAP = 20
RECENT_DAYS = 7

#: the lowest total of each level, highest first; below NORMAL's is LOW
THRESHOLDS = ((Priority.URGENT, 50), (Priority.HIGH, 30), (Priority.NORMAL, 0))


@dataclass(frozen=True)
class PriorityInputs:
    sentiment: str = ""
    influence: Score | None = None
    terms: tuple[Term, ...] = ()
    is_private: bool = False
    mentions_on_ticket: int = 1  # the customer's messages on this ticket, this one included
    recent_tickets: int = 0  # the customer's other tickets with the brand in the last RECENT_DAYS days


@dataclass(frozen=True)
class Assessment:
    priority: int
    points: int
    factors: list[Reason]
    influence: Score | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "priority": self.priority,
            "points": self.points,
            "factors": [r.as_json() for r in self.factors],
        }
        if self.influence is not None:
            data["influence"] = {
                "score": self.influence.value,
                "reasons": [r.as_json() for r in self.influence.reasons],
            }
        return data


def level_for(points: int) -> int:
    for level, lowest in THRESHOLDS:
        if points >= lowest:
            return level
    return Priority.LOW


def assess(inputs: PriorityInputs) -> Assessment:
    """Points from sentiment (negative 20, neutral 0, positive −5), influence (score ÷ 5, so 0–20), urgency
    terms (each label's weight, ≤ 40 together), a private message (10) and repeats (5 per extra message on the
    ticket and per other ticket in 7 days, ≤ 20), summed: ≥ 50 urgent, ≥ 30 high, ≥ 0 normal, else low."""
    factors: list[Reason] = []
    if inputs.sentiment in SENTIMENT_POINTS:
        factors.append(Reason(f"sentiment_{inputs.sentiment}", SENTIMENT_POINTS[inputs.sentiment]))
    if inputs.influence is not None:
        factors.append(Reason("influence", inputs.influence.value // 5, {"score": inputs.influence.value}))
    budget = URGENCY_CAP
    for term in inputs.terms:
        points = min(term.weight, budget)
        budget -= points
        params = {"label": term.label, "term": term.pattern, "weight": term.weight}
        if points < term.weight:
            factors.append(Reason("urgency_term_capped", points, {**params, "cap": URGENCY_CAP}))
        else:
            factors.append(Reason("urgency_term", points, params))
    if inputs.is_private:
        factors.append(Reason("private", PRIVATE_POINTS))
    repeat_budget = REPEAT_CAP
    extra = max(0, inputs.mentions_on_ticket - 1)
    if extra:
        points = min(REPEAT_POINTS * extra, repeat_budget)
        repeat_budget -= points
        factors.append(Reason("repeat_mentions", points, {"count": inputs.mentions_on_ticket}))
    if inputs.recent_tickets:
        points = min(REPEAT_POINTS * inputs.recent_tickets, repeat_budget)
        factors.append(Reason("recent_tickets", points, {"count": inputs.recent_tickets, "days": RECENT_DAYS}))
    total = sum(r.points for r in factors)
    return Assessment(level_for(total), total, factors, inputs.influence)


@dataclass(frozen=True)
class Explanation:
    """What the ticket page shows under "Why this priority"."""

    points: int | None
    factors: list[Reason]
    influence: int | None
    influence_reasons: list[Reason]
    overridden: bool


def explain(priority_factors: dict[str, Any] | None, *, overridden: bool = False) -> Explanation | None:
    data = priority_factors or {}
    if not data.get("factors") and not overridden:
        return None
    influence_data = data.get("influence") or {}
    return Explanation(
        points=data.get("points"),
        factors=[Reason.from_json(f) for f in data.get("factors", []) if isinstance(f, dict)],
        influence=influence_data.get("score"),
        influence_reasons=[Reason.from_json(f) for f in influence_data.get("reasons", []) if isinstance(f, dict)],
        overridden=overridden,
    )


# --- a brand's rules, read once per ingest batch (three queries per brand) ------------------------------------


@dataclass(frozen=True)
class BrandRules:
    """Compiled once per distinct set of rules (``priority.term_set``), so a batch reads three rows per brand
    and compiles nothing that an earlier batch of the brand already compiled."""

    urgency_terms: TermSet = field(default_factory=lambda: term_set(DEFAULT_URGENCY_TERMS))
    spam_terms: TermSet = field(default_factory=lambda: term_set(()))
    #: platform → lower-cased handles without "@"
    blocked_handles: dict[str, frozenset[str]] = field(default_factory=dict)

    def match_urgency(self, text: str) -> list[Term]:
        return match_terms(text, self.urgency_terms)


def rules_for(brand_id: int) -> BrandRules:
    own = tuple(
        Term(pattern, label, weight, is_regex)
        for pattern, label, weight, is_regex in UrgencyTerm.objects.filter(brand_id=brand_id)
        .order_by("pk")
        .values_list("pattern", "label", "weight", "is_regex")
    )
    spam = tuple(
        Term(pattern, label, 0, is_regex)
        for pattern, label, is_regex in SpamPattern.objects.filter(brand_id=brand_id)
        .order_by("pk")
        .values_list("pattern", "label", "is_regex")
    )
    blocked: dict[str, set[str]] = {}
    for platform, handle in BlockedAuthor.objects.filter(brand_id=brand_id).values_list("platform", "handle"):
        blocked.setdefault(platform, set()).add(handle.strip().lstrip("@").lower())
    return BrandRules(
        urgency_terms=term_set(DEFAULT_URGENCY_TERMS + own),
        spam_terms=term_set(spam),
        blocked_handles={platform: frozenset(handles) for platform, handles in blocked.items()},
    )
