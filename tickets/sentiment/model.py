"""Sentiment inference: ``classify(texts)`` and ``classify_one(text)`` -> "positive" | "neutral" | "negative".

The model is a linear classifier over TF-IDF word and character n-grams (see ``train.py``), stored as a
pickle-free ``model.npz`` next to this file and loaded once per process, on first use, under a lock.
Only numpy is needed here.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from tickets.sentiment.text import QUESTION_WORDS, char_features, normalise, question_rule, word_features, words_of

MODEL_PATH = Path(__file__).resolve().parent / "model.npz"
NEUTRAL = "neutral"
CHAR_CACHE_SIZE = 200_000  # words whose character n-gram indices are remembered
# A word counts as negative for the question rule when its weight (times IDF) for "negative" exceeds its weight for
# either other label by this much. 1.5 keeps 256 of the 260 negative questions of the training data that the model
# calls negative, while plain questions lose the push that "?" alone gives them (docs/sentiment.md).
NEGATIVE_WORD_MARGIN = 1.5


class SentimentModel:
    def __init__(self, vocab: list[str], idf, coef, intercept, labels, params) -> None:
        self.index = {f: i for i, f in enumerate(vocab)}
        self.idf = idf.astype(np.float32)
        self.coef = coef.astype(np.float32)  # (n_features, n_labels)
        self.intercept = intercept.astype(np.float32)
        self.labels = [str(label) for label in labels]
        params = [int(p) for p in params]
        self.word_ngrams, self.char_min, self.char_max = params[:3]
        self.negation = bool(params[3]) if len(params) > 3 else False
        self._char_cache: dict[str, list[int]] = {}
        self.negative_words = self._negative_words(vocab)

    def _negative_words(self, vocab: list[str]) -> frozenset[str]:
        """Single words the model itself reads as clearly negative (question words and punctuation excluded)."""
        if "negative" not in self.labels:
            return frozenset()
        neg = self.labels.index("negative")
        weights = self.coef * self.idf[:, None]
        others = np.delete(weights, neg, axis=1).max(axis=1)
        margin = weights[:, neg] - others
        return frozenset(
            f[2:]
            for f, m in zip(vocab, margin, strict=True)
            if m > NEGATIVE_WORD_MARGIN
            and f.startswith("w:")
            and " " not in f
            and f[2:] not in QUESTION_WORDS
            and f[2:] not in ("?", "!")
        )

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> SentimentModel:
        with np.load(path, allow_pickle=False) as z:
            vocab = z["vocab"].tobytes().decode("utf-8").split("\n")
            return cls(vocab, z["idf"], z["coef"], z["intercept"], z["labels"], z["params"])

    def _char_indices(self, word: str) -> list[int]:
        cached = self._char_cache.get(word)
        if cached is None:
            index = self.index
            cached = [i for f in char_features(word, self.char_min, self.char_max) if (i := index.get(f)) is not None]
            if len(self._char_cache) >= CHAR_CACHE_SIZE:
                self._char_cache.clear()
            self._char_cache[word] = cached
        return cached

    def classify(self, texts: Iterable[str]) -> list[str]:
        """One label per text, in order; plain questions are neutral (``text.apply_question_rule``)."""
        norms = [normalise(text or "") for text in texts]
        labels = self.labels_of(norms)
        words = self.negative_words
        return [question_rule(n, label, words) for n, label in zip(norms, labels, strict=True)]

    def labels_of(self, norms: list[str]) -> list[str]:
        """The linear model's labels for normalised texts (no question rule)."""
        scores, known = self.scores_of(norms)
        best = scores.argmax(axis=1)
        # No known feature (empty, emoji-only, unknown script): nothing to judge, so neutral.
        return [self.labels[b] if k else NEUTRAL for b, k in zip(best, known, strict=True)]

    def scores_of(self, norms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(texts, labels) decision scores of normalised texts, and whether each text had a known feature."""
        index = self.index
        indices = array("q")
        lengths: list[int] = []
        for norm in norms:
            n = 0
            if norm:
                words = words_of(norm)
                found = [
                    i for f in word_features(words, self.word_ngrams, self.negation) if (i := index.get(f)) is not None
                ]
                indices.extend(found)
                n = len(found)
                for w in words:
                    chars = self._char_indices(w)
                    indices.extend(chars)
                    n += len(chars)
            lengths.append(n)
        if not lengths:
            return np.zeros((0, len(self.labels)), dtype=np.float32), np.zeros(0, dtype=bool)
        n_texts, n_features = len(lengths), len(self.idf)
        # Count each (text, feature) pair; then sublinear tf * idf, L2-normalised per text, exactly as
        # scikit-learn's TfidfVectorizer(sublinear_tf=True) does at training.
        rows = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
        keys, counts = np.unique(rows * n_features + np.frombuffer(indices, dtype=np.int64), return_counts=True)
        row, idx = np.divmod(keys, n_features)
        values = (1.0 + np.log(counts.astype(np.float32))) * self.idf[idx]
        l2 = np.sqrt(np.bincount(row, weights=values * values, minlength=n_texts))
        values = values / np.where(l2 > 0, l2, 1.0)[row]
        weighted = self.coef[idx] * values[:, None]
        scores = np.stack(
            [np.bincount(row, weights=weighted[:, j], minlength=n_texts) for j in range(len(self.labels))], 1
        )
        return (scores + self.intercept).astype(np.float32), np.array(lengths) > 0


_model: SentimentModel | None = None
_lock = threading.Lock()


def get_model() -> SentimentModel:
    """The process-wide model, loaded on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = SentimentModel.load(MODEL_PATH)
    return _model


def classify(texts: list[str]) -> list[str]:
    return get_model().classify(texts)


def classify_one(text: str) -> str:
    return classify([text])[0]
