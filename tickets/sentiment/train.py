"""Train the ingest sentiment model, measure it, and save it as a small, pickle-free ``.npz`` file.

    .venv/bin/python -m tickets.sentiment.train [--data DIR] [--out tickets/sentiment/model.npz]

``DIR`` holds the training corpora, which are not in the repository: ``indonlu-smsa/{train,valid}_preprocess.tsv``
and ``nusax-senti/{indonesian,english}/{train,valid}.csv`` (docs/sentiment.md, "Data and licences"; the default
is ``corpus.DEFAULT_DATA``).

1. Fixes the held-out split (``tickets.sentiment.corpus``) and sets aside the train splits less the held-out
   texts and less every near-duplicate of one.
2. Chooses the hyper-parameters by 3-fold cross-validation on that set alone (mean macro-F1 over the three
   sources); neither the held-out split nor the valid splits choose anything.
3. Measures the recipe: trained on that set, on the held-out split; trained without one source (and without
   near-duplicates of its valid split), on that source's valid split (cross-source).
4. Trains the committed model with the same recipe on every train split (never on valid), and measures it on
   the valid splits (all, and less near-duplicates of training text) and on the hand-labelled question set,
   macro-F1 with bootstrap 95% intervals; then its throughput.
5. Writes the model (vocabulary, IDF weights, one linear weight vector per class) and ``data/figures.json``, the
   figures that ``tests/tickets/test_sentiment_figures.py`` checks the committed model against.

Inference (``tickets.sentiment.model``) needs only numpy; training needs scikit-learn (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from tickets.sentiment import corpus, evaluate
from tickets.sentiment.corpus import LABELS, SOURCES, Split
from tickets.sentiment.text import features, normalise

DEFAULT_OUT = Path(__file__).resolve().parent / "model.npz"
DATA_DIR = Path(__file__).resolve().parent / "data"
FIGURES = DATA_DIR / "figures.json"

# English has only 400 training sentences, too few to learn common opinion words; these hand-written seed
# words (the project's own, not from any data set) are added as one-word training texts.
SEED = {
    "positive": "love loved lovely great excellent amazing awesome good nice best helpful friendly fast quick "
    "recommended recommend happy satisfied perfect wonderful fantastic thanks thank appreciate delicious "
    "smooth easy convenient reliable polite professional impressive enjoy enjoyed",
    "negative": "hate hated terrible awful worst bad poor horrible disappointed disappointing disappointment "
    "annoying annoyed useless slow rude broken scam fraud failed fails error crash crashing angry upset "
    "unacceptable ridiculous refund never waste complaint problem lost",
}
GRID = [
    {"kind": kind, "C": C, "nusax_weight": w, "negation": neg}
    for kind, C in (("svc", 0.3), ("svc", 1.0), ("lr", 30.0))
    for w in (1.0, 3.0)
    for neg in (False, True)
]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def seed_split() -> Split:
    out = Split()
    for label, words in SEED.items():
        for w in words.split():
            out.texts.append(w)
            out.labels.append(label)
            out.ids.append(f"seed-{w}")
    return out


class Trained:
    """A fitted vectoriser + linear classifier, with the exported arrays."""

    def __init__(self, params: dict, vec, clf) -> None:
        self.params, self.vec, self.clf = params, vec, clf

    def predict(self, texts: list[str]) -> list[str]:
        """Through the exported numpy model, as in production (question rule included)."""
        import tempfile

        from tickets.sentiment.model import SentimentModel

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.npz"
            export(self, path)
            return SentimentModel.load(path).classify(texts)


def vectoriser(params: dict):
    from sklearn.feature_extraction.text import TfidfVectorizer

    neg = params["negation"]
    return TfidfVectorizer(analyzer=lambda s: features(s, 2, 2, 5, neg), sublinear_tf=True, min_df=2, dtype=np.float32)


def classifier(params: dict):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if params["kind"] == "svc":
        return LinearSVC(C=params["C"], class_weight="balanced", random_state=18)
    return LogisticRegression(C=params["C"], class_weight="balanced", max_iter=3000, random_state=18)


def fit(params: dict, train: Split, norms: list[str] | None = None) -> Trained:
    vec = vectoriser(params)
    X = vec.fit_transform(norms if norms is not None else [normalise(t) for t in train.texts])
    src = np.array([corpus.source_of(i) for i in train.ids])
    weight = np.where(np.char.startswith(src.astype(str), "nusax"), params["nusax_weight"], 1.0)
    clf = classifier(params)
    clf.fit(X, np.array(train.labels), sample_weight=weight)
    return Trained(params, vec, clf)


def choose(train: Split) -> dict:
    """The grid point with the best mean (over sources) 3-fold cross-validated macro-F1 on ``train`` alone."""
    from sklearn.model_selection import StratifiedGroupKFold

    norms = [normalise(t) for t in train.texts]
    # NusaX's two languages of one sentence share a group, so a translation never lands in the other fold.
    groups = [corpus.group_of(i) for i in train.ids]
    source = np.array([corpus.source_of(i) for i in train.ids])
    labels = np.array(train.labels)
    folds = list(StratifiedGroupKFold(3, shuffle=True, random_state=18).split(norms, labels, groups))
    weight_of = np.char.startswith(source.astype(str), "nusax")
    predictions = {i: np.empty(len(norms), dtype=object) for i in range(len(GRID))}
    for negation in sorted({p["negation"] for p in GRID}):
        for tr, te in folds:
            vec = vectoriser({"negation": negation})
            X = vec.fit_transform([norms[i] for i in tr])
            Xte = vec.transform([norms[i] for i in te])
            for n, params in enumerate(GRID):
                if params["negation"] != negation:
                    continue
                clf = classifier(params)
                clf.fit(X, labels[tr], sample_weight=np.where(weight_of[tr], params["nusax_weight"], 1.0))
                predictions[n][te] = clf.predict(Xte)
    best = None
    for n, params in enumerate(GRID):
        scores = {s: evaluate.macro_f1(labels[source == s], predictions[n][source == s]) for s in SOURCES}
        mean = float(np.mean(list(scores.values())))
        say(f"  cv {params}  " + "  ".join(f"{k}={v:.4f}" for k, v in scores.items()) + f"  mean={mean:.4f}")
        if best is None or mean > best[0]:
            best = (mean, params)
    say(f"chosen by cross-validation: {best[1]}")
    return best[1]


def export(model: Trained, out: Path) -> None:
    assert list(model.clf.classes_) == list(LABELS), model.clf.classes_
    vocab = model.vec.get_feature_names_out()
    np.savez_compressed(
        out,
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        idf=model.vec.idf_.astype(np.float32),
        coef=np.ascontiguousarray(model.clf.coef_.astype(np.float32).T),
        intercept=model.clf.intercept_.astype(np.float32),
        labels=np.array(LABELS),
        params=np.array([2, 2, 5, int(model.params["negation"])], dtype=np.int32),
    )


def throughput(path: Path, texts: list[str], total: int = 20000) -> dict:
    """Texts per second of a freshly loaded model in this process, by CPU time (what one dedicated core gives,
    whatever else the machine runs) and by wall time. Run under ``taskset -c 0`` to keep it on one core."""
    from tickets.sentiment.model import SentimentModel

    texts = (texts * (total // len(texts) + 1))[:total]
    model = SentimentModel.load(path)
    wall, cpu = time.perf_counter(), time.process_time()
    for s in range(0, len(texts), 500):
        model.classify(texts[s : s + 500])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out = {
        "texts": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "per_cpu_second": round(len(texts) / cpu),
        "per_wall_second": round(len(texts) / wall),
    }
    say(
        f"throughput: {out['per_cpu_second']} texts per CPU second ({out['per_wall_second']} per wall second),"
        f" {len(texts)} valid texts of {out['mean_chars']} characters on average, batches of 500"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=corpus.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--figures", type=Path, default=FIGURES)
    parser.add_argument("--params", help="JSON of a grid point, to skip the cross-validation")
    parser.add_argument(
        "--throughput-only", action="store_true", help="measure the saved model's speed, change nothing"
    )
    args = parser.parse_args(argv)
    if args.throughput_only:
        throughput(args.out, [t for part in corpus.load_committed_valid().values() for t in part.texts])
        return 0

    train_all, valid = corpus.load(args.data, "train"), corpus.load(args.data, "valid")
    train, holdout = corpus.training_and_holdout(train_all)
    train = train + seed_split()
    say(f"training texts without the held-out split: {len(train)} (less near-duplicates of it, plus seed words)")
    params = json.loads(args.params) if args.params else choose(train)
    figures: dict[str, dict] = {"params": params}

    # The recipe, trained without the held-out split, measured on it.
    figures["holdout"] = evaluate.evaluate(fit(params, train).predict, holdout, "held-out ")
    # Cross-source: trained without a source (and without near-duplicates of its valid split), measured on it.
    figures["cross_source"] = {}
    for held in SOURCES:
        part = Split()
        for k in SOURCES:
            if k != held:
                part = part + train_all[k].take(~corpus.near_duplicates(train_all[k].texts, valid[held].texts))
        other = fit(params, part + seed_split())
        figures["cross_source"] |= evaluate.evaluate(other.predict, {held: valid[held]}, "cross-source, without ")

    # The committed model: the same recipe on every train split.
    full = train_all["smsa"] + train_all["nusax-id"] + train_all["nusax-en"] + seed_split()
    model = fit(params, full)
    export(model, args.out)
    say(f"saved {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(model.vec.vocabulary_)} features)")
    from tickets.sentiment.model import SentimentModel

    saved = SentimentModel.load(args.out)
    figures["valid"] = evaluate.evaluate(saved.classify, valid, "valid ")
    unseen = {k: v.take(~corpus.near_duplicates(v.texts, full.texts)) for k, v in valid.items()}
    figures["valid_less_near_duplicates"] = evaluate.evaluate(saved.classify, unseen, "valid, no near-dup ")
    figures["questions"] = evaluate.evaluate(saved.classify, {"questions": corpus.load_questions()}, "")
    norms = [normalise(t) for k in SOURCES for t in valid[k].texts]
    ours = saved.labels_of(norms)
    predicted = model.clf.predict(model.vec.transform(norms))
    theirs = [str(label) if n else "neutral" for n, label in zip(norms, predicted, strict=True)]
    agree = np.mean([a == b for a, b in zip(ours, theirs, strict=True)])
    say(f"exported model agrees with scikit-learn on {agree:.4f} of valid texts")

    figures["throughput"] = throughput(args.out, [t for k in SOURCES for t in valid[k].texts])
    args.figures.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    say(f"wrote {args.figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
