"""The shipped abuse model on Kavalu's own functional test cases (tests/data/abuse_functional.csv): threats, insults,
hate about a group and its negation, negated praise, counter-speech, neutral and positive mentions of groups,
criticism that is not abuse, obfuscated insults, and the same kinds in Hinglish, Hindi and Kannada.

The cases were written for Kavalu before the authored training templates (workers/training/functional_templates.py),
which use other sentences; no published functional test suite was used. The Hinglish, Hindi and Kannada cases of
2026-12-06 (339: derogation, threats, slurs, negated insults, counter-speech, spellings, criticism, everyday
lookalikes) were drafted by AI writing assistants that never saw the repository, as an evaluation set only, and
those within a word overlap of 0.5 of a training row or another evaluation comment were dropped. The 120 English cases
of implicit hate (`implicit-*`, 2026-12-06: stereotypes, conspiracies and burdens claimed of a group in everyday words,
beside neutral sentences on the same topics and counter-speech) were written the same way, by an assistant that saw
neither the repository nor the templates. The 36 English cases of 2026-12-07 (bb) (`support-should`, `hate-should`,
`threat-deserves`, `praise-deserves`) were written before stage 2's templates of the same shapes, which were reworded
until none was within a word overlap of 0.5 of a case; the same author wrote both, so they check these shapes and are
not an independent test. Each functionality is one class, so its figure is accuracy at the review
threshold (`kavalu eval abuse FILE --group-by functionality` prints the same).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

pytest.importorskip("torch")

from service.scoring.jobs import ScoringInput
from workers.scoring.normalise import normalise
from workers.training import public_life
from workers.training.abuse_char import authored_rows, identity_training_rows
from workers.training.functional_templates import functional_training_rows

REVIEW = 0.5
CASES = Path(__file__).resolve().parent / "data" / "abuse_functional.csv"

# At or a little below what the shipped model reaches in fp32 (workers/abuse_model/HISTORY.md, "Functional test
# cases": 0.87 overall, threats 0.9, insults of a person 0.83, negated hate 0.7, negated praise 0.4, leetspeak and
# swapped letters 1.0, a dropped letter 0.875). Several statements about groups score within 0.01 of 0.5, so a retrain
# can move these figures by a case either way. The model before the stage-2 tuning and the misspelling rule had 0.75
# overall, threats 0.2, negated praise 0.2, swapped 0.375, dropped 0.25; before the rare-insult and disguised-spelling
# rules, insults of a person 0.75, leetspeak 0.875, dropped 0.75.
# The implicit-hate cases lower the overall figure: (p) finds 10 of their 40 hateful ones at review ((o): 4).
OVERALL_FLOOR = 0.82
FLOORS = {
    "threat": 0.8,
    "insult-person": 0.8,
    "negated-praise": 0.3,
    "derogation": 0.8,
    # (p)'s implicit claims in stage 2 cost two ("Gay people are not a threat to anyone." 0.50 -> 0.52).
    "negated-hate": 0.5,
    "obfuscated-swap": 0.875,
    "obfuscated-missing": 0.75,
    "profanity": 1.0,
    "obfuscated-spaces": 1.0,
    "obfuscated-leet": 0.875,
    "identity-neutral": 1.0,
    "identity-positive": 0.9,
    "criticism-not-abuse": 1.0,
    "hi-Latn-insult": 0.9,
    # (s)'s dog and crime-news rows cost one: "bacchon ke school kal se khulenge" 0.29 with (r), 0.52 with (s).
    "hi-Latn-neutral": 0.9,
    "hi-insult": 1.0,
    "hi-neutral": 1.0,
    "kn-insult": 0.75,
    "kn-neutral": 1.0,
    # The cases of 2026-12-06, by language: (m) reaches 14/16 Hinglish threats (11 with (l)),
    # 15/17 Hinglish negated insults (8 before the negation rule), every spelling of a Hinglish swear with a letter
    # doubled, dropped or swapped (7/10 before the rule).
    "hi-Latn-threat": 0.8,
    "hi-Latn-negated-hate": 0.8,
    "hi-Latn-spelling-elongated-or-missing": 1.0,
    "hi-Latn-spelling-spaces": 1.0,
    "hi-Latn-spelling-leet": 0.8,
    "hi-Latn-profanity": 1.0,
    "hi-Latn-criticism": 1.0,
    "hi-Latn-identity-neutral": 1.0,
    "hi-Latn-positive-about-group": 1.0,
    "hi-threat": 0.8,
    "hi-profanity": 1.0,
    "hi-identity-neutral": 1.0,
    "hi-positive-about-group": 1.0,
    "kn-threat": 0.8,
    "kn-profanity": 1.0,
    "kn-identity-neutral": 1.0,
    "kn-positive-about-group": 1.0,
    "kn-criticism": 1.0,
    "kn-Latn-threat": 0.8,
    "kn-Latn-identity-neutral": 1.0,
    "kn-Latn-positive-about-group": 1.0,
    "implicit-neutral": 1.0,
    "implicit-counter": 0.95,
    # The cases of 2026-12-07 (bb), written before stage 2's "deserves" and "should" templates: (z) had 6 of 12
    # supportive "should" statements below review ("Gay people should all be allowed to marry." 0.87) and 2 of 8
    # threats in a "deserves" frame at review ("This author deserves a bullet." 0.06); (bb) 8 and 4.
    "support-should": 0.58,
    "hate-should": 0.875,
    "threat-deserves": 0.375,
    "praise-deserves": 1.0,
}
# ROC-AUC over each Indian language's cases, a little below (m)'s (Hinglish 0.942, Hindi 0.916, Kannada 0.979,
# Roman Kannada 0.896); the model before (m) had 0.878, 0.845, 0.958 and 0.841 on the cases of 2026-12-06.
AUC_FLOORS = {"hi-Latn": 0.92, "hi": 0.88, "kn": 0.95, "kn-Latn": 0.86}
# ROC-AUC over the implicit-hate cases: (p) 0.869, (o) 0.842, whose stage 2 had no such claims.
IMPLICIT_AUC_FLOOR = 0.86


def _cases() -> list[dict]:
    with open(CASES, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_cases_are_not_training_rows():
    training = {normalise(r["text"]) for rows in authored_rows().values() for r in rows}
    training |= {
        normalise(r["text"])
        for r in functional_training_rows() + identity_training_rows() + public_life.training_rows()
    }
    cases = _cases()
    assert len(cases) >= 200 and {c["label"] for c in cases} == {"0", "1"}
    assert not [c["text"] for c in cases if normalise(c["text"]) in training]


def test_no_english_case_is_a_template_with_other_fillers():
    """Word overlap (Jaccard) above 0.5 with a stage-2 template row; the one exception predates the check."""
    import re

    def words(text: str) -> frozenset[str]:
        return frozenset(re.findall(r"\w+", text.lower()))

    def overlap(a: frozenset[str], b: frozenset[str]) -> float:
        return len(a & b) / len(a | b)

    templates = {words(r["text"]) for r in functional_training_rows()}
    english = {c["text"]: words(c["text"]) for c in _cases() if c["lang"] == "en"}
    close = [text for text, case in english.items() if any(overlap(case, t) > 0.5 for t in templates)]
    assert close == ["Black people are not more violent than anyone else."]


@pytest.fixture(scope="module")
def scored_cases() -> list[tuple[dict, float]]:
    from workers.scoring.abuse import DetoxifyAbuseScorer

    cases = _cases()
    results = DetoxifyAbuseScorer(precision="fp32").score_batch([ScoringInput(c["text"]) for c in cases])
    return [(case, result.scores["toxicity"]) for case, result in zip(cases, results)]


@pytest.fixture(scope="module")
def accuracy_by_functionality(scored_cases) -> dict[str, float]:
    right: dict[str, list[bool]] = defaultdict(list)
    for case, score in scored_cases:
        right[case["functionality"]].append((score >= REVIEW) == (case["label"] == "1"))
        right["ALL"].append(right[case["functionality"]][-1])
    return {name: sum(hits) / len(hits) for name, hits in right.items()}


def test_the_shipped_model_passes_the_functional_cases(accuracy_by_functionality):
    assert accuracy_by_functionality["ALL"] >= OVERALL_FLOOR, accuracy_by_functionality
    below = {
        name: round(accuracy_by_functionality[name], 3)
        for name, floor in FLOORS.items()
        if accuracy_by_functionality[name] < floor
    }
    assert not below, below


def test_the_authored_templates_are_filled_sentences_with_both_labels():
    rows = functional_training_rows()
    texts = [r["text"] for r in rows]
    assert not [t for t in texts if "{" in t or "}" in t or "  " in t]
    labels = {r["label"] for r in rows}
    assert labels == {0, 1}
    # The same violent verbs on both sides of the label: threats, and reports or condemnations of the act.
    stabbed = {r["label"] for r in rows if "stab" in r["text"]}
    assert stabbed == {0, 1}
    assert "threatening to kill a journalist is a crime and should be punished" in texts
    assert "i want to see her stabbed" in texts
    # Implicit claims beside a neutral sentence on the same topic and praise of the group, and the claim rejected.
    label = {r["text"]: r["label"] for r in rows}
    assert label["muslims secretly run the banks and the newspapers"] == 1
    assert label["muslims work in banks and newspapers like everyone else"] == 0
    assert label["muslims deserve the same respect as everybody else"] == 0
    assert {label[t] for t in texts if "secretly run the banks" in t} == {0, 1}
    # A person's death wished as deserved beside what a person deserves in earnest, in the same frame; a group's
    # rights and what should be done to it, in the same "should" frame.
    assert label["honestly, after this column the editor deserves to be stabbed"] == 1
    assert label["honestly, after this column the editor deserves to be thanked"] == 0
    assert label["gay people should be banned from working with children"] == 1
    assert label["gay people should be able to work in any profession they choose"] == 0


@pytest.mark.parametrize("lang", sorted(AUC_FLOORS))
def test_the_cases_of_each_indian_language_are_told_apart(scored_cases, lang):
    """ROC-AUC over all the language's cases, abusive and not: threats, slurs, negated insults, counter-speech."""
    from sklearn.metrics import roc_auc_score

    pairs = [(int(case["label"]), score) for case, score in scored_cases if case["lang"] == lang]
    assert len(pairs) >= 50
    assert roc_auc_score([y for y, _ in pairs], [p for _, p in pairs]) >= AUC_FLOORS[lang]


def test_implicit_hate_is_told_apart_from_neutral_sentences_and_counter_speech(scored_cases):
    """Stereotypes and conspiracies claimed of a group, with no abusive word, against sentences on the same topics."""
    from sklearn.metrics import roc_auc_score

    pairs = [
        (int(case["label"]), score) for case, score in scored_cases if case["functionality"].startswith("implicit")
    ]
    assert len(pairs) == 120
    assert roc_auc_score([y for y, _ in pairs], [p for _, p in pairs]) >= IMPLICIT_AUC_FLOOR
