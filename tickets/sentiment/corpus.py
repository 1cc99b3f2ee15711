"""Labelled data for training and measuring the sentiment models (training time only; not used at run time).

Sources (see ``docs/sentiment.md`` for licences): IndoNLU SmSA (Indonesian) and NusaX-Senti (the same sentences in
Indonesian and English, parallel by ``id``). Their test splits are not available to the project, so the model is
judged against three kinds of unseen text:

- ``holdout``: a split of the *train* data fixed before any modelling and never used for choosing anything: a
  stratified 20% of SmSA train and 20% of the NusaX ids (both languages of a held-out id are held out, since they
  are translations of each other). Every training text that is a near-duplicate of a held-out text is dropped from
  training while the held-out figures are measured (NusaX's Indonesian sentences are largely taken from SmSA).
- ``valid``: the official valid splits (the committed model is trained on the train splits only).
- cross-source: trained without one source, measured on it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

LABELS = ("negative", "neutral", "positive")
SOURCES = ("smsa", "nusax-id", "nusax-en")
DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HOLDOUT_SEED = 18  # fixed once, before any model was trained on this split
HOLDOUT_FRACTION = 0.2
NEAR_DUPLICATE_JACCARD = 0.5


@dataclass
class Split:
    """Texts with labels, and for NusaX the sentence id shared by the two languages."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, mask) -> Split:
        mask = np.asarray(mask, dtype=bool)
        pick = [i for i, m in enumerate(mask) if m]
        return Split([self.texts[i] for i in pick], [self.labels[i] for i in pick], [self.ids[i] for i in pick])

    def __add__(self, other: Split) -> Split:
        return Split(self.texts + other.texts, self.labels + other.labels, self.ids + other.ids)


def read_smsa(path: Path, prefix: str) -> Split:
    out = Split()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            text, label = line.rstrip("\n").rsplit("\t", 1)
            out.texts.append(text)
            out.labels.append(label)
            out.ids.append(f"{prefix}{n}")
    return out


def read_nusax(path: Path, prefix: str) -> Split:
    out = Split()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.texts.append(row["text"])
            out.labels.append(row["label"])
            out.ids.append(f"{prefix}{row['id']}")
    return out


def source_of(text_id: str) -> str:
    """``smsa``, ``nusax-id``, ``nusax-en`` or ``seed``, from an id made by this module."""
    for source in (*SOURCES, "seed"):
        if text_id.startswith(source + "-"):
            return source
    raise ValueError(text_id)


def group_of(text_id: str) -> str:
    """The two languages of one NusaX sentence share a group; every other text is its own."""
    return text_id.replace("nusax-id-", "nusax-").replace("nusax-en-", "nusax-")


def load(data: Path, split: str) -> dict[str, Split]:
    """``split`` is ``train`` or ``valid`` of the shared data folder (``indonlu-smsa/``, ``nusax-senti/``)."""
    out = {
        "smsa": read_smsa(data / "indonlu-smsa" / f"{split}_preprocess.tsv", f"smsa-{split}-"),
        "nusax-id": read_nusax(data / "nusax-senti" / "indonesian" / f"{split}.csv", f"nusax-id-{split}-"),
        "nusax-en": read_nusax(data / "nusax-senti" / "english" / f"{split}.csv", f"nusax-en-{split}-"),
    }
    for part in out.values():
        assert set(part.labels) <= set(LABELS), set(part.labels)
    return out


def holdout_masks(train: dict[str, Split]) -> dict[str, np.ndarray]:
    """True for the texts of each source's train split that are held out (fixed by ``HOLDOUT_SEED``)."""
    rng = np.random.default_rng(HOLDOUT_SEED)
    smsa = train["smsa"]
    held = np.zeros(len(smsa), dtype=bool)
    labels = np.array(smsa.labels)
    for label in LABELS:
        where = np.flatnonzero(labels == label)
        held[rng.choice(where, size=round(len(where) * HOLDOUT_FRACTION), replace=False)] = True

    def number(text_id: str) -> int:
        return int(text_id.rsplit("-", 1)[1])

    ids = sorted({number(i) for i in train["nusax-id"].ids})
    held_ids = set(rng.choice(ids, size=round(len(ids) * HOLDOUT_FRACTION), replace=False).tolist())
    return {
        "smsa": held,
        "nusax-id": np.array([number(i) in held_ids for i in train["nusax-id"].ids]),
        "nusax-en": np.array([number(i) in held_ids for i in train["nusax-en"].ids]),
    }


_TOKEN_RE = re.compile(r"[^\W_]+")


def _token_sets(texts: list[str]):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(binary=True, token_pattern=None, tokenizer=lambda s: _TOKEN_RE.findall(s.lower()))
    vec.fit(texts)
    return vec


def near_duplicates(candidates: list[str], against: list[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> np.ndarray:
    """True for each candidate whose word set has Jaccard similarity >= threshold with some text of ``against``."""
    if not candidates or not against:
        return np.zeros(len(candidates), dtype=bool)
    vec = _token_sets(candidates + against)
    a = vec.transform(candidates).astype(np.float32)
    b = vec.transform(against).astype(np.float32)
    sa = np.asarray(a.sum(axis=1)).ravel()
    sb = np.asarray(b.sum(axis=1)).ravel()
    out = np.zeros(len(candidates), dtype=bool)
    for start in range(0, len(candidates), 2000):
        inter = (a[start : start + 2000] @ b.T).tocoo()
        union = sa[start + inter.row] + sb[inter.col] - inter.data
        hit = inter.data >= threshold * np.maximum(union, 1)
        out[start + np.unique(inter.row[hit])] = True
    return out


def training_and_holdout(train: dict[str, Split]) -> tuple[Split, dict[str, Split]]:
    """The texts to train on (train splits less the held-out split and less near-duplicates of held-out texts) and
    the held-out split per source."""
    masks = holdout_masks(train)
    holdout = {k: train[k].take(masks[k]) for k in SOURCES}
    held_texts = [t for part in holdout.values() for t in part.texts]
    fit = Split()
    for k in SOURCES:
        rest = train[k].take(~masks[k])
        fit = fit + rest.take(~near_duplicates(rest.texts, held_texts))
    return fit, holdout


FIXTURE = Path(__file__).resolve().parent / "data"


def load_committed_valid(folder: Path = FIXTURE) -> dict[str, Split]:
    """The valid splits as committed in ``tickets/sentiment/data`` (unchanged copies, for the tests)."""
    return {
        "smsa": read_smsa(folder / "smsa-valid.tsv", "smsa-valid-"),
        "nusax-id": read_nusax(folder / "nusax-senti-id-valid.csv", "nusax-id-valid-"),
        "nusax-en": read_nusax(folder / "nusax-senti-en-valid.csv", "nusax-en-valid-"),
    }


def load_questions(folder: Path = FIXTURE) -> Split:
    """The hand-labelled question set (``label<TAB>text`` after a header line)."""
    out = Split()
    with open(folder / "questions.tsv", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n == 0 or not line.strip():
                continue
            label, text = line.rstrip("\n").split("\t", 1)
            out.texts.append(text)
            out.labels.append(label)
            out.ids.append(f"question-{n}")
    return out
