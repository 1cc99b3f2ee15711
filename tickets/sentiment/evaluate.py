"""Figures for the model card: macro-F1 with bootstrap confidence intervals (training time only)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np

from tickets.sentiment.corpus import LABELS, Split

BOOTSTRAP = 1000


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Mean F1 over the labels that occur in gold or predicted (as scikit-learn's ``average="macro"``)."""
    g = np.array([labels.index(x) for x in gold])
    p = np.array([labels.index(x) for x in predicted])
    return float(_macro_f1_codes(g[None, :], p[None, :], len(labels))[0])


def _macro_f1_codes(g: np.ndarray, p: np.ndarray, classes: int = len(LABELS)) -> np.ndarray:
    """Row-wise macro-F1 over the labels present in the row's gold or predicted labels (as scikit-learn)."""
    total = np.zeros(len(g))
    present = np.zeros(len(g))
    for c in range(classes):
        tp = ((g == c) & (p == c)).sum(axis=1)
        fp = ((g != c) & (p == c)).sum(axis=1)
        fn = ((g == c) & (p != c)).sum(axis=1)
        denom = 2 * tp + fp + fn
        total += np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
        present += denom > 0
    return total / np.maximum(present, 1)


def bootstrap_ci(
    gold: Sequence[str], predicted: Sequence[str], seed: int = 18, labels: Sequence[str] = LABELS
) -> tuple[float, float]:
    """95% percentile interval of macro-F1 over texts resampled with replacement."""
    g = np.array([labels.index(x) for x in gold])
    p = np.array([labels.index(x) for x in predicted])
    idx = np.random.default_rng(seed).integers(0, len(g), size=(BOOTSTRAP, len(g)))
    scores = _macro_f1_codes(g[idx], p[idx], len(labels))
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return float(lo), float(hi)


def figure(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    lo, hi = bootstrap_ci(gold, predicted)
    return {"n": len(gold), "macro_f1": round(macro_f1(gold, predicted), 4), "ci95": [round(lo, 4), round(hi, 4)]}


def line(name: str, fig: dict) -> str:
    lo, hi = fig["ci95"]
    return f"{name:<34} n={fig['n']:>5}  macro-F1 {fig['macro_f1']:.4f}  95% CI [{lo:.3f}, {hi:.3f}]"


def evaluate(predict: Callable[[list[str]], list[str]], parts: dict[str, Split], prefix: str) -> dict[str, dict]:
    out = {}
    for name, part in parts.items():
        fig = figure(part.labels, predict(part.texts))
        out[name] = fig
        sys.stdout.write(line(f"{prefix}{name}", fig) + "\n")
    sys.stdout.flush()
    return out
