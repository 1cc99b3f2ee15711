"""Train the refining model (``refining.py``): a logistic regression over the e5 sentence embedding of each text and
the ingest model's three decision scores; saved as a small pickle-free ``refine.npz``.

    nice -n 10 .venv/bin/python -m tickets.sentiment.train_refine [--data DIR]

``DIR``: the training corpora, as for ``tickets.sentiment.train``.

Run after ``tickets.sentiment.train`` (it uses that model's recipe, ``data/figures.json`` ``params``, and the
committed ``model.npz``). Embedding the 13,000 texts takes about 20 minutes on one free core; embeddings are
cached in ``var/sentiment-e5/``. The ingest model's scores used as training input are out-of-fold (3-fold
cross-validation), so the regression learns how far to trust them on text they were not trained on.

Figures, as for the ingest model: held-out (everything trained without the held-out split and its near-duplicates),
valid (the committed model, trained on the train splits only), cross-source for the embedding part alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from tickets.sentiment import corpus, evaluate, refining, train
from tickets.sentiment.corpus import LABELS, SOURCES, Split
from tickets.sentiment.text import normalise

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "sentiment-e5"
SCORE_SCALE = 0.1
C_GRID = (3.0, 10.0, 30.0)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def embeddings(name: str, texts: list[str], cache: Path) -> np.ndarray:
    """e5 embeddings of the normalised texts (an empty one is embedded as "."), cached by content."""
    from tickets.sentiment.refining import embed

    norms = [normalise(t) or "." for t in texts]
    digest = hashlib.sha256("\n".join(norms).encode()).hexdigest()[:16]
    path = cache / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    parts = []
    for s in range(0, len(norms), 500):
        parts.append(embed(norms[s : s + 500]))
        say(f"  embedded {name}: {min(s + 500, len(norms))}/{len(norms)}")
    out = np.concatenate(parts)
    np.save(path, out)
    return out


def out_of_fold_scores(params: dict, part: Split) -> np.ndarray:
    """The ingest recipe's decision scores for each text of ``part``, from a model trained on the other folds."""
    from sklearn.model_selection import StratifiedGroupKFold

    norms = [normalise(t) for t in part.texts]
    groups = [corpus.group_of(i) for i in part.ids]
    out = np.zeros((len(part), len(LABELS)), dtype=np.float32)
    folds = StratifiedGroupKFold(3, shuffle=True, random_state=18).split(norms, part.labels, groups)
    for tr, te in folds:
        model = train.fit(params, part.take(np.isin(np.arange(len(part)), tr)) + train.seed_split())
        out[te] = model.clf.decision_function(model.vec.transform([norms[i] for i in te]))
    return out


def head(x: np.ndarray, y: list[str], C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, np.array(y))


