"""The evaluation harness computes ROC-AUC and threshold metrics correctly."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from service.scoring.jobs import ScoreResult
from workers.evaluation import evaluate, read_examples, roc_auc, summarize, threshold_metrics


def test_roc_auc_perfect_inverted_and_hand_computed():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    # positives 0.9, 0.4; negatives 0.5, 0.1 -> pairs won: (0.9>0.5) (0.9>0.1) (0.4>0.1), lost (0.4<0.5): 3/4
    assert roc_auc([1, 0, 1, 0], [0.9, 0.5, 0.4, 0.1]) == pytest.approx(0.75)
    # a tie between a positive and a negative counts one half: pairs (0.5=0.5 -> 1/2), (0.5>0.2 -> 1) => 0.75
    assert roc_auc([1, 0, 0], [0.5, 0.5, 0.2]) == pytest.approx(0.75)
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_roc_auc_agrees_with_sklearn_on_random_data():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    import random

    rng = random.Random(3)
    labels = [rng.randint(0, 1) for _ in range(300)]
    scores = [round(rng.random(), 2) for _ in range(300)]  # rounding makes ties
    assert roc_auc(labels, scores) == pytest.approx(sklearn_metrics.roc_auc_score(labels, scores))


def test_threshold_metrics_and_per_source_summary():
    labels = [1, 1, 0, 0, 1, 0]
    scores = [0.9, 0.4, 0.6, 0.1, 0.7, 0.2]
    sources = ["a", "a", "a", "a", "b", "b"]
    m = threshold_metrics(labels, scores, 0.5)
    assert (m["tp"], m["fp"], m["fn"]) == (2, 1, 1)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["accuracy"] == pytest.approx(4 / 6)
    report = summarize(labels, scores, sources, 0.5)
    # source a: positives 0.9, 0.4; negatives 0.6, 0.1 -> 3/4; source b: 1.0
    assert report["per_source"]["a"]["auc"] == pytest.approx(0.75)
    assert report["per_source"]["b"]["auc"] == 1.0
    assert report["macro_auc"] == pytest.approx(0.875)
    assert report["overall"]["n"] == 6
    # A group of one class (a functional test case) has no AUC but an accuracy: its clean 0.2 is right, its 0.7 wrong.
    assert math.isnan(summarize([0, 0], [0.2, 0.7], ["c", "c"], 0.5)["per_source"]["c"]["auc"])
    assert summarize([0, 0], [0.2, 0.7], ["c", "c"], 0.5)["per_source"]["c"]["accuracy"] == 0.5


class KeywordScorer:
    """A real (if simple) scorer: the share of listed words in the text."""

    name = "keywords"
    model_version = "test-1"
    words = frozenset({"idiot", "stupid", "moron"})

    def score_batch(self, items):
        out = []
        for item in items:
            toks = item.text.lower().split()
            share = sum(t.strip(".,!") in self.words for t in toks) / max(1, len(toks))
            out.append(ScoreResult(self.name, self.model_version, {"toxicity": share, "defamation": share}))
        return out


def write_csv(path, rows, header="text,label,source"):
    lines = [header] + [",".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_eval_abuse_with_a_known_answer(tmp_path):
    from workers.cli import eval_group

    csv_file = write_csv(
        tmp_path / "eval.csv",
        [
            ("you idiot", 1, "forum"),
            ("stupid stupid moron", 1, "forum"),
            ("thanks for the article", 0, "forum"),
            ("the council meets today", 0, "forum"),
            ("what an idiot take", 1, "news"),
            ("idiot", 1, "news"),
            ("great reporting", 0, "news"),
        ],
    )
    assert [e.source for e in read_examples(csv_file)].count("news") == 3
    result = CliRunner().invoke(
        eval_group,
        [
            "abuse",
            str(csv_file),
            "--scorer",
            "tests.test_evaluation:KeywordScorer",
            "--scorer",
            "tests.test_evaluation:KeywordScorer",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    runs = json.loads(result.output)
    assert len(runs) == 2  # two scorers compared in one run
    run = runs[0]
    assert run["overall"]["auc"] == 1.0 and run["macro_auc"] == 1.0
    assert set(run["per_source"]) == {"forum", "news"}
    assert run["throughput"] > 0
    # threshold 0.5: "what an idiot take" has share 0.25 -> a false negative
    assert run["overall"]["recall"] == pytest.approx(3 / 4) and run["overall"]["precision"] == 1.0

    text = CliRunner().invoke(
        eval_group, ["abuse", str(csv_file), "--scorer", "tests.test_evaluation:KeywordScorer", "--threshold", "0.2"]
    )
    assert text.exit_code == 0, text.output
    assert "macro-AUC across sources: 1.0000" in text.output
    assert "texts/s" in text.output


def test_cli_eval_defamation_without_source_column(tmp_path):
    from workers.cli import eval_group

    csv_file = write_csv(tmp_path / "d.csv", [("idiot", 0), ("fine words here", 1)], header="text,label")
    result = CliRunner().invoke(
        eval_group, ["defamation", str(csv_file), "--scorer", "tests.test_evaluation:KeywordScorer", "--json"]
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)[0]
    assert run["overall"]["auc"] == 0.0  # inverted on purpose
    assert list(run["per_source"]) == ["all"]


def test_bad_csv_is_reported(tmp_path):
    from workers.cli import eval_group

    bad = tmp_path / "bad.csv"
    bad.write_text("comment,label\nhello,0\n")
    result = CliRunner().invoke(eval_group, ["abuse", str(bad), "--scorer", "profanity-check"])
    assert result.exit_code == 1
    assert "missing column(s) ['text']" in result.output


def test_profanity_check_baseline_scorer_runs(tmp_path):
    pytest.importorskip("profanity_check")

    csv_file = write_csv(tmp_path / "p.csv", [("fuck you asshole", 1, "x"), ("have a nice day", 0, "x")])
    run = evaluate("abuse", csv_file, ["profanity-check"])[0]
    assert run.report["overall"]["auc"] == 1.0


def test_cli_eval_abuse_identity_false_positive_rates(tmp_path):
    from workers.cli import eval_group

    csv_file = write_csv(
        tmp_path / "identity.csv",
        [
            ("gay people are idiot idiot", 1, "templates", "gay"),
            ("my neighbour is gay", 0, "templates", "gay"),
            ("muslim idiot", 1, "templates", "muslim"),
            ("idiot idiot muslim", 0, "templates", "muslim"),  # a false positive at 0.5
            ("muslim families came to the fair", 0, "templates", "muslim"),
            ("the weather is fine", 0, "templates", ""),
        ],
        header="text,label,source,target",
    )
    args = ["abuse", str(csv_file), "--scorer", "tests.test_evaluation:KeywordScorer", "--identity-column", "target"]
    result = CliRunner().invoke(eval_group, [*args, "--json"])
    assert result.exit_code == 0, result.output
    identity = json.loads(result.output)[0]["identity"]
    assert set(identity) == {"gay", "muslim"}  # rows without a group are left out
    assert identity["gay"]["fpr"] == 0.0 and identity["gay"]["clean"] == 1 and identity["gay"]["auc"] == 1.0
    assert identity["muslim"]["fpr"] == 0.5 and identity["muslim"]["abusive"] == 1
    text = CliRunner().invoke(eval_group, args)
    assert text.exit_code == 0 and "identity group" in text.output and "0.5000" in text.output
    missing = CliRunner().invoke(eval_group, [*args[:4], "--identity-column", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_eval_abuse_groups_by_detected_language_with_the_shipped_model(tmp_path):
    pytest.importorskip("torch")
    csv_file = write_csv(
        tmp_path / "langs.csv",
        [
            ("you are a pathetic idiot", 1, "x"),
            ("the bus was late again today", 0, "x"),
            ("tu ekdum gadha hai yaar chup kar", 1, "x"),
            ("ಈ ಸಿನಿಮಾ ನೋಡಿ ಖುಷಿ ಆಯ್ತು", 0, "x"),
            ("यह खबर पढ़कर अच्छा लगा", 0, "x"),
        ],
    )
    run = evaluate("abuse", csv_file, ["default"], group_by="detected")[0]
    assert set(run.report["per_source"]) == {"en", "hi-Latn", "kn", "hi"}
    assert run.report["per_source"]["en"]["n"] == 2
