"""Defamation scorer: dev-set metrics, extra hand-written examples, evidence spans."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from service.scoring.jobs import ScoringInput
from workers.scoring.defamation import (
    CATEGORY,
    EXAMPLES_PATH,
    SEMANTIC_SCORE,
    DefamationScorer,
    article_names,
    find_targets,
)

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared/data/defamation_dev.csv"
REVIEW_THRESHOLD = 0.5  # config/policy.default.json thresholds.defamation.review

ARTICLE_TITLE = "India-Russia ties look up ahead of Putin's possible Delhi visit in July"
ARTICLE_BODY = (
    "External Affairs Minister S Jaishankar and Russian Foreign Minister Sergei Lavrov, who held a "
    "bilateral on the sidelines of the ongoing meeting of Foreign Ministers of the member States of the "
    "Shanghai Cooperation Organisation (SCO), discussed ways to strengthen coordination. The Summit is "
    "expected to witness an in-person participation of Russian President Vladimir Putin."
)

scorer = DefamationScorer(use_embeddings=False)  # the rules alone, fast and deterministic
hybrid = DefamationScorer(use_embeddings=True)  # rules + the MiniLM allegation head (the default)


def flagged(text: str, title: str = ARTICLE_TITLE, body: str = ARTICLE_BODY, with_scorer=scorer) -> bool:
    return with_scorer.score(ScoringInput(text, title, body)).scores[CATEGORY] >= REVIEW_THRESHOLD


def load_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# Hand-written examples (names and wording not in the dev set), shared with the head's training.
EXTRA_EXAMPLES = [(row["text"], int(row["label"]), row["kind"]) for row in load_rows(EXAMPLES_PATH)]


def metrics(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    """precision, recall, F1 over (predicted, gold) pairs."""
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not present")
@pytest.mark.parametrize("with_scorer", [scorer, hybrid], ids=["rules", "hybrid"])
def test_dev_set_meets_the_goal(with_scorer):
    rows = load_rows(DEV_SET)
    assert len(rows) >= 50
    pairs = [(flagged(row["text"], with_scorer=with_scorer), row["label"] == "1") for row in rows]
    precision, recall, f1 = metrics(pairs)
    assert precision >= 0.80, (precision, recall, f1)
    assert f1 >= 0.85, (precision, recall, f1)


def test_extra_examples_meet_the_goal_with_rules_alone():
    assert len(EXTRA_EXAMPLES) >= 300
    pairs = [(flagged(text), label == 1) for text, label, _ in EXTRA_EXAMPLES]
    precision, recall, f1 = metrics(pairs)
    assert precision >= 0.90, (precision, recall, f1)
    assert f1 >= 0.90, (precision, recall, f1)


def test_semantic_head_catches_an_allegation_the_rules_miss():
    text = "Srinidhi Builders sold the same flat to three different buyers."
    assert not flagged(text)
    result = hybrid.score(ScoringInput(text))
    assert result.scores[CATEGORY] == SEMANTIC_SCORE
    assert result.model_version.endswith("+minilm-head-1")
    by_label = {span.label: text[span.start : span.end] for span in result.spans}
    assert by_label == {"target": "Srinidhi Builders", "allegation": "sold the same flat to three different buyers"}


@pytest.mark.parametrize(
    "text",
    [
        "Did Srinidhi Builders sell the same flat to three buyers?",
        "Police say Srinidhi Builders sold the same flat to three buyers.",
        "Srinidhi Builders finished the flats on time, very happy.",
        "Nice to see the coastal region getting attention from the government.",
    ],
)
def test_semantic_head_is_not_consulted_or_does_not_fire_on_safe_comments(text):
    assert not flagged(text, with_scorer=hybrid)


@pytest.fixture(scope="module")
def abuse_model():
    from workers.scoring.abuse import DetoxifyAbuseScorer

    return DetoxifyAbuseScorer()  # the shipped default, as the worker loads it


def test_the_head_reads_the_abuse_models_embeddings_so_a_comment_costs_one_pass(abuse_model, monkeypatch):
    from workers.scoring.defamation import scorer as defamation_scorer

    def no_second_encoder():
        raise AssertionError("the pipeline path must not load the MiniLM encoder")

    monkeypatch.setattr(defamation_scorer, "SentenceEncoder", no_second_encoder)
    shared = DefamationScorer()
    # Written for this test: not in defamation_examples.csv, and the rules miss both allegations.
    texts = [
        "Tahsildar Ramesh Naik keeps half the flood relief money for himself.",
        "Coach Vinod Kumar sells places in the state team to rich parents.",
        "Tahsildar Ramesh Naik visited the flooded villages on Monday.",
        "Coach Vinod Kumar has been picked to train the under-19 team.",
    ]
    assert not any(flagged(text) for text in texts)
    items = [ScoringInput(text) for text in texts]
    _, embeddings = abuse_model.score_and_embed(texts)
    results = shared.score_batch(items, embeddings, abuse_model.embedding_space)
    assert [r.scores[CATEGORY] for r in results] == [SEMANTIC_SCORE, SEMANTIC_SCORE, 0.0, 0.0]
    assert all(r.model_version.endswith("+abuse-embedding-head-1") for r in results)
    assert {r.label for r in results[0].spans} == {"target", "allegation"}


def test_embeddings_from_another_model_fall_back_to_the_scorers_own_encoder(abuse_model):
    text = "Srinidhi Builders sold the same flat to three different buyers."
    _, embeddings = abuse_model.score_and_embed([text])
    result = DefamationScorer().score_batch([ScoringInput(text)], embeddings, "another-model:hidden4")[0]
    assert result.scores[CATEGORY] == SEMANTIC_SCORE
    assert result.model_version.endswith("+minilm-head-1")


def test_embeddings_can_be_switched_off_by_configuration():
    from service.config import Settings

    settings = Settings.from_env({"KAVALU_DEFAMATION_EMBEDDINGS": "0"})
    assert DefamationScorer(use_embeddings=settings.defamation_embeddings).model_version == "rules-2"


@pytest.mark.parametrize(
    "text",
    [
        "Councillor Prasanna Hegde took a bribe to pass the building plan.",
        "Dr. Lalitha Kamath has AIDS.",
        "Sub-inspector Yathish is HIV positive and hides it.",
        "Our MLA Gurudutt Naik has leprosy.",
        "Anand Salian is a drug dealer who supplies the college boys.",
        "Madhura Labs fakes blood reports.",
        "Pushpa Electronics cheats customers with refurbished phones sold as new.",
        "Vinod Shenoy laundered the party's money through his hotels.",
        "Panchayat member Ibrahim rigged the ration card list.",
        "Tahsildar Shylaja forged the survey map.",
        "Lecturer Dinakar molested a student.",
        "Supervisor Ramesh harassed the women workers in the factory.",
        "Treasurer Mohan embezzled the association's funds.",
        "Chairman Subhash Shetty siphoned off the cooperative's deposits.",
        "Naveen Pvt Ltd bribed the pollution board officer.",
    ],
)
def test_allegation_verbs_are_flagged(text):
    assert flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "Councillor Prasanna Hegde is an idiot.",
        "Dr. Lalitha Kamath is useless and rude.",
        "Politicians are all corrupt.",
        "Did Councillor Prasanna Hegde take a bribe?",
        "Police say Councillor Prasanna Hegde took a bribe.",
        "According to the chargesheet, the tahsildar forged the survey map.",
        "Anand Salian was convicted by the court for drug dealing.",
        "I think Tahsildar Shylaja may have forged the map.",
        "Allegedly the treasurer embezzled funds.",
        "If the chairman siphoned off deposits he must be jailed.",
        "Councillor Prasanna Hegde never took a bribe in his life.",
        "Dr. Lalitha Kamath is an excellent doctor.",
        "Councillor Prasanna Hegde's road policy is short-sighted.",
        "The chairman presented the annual report today.",
        "",
    ],
)
def test_non_allegations_are_not_flagged(text):
    assert not flagged(text)


def test_article_context_resolves_names_and_roles():
    assert "Jaishankar" in article_names(ARTICLE_TITLE, ARTICLE_BODY)
    assert flagged("jaishankar took money from the oil companies.")
    assert flagged("The minister took bribes for the oil deal.")
    assert flagged("Lavrov is a murderer.")
    assert not flagged("Lavrov is a tough negotiator.")


def test_evidence_spans_cover_target_and_allegation():
    text = "Councillor Naresh Poojary took 10 lakh from the mall developer."
    result = scorer.score(ScoringInput(text))
    assert result.scorer == "defamation" and result.model_version
    by_label = {span.label: text[span.start : span.end] for span in result.spans}
    assert by_label["target"] == "Councillor Naresh Poojary"
    assert by_label["allegation"].startswith("took 10 lakh")
    assert all(span.category == CATEGORY for span in result.spans)


def test_pronoun_carries_the_target_across_sentences():
    text = "The reporter who wrote this is on the mining lobby's side. He takes cash for every story."
    result = scorer.score(ScoringInput(text))
    assert result.scores[CATEGORY] >= REVIEW_THRESHOLD
    labels = {span.label for span in result.spans}
    assert labels == {"target", "allegation"}


def test_blocked_allegation_scores_below_review_but_above_zero():
    hedged = scorer.score(ScoringInput("Allegedly Councillor Ravi took a bribe.")).scores[CATEGORY]
    neutral = scorer.score(ScoringInput("Councillor Ravi opened the new library.")).scores[CATEGORY]
    assert 0.0 < hedged < REVIEW_THRESHOLD
    assert neutral == 0.0


def test_targets_include_titles_roles_and_organisations():
    text = "Dr. Rekha Shenoy, manager Lokesh, Coastal Granites Ltd and the deputy collector met."
    found = {text[m.start : m.end] for m in find_targets(text)}
    assert {"Dr. Rekha Shenoy", "manager Lokesh", "Coastal Granites Ltd", "the deputy collector"} <= found


def test_vague_groups_are_not_targets():
    assert find_targets("Most politicians these days are only interested in money.") == []


def test_score_batch_keeps_order():
    items = [ScoringInput("Minister Hebbar is a criminal."), ScoringInput("Nice article.")]
    results = scorer.score_batch(items)
    assert [r.scores[CATEGORY] >= REVIEW_THRESHOLD for r in results] == [True, False]


def test_the_allegation_lexicon_is_tried_at_word_starts_with_the_same_matches_as_a_full_scan():
    """allegations tries, at each word start, only the patterns that can begin with its letter."""
    from workers.scoring.defamation.patterns import ALLEGATION, ALLEGATION_BY_FIRST_LETTER, allegations

    paths = [EXAMPLES_PATH, EXAMPLES_PATH.with_name("defamation_paraphrases.csv"), *HOLDOUT_SETS]
    rows = [row for path in paths for row in load_rows(path)] + (load_rows(DEV_SET) if DEV_SET.exists() else [])
    texts = [row["text"] for row in rows]
    texts += [
        "He's corrupt to the core",
        "Manager Ravi's a liar who took bribes, bribes and more bribes.",
        "",
        "HE TOOK BRIBES AND IS A FRAUD",
        "Ravi’s corrupt",
        "took ₹ 5 lakh",
        "he is a 420",
        "Officer Ravi \u017fcammed us",  # long s: case-insensitively an "s", so the full lexicon is tried
        "\u212aickbacks to Inspector Rao",
        "éscroc Ravi took bribes",
        "rigged\u200b the tender",
    ]
    for text in texts:
        assert [m.span() for m in allegations(text)] == [m.span() for m in ALLEGATION.finditer(text)], text
    # The shortcut is in use: no letter's alternation holds half of the lexicon.
    assert len(ALLEGATION_BY_FIRST_LETTER) >= 20
    assert max(len(pattern.pattern) for pattern in ALLEGATION_BY_FIRST_LETTER.values()) < len(ALLEGATION.pattern) / 2


HOLDOUT_SETS = sorted((Path(__file__).parent / "data").glob("defamation_holdout_*.csv"))


@pytest.mark.parametrize("path", HOLDOUT_SETS, ids=[path.stem for path in HOLDOUT_SETS])
def test_held_out_sets_with_other_names_and_wording_meet_the_goal(path):
    from service.config import Settings
    from workers.scoring.pipeline import PipelineDefamationScorer

    rows = load_rows(path)
    pipeline_scorer = PipelineDefamationScorer(Settings.from_env({}))  # as the worker runs it
    results = pipeline_scorer.score_batch([ScoringInput(row["text"]) for row in rows])
    pairs = [(result.scores[CATEGORY] >= REVIEW_THRESHOLD, row["label"] == "1") for result, row in zip(results, rows)]
    precision, recall, f1 = metrics(pairs)
    assert precision >= 0.80, (precision, recall, f1)
    assert f1 >= 0.85, (precision, recall, f1)
