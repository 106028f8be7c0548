"""Evaluation harness: score a labelled CSV with one or more scorers and report.

Input: a CSV with `text,label[,source]` (optionally `article_title,article_body`),
label 1 = the category applies. Output per scorer: ROC-AUC, and precision / recall /
F1 and accuracy at the threshold, overall and per source (accuracy is the figure for a group of one class,
such as a functional test case: tests/data/abuse_functional.csv), the macro ROC-AUC across sources, and
the throughput in texts/s. Scorer specs:

    abuse:      default | default-noblend | profanity-check | detoxify:<type> |
                checkpoint:<path.ckpt> | <module>:<Class>
    defamation: default (as the worker runs it) | encoder | rules | <module>:<Class>

`<module>:<Class>` must implement service.scoring.jobs.Scorer and take no arguments.

`group_by` names a CSV column (source, lang, ...) or "detected": the language the scorer detected
(ScoreResult.detected_language). `identity_column` names a CSV column of identity groups (e.g. a
`target` column): the report then has, per group, the share of its clean comments (label 0) at or above
the threshold (the identity false-positive rate) and the ROC-AUC within the group.
"""

from __future__ import annotations

import csv
import importlib
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from service.scoring.jobs import ScoreResult, ScoringInput

DEFAULT_THRESHOLDS = {"abuse": 0.5, "defamation": 0.5}
# How labels are written in the CSVs we read (feedback exports, spreadsheets): 1 = the category applies.
_LABELS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}
ABUSE_SPECS = "default, default-noblend, profanity-check, detoxify:<type>, checkpoint:<path>, <module>:<Class>"
DEFAMATION_SPECS = "default, encoder, rules, <module>:<Class>"
CATEGORY = {"abuse": "toxicity", "defamation": "defamation"}


class EvaluationError(ValueError):
    """The input cannot be evaluated: a CSV that is missing, unreadable or not text,label[,source]."""


class UnknownScorer(EvaluationError):
    """A scorer spec that names no scorer."""


@dataclass
class Example:
    text: str
    label: int
    source: str = "all"
    identity: str = ""
    article_title: str = ""
    article_body: str = ""


def read_examples(path: str | Path, group_by: str = "source", identity_column: str | None = None) -> list[Example]:
    """The examples of a UTF-8 CSV (a byte order mark is allowed). `group_by` names a column, "detected"
    (the scorer's language: any file) or "source", which a file need not have (its rows are then one group)."""
    reader = None
    try:
        # utf-8-sig: a spreadsheet's byte order mark is not part of the first column's name
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            return _examples(path, reader, group_by, identity_column)
    except UnicodeDecodeError as error:
        raise EvaluationError(f"cannot read {path}: not UTF-8 text ({error}); save the file as UTF-8") from error
    except csv.Error as error:
        where = f", line {reader.line_num}" if reader is not None else ""
        if "field larger than field limit" in str(error):
            raise EvaluationError(
                f"{path}{where}: a field is longer than {csv.field_size_limit()} characters "
                "(a quote that is never closed?)"
            ) from error
        raise EvaluationError(f"cannot read {path}{where}: {error}") from error
    except OSError as error:
        raise EvaluationError(f"cannot read {path}: {error}") from error