def choose_c(x: np.ndarray, part: Split) -> float:
    from sklearn.model_selection import StratifiedGroupKFold

    groups = [corpus.group_of(i) for i in part.ids]
    source = np.array([corpus.source_of(i) for i in part.ids])
    labels = np.array(part.labels)
    best = None
    for C in C_GRID:
        pred = np.empty(len(part), dtype=object)
        for tr, te in StratifiedGroupKFold(3, shuffle=True, random_state=18).split(x, labels, groups):
            pred[te] = head(x[tr], labels[tr].tolist(), C).predict(x[te])
        mean = float(np.mean([evaluate.macro_f1(labels[source == s], pred[source == s]) for s in SOURCES]))
        say(f"  cv C={C}: mean macro-F1 {mean:.4f}")
        if best is None or mean > best[0]:
            best = (mean, C)
    return best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=corpus.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="default: tickets/sentiment/refine.npz")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    from tickets.sentiment.model import get_model

    refine = refining

    out = args.out or refine.REFINE_PATH
    figures_all = json.loads(train.FIGURES.read_text(encoding="utf-8"))
    params = figures_all["params"]
    train_all, valid = corpus.load(args.data, "train"), corpus.load(args.data, "valid")
    emb = {k: embeddings(f"train-{k}", train_all[k].texts, args.cache) for k in SOURCES}
    emb |= {f"valid-{k}": embeddings(f"valid-{k}", valid[k].texts, args.cache) for k in SOURCES}
    row = {i: (k, n) for k in SOURCES for n, i in enumerate(train_all[k].ids)}

    def vectors(part: Split) -> np.ndarray:
        return np.stack([emb[row[i][0]][row[i][1]] for i in part.ids])

    figures: dict[str, dict] = {}
    # Held-out: all parts trained without the held-out split and its near-duplicates.
    fit_set, holdout = corpus.training_and_holdout(train_all)
    x_fit = refine.stack(vectors(fit_set), out_of_fold_scores(params, fit_set), SCORE_SCALE)
    C = choose_c(x_fit, fit_set)
    say(f"chosen C={C}")
    fast = train.fit(params, fit_set + train.seed_split())
    clf = head(x_fit, fit_set.labels, C)
    figures["holdout"] = {}
    for k, part in holdout.items():
        scores = fast.clf.decision_function(fast.vec.transform([normalise(t) for t in part.texts]))
        predicted = clf.predict(refine.stack(vectors(part), scores, SCORE_SCALE)).tolist()
        figures["holdout"] |= evaluate.evaluate(lambda _t, p=predicted: p, {k: part}, "held-out ")

    # Cross-source, for the embedding part alone (trained without a source and its near-duplicates).
    figures["cross_source_embedding_only"] = {}
    for held in SOURCES:
        part = Split()
        for k in SOURCES:
            if k != held:
                part = part + train_all[k].take(~corpus.near_duplicates(train_all[k].texts, valid[held].texts))
        e_clf = head(vectors(part), part.labels, C)
        predicted = e_clf.predict(emb[f"valid-{held}"]).tolist()
        figures["cross_source_embedding_only"] |= evaluate.evaluate(
            lambda _t, p=predicted: p, {held: valid[held]}, "cross-source (embedding only), without "
        )

    # The committed model: every train split, with the committed ingest model's scores on new text.
    full = train_all["smsa"] + train_all["nusax-id"] + train_all["nusax-en"]
    clf = head(refine.stack(vectors(full), out_of_fold_scores(params, full), SCORE_SCALE), full.labels, C)
    assert list(clf.classes_) == list(LABELS), clf.classes_
    np.savez_compressed(
        out,
        coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32),
        score_scale=np.array([SCORE_SCALE], dtype=np.float32),
        labels=np.array(LABELS),
    )
    say(f"saved {out} ({out.stat().st_size / 1e3:.1f} kB)")
    refine._head = None
    figures["valid"] = {}
    for k in SOURCES:
        probabilities = refine.refine_probabilities(valid[k].texts)
        predicted = refine.labels_of(valid[k].texts, probabilities)
        scores, _known = get_model().scores_of([normalise(t) for t in valid[k].texts])
        cached = clf.predict(refine.stack(emb[f"valid-{k}"], scores, SCORE_SCALE))
        raw = [LABELS[int(i)] for i in probabilities.argmax(axis=1)]
        agree = np.mean([a == b or not normalise(t) for a, b, t in zip(raw, cached, valid[k].texts, strict=True)])
        figures["valid"] |= evaluate.evaluate(lambda _t, p=predicted: p, {k: valid[k]}, "valid ")
        say(f"  the saved model agrees with the training-time one on {agree:.4f} of valid {k}")
    figures["questions"] = evaluate.evaluate(refine.refine, {"questions": corpus.load_questions()}, "")
    figures["C"] = C
    figures_all["refine"] = figures
    train.FIGURES.write_text(json.dumps(figures_all, indent=1) + "\n", encoding="utf-8")
    say(f"wrote {train.FIGURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
