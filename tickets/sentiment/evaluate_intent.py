"""Figures of the intent rules (``intent.py``) on the published set ``data/intents.tsv`` (docs/intent.md).

``python -m tickets.sentiment.evaluate_intent`` prints per-class precision and recall, macro-F1 with a 95%
bootstrap interval, per split (``dev``: what the cues were tuned on; ``test``: held out while tuning) and for
both; ``--write`` stores them in ``data/intent_figures.json``, which ``tests/tickets/test_intent_figures.py`` checks.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from tickets.sentiment.evaluate import bootstrap_ci, macro_f1
from tickets.sentiment.intent import INTENTS, classify_intents

DATA = Path(__file__).resolve().parent / "data"
INTENTS_PATH = DATA / "intents.tsv"
FIGURES_PATH = DATA / "intent_figures.json"


@dataclass
class IntentSet:
    ids: list[str] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def load(path: Path = INTENTS_PATH) -> IntentSet:
    """The labelled set: ``id<TAB>split<TAB>language<TAB>intent<TAB>text`` after a header line."""
    out = IntentSet()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n == 0 or not line.strip():
                continue
            row = line.rstrip("\n").split("\t", 4)
            for column, value in zip((out.ids, out.splits, out.languages, out.labels, out.texts), row, strict=True):
                column.append(value)
    return out


def per_class(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    """Precision, recall and support per intent (0.0 where nothing was predicted or expected)."""
    out = {}
    for label in INTENTS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        predicted_n, gold_n = predicted.count(label), gold.count(label)
        out[label] = {
            "precision": round(tp / predicted_n, 4) if predicted_n else 0.0,
            "recall": round(tp / gold_n, 4) if gold_n else 0.0,
            "support": gold_n,
        }
    return out


def figures(data: IntentSet) -> dict[str, dict]:
    predicted = classify_intents(data.texts)
    out = {}
    for part in ("dev", "test", "all"):
        keep = [i for i, split in enumerate(data.splits) if part in ("all", split)]
        gold = [data.labels[i] for i in keep]
        guess = [predicted[i] for i in keep]
        lo, hi = bootstrap_ci(gold, guess, labels=INTENTS)
        out[part] = {
            "n": len(keep),
            "macro_f1": round(macro_f1(gold, guess, labels=INTENTS), 4),
            "ci95": [round(lo, 4), round(hi, 4)],
            "per_class": per_class(gold, guess),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {FIGURES_PATH.name}")
    args = parser.parse_args(argv)
    result = figures(load())
    for part, fig in result.items():
        lo, hi = fig["ci95"]
        print(f"{part:<5} n={fig['n']:>4}  macro-F1 {fig['macro_f1']:.4f}  95% CI [{lo:.3f}, {hi:.3f}]")  # noqa: T201
        for label, c in fig["per_class"].items():
            print(f"    {label:<10} P {c['precision']:.3f}  R {c['recall']:.3f}  n={c['support']}")  # noqa: T201
    if args.write:
        FIGURES_PATH.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