def _examples(
    path: str | Path, reader: csv.DictReader, group_by: str, identity_column: str | None = None
) -> list[Example]:
    columns = reader.fieldnames or []
    missing = {"text", "label"} - set(columns)
    if missing:
        raise EvaluationError(f"{path}: missing column(s) {sorted(missing)}; need text,label[,source]")
    if identity_column and identity_column not in columns:
        raise EvaluationError(f"{path}: no column {identity_column!r} for --identity-column")
    if group_by not in ("source", "detected") and group_by not in columns:
        raise EvaluationError(
            f"{path}: no column {group_by!r} for --group-by; its columns are {', '.join(columns)} "
            "(or 'detected': the language the scorer detected)"
        )
    out = []
    for row in reader:
        if None in row or None in row.values():  # more fields than the header (key None), or fewer (value None)
            fields = len(columns) + len(row[None]) if None in row else sum(v is not None for v in row.values())
            raise EvaluationError(
                f"{path}, line {reader.line_num}: {fields} field(s) where the header has {len(columns)}"
            )
        label = (row["label"] or "").strip()
        if label not in _LABELS:
            raise EvaluationError(f"{path}, line {reader.line_num}: label must be 0 or 1, got {row['label']!r}")
        out.append(
            Example(
                text=row["text"] or "",
                label=_LABELS[label],
                source=(row.get(group_by) or "").strip() or "all",
                identity=(row.get(identity_column) or "").strip() if identity_column else "",
                article_title=row.get("article_title") or "",
                article_body=row.get("article_body") or "",
            )
        )
    if not out:
        raise EvaluationError(f"{path}: no examples")
    return out


