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

from tickets.sentiment.text import char_features, normalise, word_features, words_of

MODEL_PATH = Path(__file__).resolve().parent / "model.npz"
NEUTRAL = "neutral"
CHAR_CACHE_SIZE = 200_000  # words whose character n-gram indices are remembered


class SentimentModel:
    def __init__(self, vocab: list[str], idf, coef, intercept, labels, params) -> None:
        self.index = {f: i for i, f in enumerate(vocab)}
        self.idf = idf.astype(np.float32)
        self.coef = coef.astype(np.float32)  # (n_features, n_labels)
        self.intercept = intercept.astype(np.float32)
        self.labels = [str(label) for label in labels]
        self.word_ngrams, self.char_min, self.char_max = (int(p) for p in params)
        self._char_cache: dict[str, list[int]] = {}

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
        index = self.index
        indices = array("q")
        lengths: list[int] = []
        for text in texts:
            norm = normalise(text or "")
            n = 0
            if norm:
                words = words_of(norm)
                found = [i for f in word_features(words, self.word_ngrams) if (i := index.get(f)) is not None]
                indices.extend(found)
                n = len(found)
                for w in words:
                    chars = self._char_indices(w)
                    indices.extend(chars)
                    n += len(chars)
            lengths.append(n)
        if not lengths:
            return []
        n_texts, n_features = len(lengths), len(self.idf)
        # Count each (text, feature) pair; then sublinear tf * idf, L2-normalised per text, exactly as
        # scikit-learn's TfidfVectorizer(sublinear_tf=True) does at training.
        rows = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
        keys, counts = np.unique(rows * n_features + np.frombuffer(indices, dtype=np.int64), return_counts=True)
        row, idx = np.divmod(keys, n_features)
        values = (1.0 + np.log(counts.astype(np.float32))) * self.idf[idx]
        norms = np.sqrt(np.bincount(row, weights=values * values, minlength=n_texts))
        values = values / np.where(norms > 0, norms, 1.0)[row]
        weighted = self.coef[idx] * values[:, None]
        scores = np.stack(
            [np.bincount(row, weights=weighted[:, j], minlength=n_texts) for j in range(len(self.labels))], 1
        )
        best = (scores + self.intercept).argmax(axis=1)
        # No known feature (empty, emoji-only, unknown script): nothing to judge, so neutral.
        return [self.labels[b] if n else NEUTRAL for b, n in zip(best, lengths, strict=True)]


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