def roc_auc(labels: list[int], scores: list[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count 1/2).

    NaN when only one class is present.
    """
    pairs = sorted(zip(scores, labels), key=lambda p: p[0])
    n_pos = sum(1 for _, y in pairs if y == 1)
    n_neg = len(pairs) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = 0.0  # sum of (1-based, tie-averaged) ranks of the positives
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j) / 2 + 1
        rank_sum += avg_rank * sum(1 for k in range(i, j + 1) if pairs[k][1] == 1)
        i = j + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def threshold_metrics(labels: list[int], scores: list[float], threshold: float) -> dict:
    tp = sum(1 for y, s in zip(labels, scores) if y == 1 and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores) if y == 0 and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores) if y == 1 and s < threshold)
    # Accuracy is the figure for a group of one class (a functional test case's expected answer).
    accuracy = (len(labels) - fp - fn) / len(labels) if labels else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy, "tp": tp, "fp": fp, "fn": fn}


def summarize(labels: list[int], scores: list[float], sources: list[str], threshold: float) -> dict:
    def block(idx):
        ys = [labels[i] for i in idx]
        ss = [scores[i] for i in idx]
        return {"n": len(idx), "positives": sum(ys), "auc": roc_auc(ys, ss), **threshold_metrics(ys, ss, threshold)}

    per_source = {}
    for src in sorted(set(sources)):
        per_source[src] = block([i for i, s in enumerate(sources) if s == src])
    aucs = [v["auc"] for v in per_source.values() if not math.isnan(v["auc"])]
    return {
        "threshold": threshold,
        "overall": block(list(range(len(labels)))),
        "per_source": per_source,
        "macro_auc": sum(aucs) / len(aucs) if aucs else float("nan"),
    }


def identity_report(labels: list[int], scores: list[float], groups: list[str], threshold: float) -> dict:
    """Per identity group (rows with an empty group are left out): clean comments, the share of them
    at or above the threshold (false-positive rate), abusive ones, and the ROC-AUC within the group."""
    out = {}
    for group in sorted({g for g in groups if g}):
        idx = [i for i, g in enumerate(groups) if g == group]
        clean = [scores[i] for i in idx if labels[i] == 0]
        out[group] = {
            "clean": len(clean),
            "abusive": len(idx) - len(clean),
            "fpr": sum(1 for s in clean if s >= threshold) / len(clean) if clean else float("nan"),
            "auc": roc_auc([labels[i] for i in idx], [scores[i] for i in idx]),
        }
    return out


@dataclass
class ScorerRun:
    spec: str
    scorer_name: str
    model_version: str
    load_seconds: float
    score_seconds: float
    report: dict = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.report["overall"]["n"] / self.score_seconds if self.score_seconds > 0 else float("inf")


class ProfanityCheckScorer:
    """alt-profanity-check (TF-IDF + linear SVM), as a baseline toxicity scorer."""

    name = "profanity-check"

    def __init__(self) -> None:
        from importlib.metadata import version

        from profanity_check import predict_prob

        self._predict = predict_prob
        self.model_version = f"alt-profanity-check@{version('alt-profanity-check')}"

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        probs = self._predict([i.text for i in items]) if items else []
        return [ScoreResult(self.name, self.model_version, {"toxicity": float(p)}) for p in probs]


def _import_class(path: str):
    """The class (or factory) `module:Class` names; UnknownScorer for a spec that names none."""
    module, _, cls = path.partition(":")
    try:
        # ValueError: an empty module name (":Foo"); TypeError: a relative one (".x:Foo")
        found = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        raise UnknownScorer(f"cannot import scorer {path!r}: {error}") from error
    if not callable(found):
        raise UnknownScorer(f"cannot import scorer {path!r}: {type(found).__name__} {cls!r} is not a class")
    return found


def _make_scorer(path: str) -> Any:
    """An instance of the class `module:Class` names, made without arguments, with a score_batch method."""
    found = _import_class(path)
    try:
        scorer = found()
    except TypeError as error:  # it needs arguments
        raise UnknownScorer(f"cannot import scorer {path!r}: {error}") from error
    if not callable(getattr(scorer, "score_batch", None)):
        raise UnknownScorer(f"cannot import scorer {path!r}: it has no score_batch method (see service.scoring.jobs)")
    return scorer


def build_scorer(task: str, spec: str, abuse_settings: Any = None) -> Any:
    """Make a scorer for `task` ("abuse" or "defamation") from a spec string."""
    if task == "abuse":
        from workers.scoring.abuse import DetoxifyAbuseScorer, scorer_kwargs

        kwargs = scorer_kwargs(abuse_settings or {})
        if spec == "default":
            return DetoxifyAbuseScorer(**kwargs)
        if spec == "default-noblend":
            return DetoxifyAbuseScorer(**kwargs, blend=False)
        if spec == "profanity-check":
            return ProfanityCheckScorer()
        if spec.startswith("detoxify:"):
            kwargs.pop("checkpoint", None)
            kwargs.pop("config_dir", None)
            kwargs["model_type"] = spec.split(":", 1)[1]
            if not kwargs["model_type"]:
                raise UnknownScorer(f"{spec!r} names no Detoxify model type; e.g. detoxify:original")
            return DetoxifyAbuseScorer(**kwargs)
        if spec.startswith("checkpoint:"):
            kwargs.pop("model_type", None)
            kwargs["checkpoint"] = spec.split(":", 1)[1]
            return DetoxifyAbuseScorer(**kwargs)
    elif task == "defamation":
        from workers.scoring.defamation import DefamationScorer

        if spec == "default":  # as the worker runs it: the semantic head reads the abuse model's embeddings
            from service.config import Settings
            from workers.scoring.pipeline import PipelineDefamationScorer

            return PipelineDefamationScorer(Settings.from_env())
        if spec == "encoder":  # its own all-MiniLM-L6-v2 encoder, as with an official Detoxify model
            return DefamationScorer()
        if spec == "rules":
            return DefamationScorer(use_embeddings=False)
    else:
        raise ValueError(f"unknown task {task!r}")
    if ":" in spec and not spec.startswith(("detoxify:", "checkpoint:")):
        return _make_scorer(spec)
    known = ABUSE_SPECS if task == "abuse" else DEFAMATION_SPECS
    raise UnknownScorer(f"unknown {task} scorer {spec!r}; one of {known}")


def run_scorer(
    scorer: Any, examples: list[Example], category: str, threshold: float, batch: int = 256, label: str = ""
) -> tuple[list[float], float]:
    scores, _ = run_scorer_with_languages(scorer, examples, category, threshold, batch, label)
    return scores[0], scores[1]


def run_scorer_with_languages(
    scorer: Any, examples: list[Example], category: str, threshold: float, batch: int = 256, label: str = ""
) -> tuple[tuple[list[float], float], list[str]]:
    """((scores, seconds), detected languages: "und" where the scorer does not detect one)."""
    items = [ScoringInput(e.text, e.article_title, e.article_body) for e in examples]
    scores: list[float] = []
    languages: list[str] = []
    started = time.perf_counter()
    starts = range(0, len(items), batch)
    # A bar only for a person watching: logs and pipes get the report alone.
    for k in tqdm(starts, desc=label or None, unit="batch", disable=not sys.stderr.isatty()):
        for result in scorer.score_batch(items[k : k + batch]):
            scores.append(float(result.scores.get(category, 0.0)))
            languages.append(getattr(result, "detected_language", None) or "und")
    return (scores, time.perf_counter() - started), languages


def evaluate(
    task: str,
    path: str | Path,
    specs: list[str],
    threshold: float | None = None,
    abuse_settings: Any = None,
    factory: Callable[[str], Any] | None = None,
    group_by: str = "source",
    identity_column: str | None = None,
) -> list[ScorerRun]:
    if threshold is not None and not 0.0 <= threshold <= 1.0:  # NaN too
        raise EvaluationError(f"the threshold must be a number from 0 to 1, not {threshold!r}")
    examples = read_examples(path, group_by, identity_column)
    threshold = DEFAULT_THRESHOLDS[task] if threshold is None else threshold
    labels = [e.label for e in examples]
    sources = [e.source for e in examples]
    runs = []
    for spec in specs:
        started = time.perf_counter()
        scorer = factory(spec) if factory else build_scorer(task, spec, abuse_settings)
        load = time.perf_counter() - started
        (scores, secs), languages = run_scorer_with_languages(scorer, examples, CATEGORY[task], threshold, label=spec)
        run = ScorerRun(spec, getattr(scorer, "name", spec), getattr(scorer, "model_version", "?"), load, secs)
        run.report = summarize(labels, scores, languages if group_by == "detected" else sources, threshold)
        if identity_column:
            run.report["identity"] = identity_report(labels, scores, [e.identity for e in examples], threshold)
        runs.append(run)
    return runs


def format_runs(runs: list[ScorerRun]) -> str:
    def f(x):
        return "  n/a" if isinstance(x, float) and math.isnan(x) else f"{x:.4f}"

    lines = []
    for run in runs:
        r = run.report
        lines.append(f"scorer {run.spec} ({run.scorer_name}, {run.model_version})")
        lines.append(
            f"  threshold {r['threshold']}  load {run.load_seconds:.2f}s  "
            f"throughput {run.throughput:.1f} texts/s ({r['overall']['n']} in {run.score_seconds:.2f}s)"
        )
        lines.append(
            f"  {'source':<32} {'n':>6} {'pos':>6} {'auc':>7} {'prec':>7} {'recall':>7} {'f1':>7} {'acc':>7} {'fp':>5} {'fn':>5}"
        )
        for name, b in [("ALL", r["overall"]), *r["per_source"].items()]:
            lines.append(
                f"  {name:<32} {b['n']:>6} {b['positives']:>6} {f(b['auc']):>7} "
                f"{f(b['precision']):>7} {f(b['recall']):>7} {f(b['f1']):>7} {f(b['accuracy']):>7} {b['fp']:>5} {b['fn']:>5}"
            )
        lines.append(f"  macro-AUC across sources: {f(r['macro_auc'])} (sources with both classes)")
        if "identity" in r:
            lines.append(f"  {'identity group':<32} {'clean':>6} {'fpr':>7} {'abusive':>8} {'auc':>7}")
            for name, g in r["identity"].items():
                lines.append(f"  {name:<32} {g['clean']:>6} {f(g['fpr']):>7} {g['abusive']:>8} {f(g['auc']):>7}")
        lines.append("")
    if len(runs) > 1:
        lines.append("comparison: " + ", ".join(f"{r.spec}={f(r.report['macro_auc'])}" for r in runs) + " (macro-AUC)")
    return "\n".join(lines)
