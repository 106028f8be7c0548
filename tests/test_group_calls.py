"""Calls to kill, burn, drive out or boycott a community (workers/scoring/group_calls.py): matched in Hindi and
Kannada, script and Roman; never in news, pleas or quotes read as the call itself; and the shipped model sends them
to review with the call highlighted. Every sentence here was written for this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.scoring.group_calls import group_call_spans, group_call_weight

REVIEW, REJECT = 0.5, 0.9
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

CALLS = [
    ("sab bangladeshiyon ko yahan se bhaga do", "bangladeshiyon ko yahan se bhaga do"),
    ("in kashmiriyon ko maar dena chahiye", "kashmiriyon ko maar dena chahiye"),
    ("रोहिंग्याओं को देश से बाहर फेंको", "रोहिंग्याओं को देश से बाहर फेंको"),
    ("हम सिखों को खत्म कर देंगे, याद रखना!", "सिखों को खत्म कर देंगे"),
    ("ಬ್ರಾಹ್ಮಣರನ್ನು ಊರಿನಿಂದ ಗಡಿಪಾರು ಮಾಡಿ", "ಬ್ರಾಹ್ಮಣರನ್ನು ಊರಿನಿಂದ ಗಡಿಪಾರು ಮಾಡಿ"),
    ("ಈ ಮುಸಲ್ಮಾನರನ್ನು ಮುಗಿಸಬೇಕು.", "ಮುಸಲ್ಮಾನರನ್ನು ಮುಗಿಸಬೇಕು"),
    ("ee biharigalannu bengaluru inda odisbeku", "biharigalannu bengaluru inda odisbeku"),
    ("christianarannu kollabeku guru", "christianarannu kollabeku"),
    ("musalmano ki dukaanein jala do", "musalmano ki dukaanein jala do"),  # their shops
    ("ದಲಿತರ ಮನೆಗಳನ್ನು ಸುಟ್ಟು ಹಾಕಿ", "ದಲಿತರ ಮನೆಗಳನ್ನು ಸುಟ್ಟು ಹಾಕಿ"),
    ("nikalo in rohingyaon ko yahan se", "nikalo in rohingyaon ko"),  # the command first
    ("मारो सारे कश्मीरियों को", "मारो सारे कश्मीरियों को"),
]


@pytest.mark.parametrize("text, span", CALLS)
def test_a_call_against_a_community_is_found_from_the_group_to_the_verb(text, span):
    assert [text[a:b] for a, b in group_call_spans(text)] == [span]
    assert group_call_weight(text) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "police ne rohingya ghuspaithiyon ko desh se nikaal diya",  # news: a past tense
        "पुलिस ने बिहारियों को भगाने वालों को गिरफ्तार किया",
        "dalito ko mat maaro, wo bhi insaan hain",  # a plea
        "मुसलमानों को मत मारो",
        "ಮುಸ್ಲಿಮರು ಬಂದರು. ಕಸವನ್ನು ಹೊರಗೆ ಹಾಕಿ",  # another sentence
        "biharis ne kaha ki is chor ko pakad ke police ke hawale karo aur phir maaro",  # the verb too far on
        "ಹಳೆಯ ಬಟ್ಟೆಗಳನ್ನು ಸುಟ್ಟು ಹಾಕಿ",  # no community
        "Diwali pe hindu muslim milke diye jalao",  # the community is the subject, not the object
        "ಮಹಿಳೆಯರು ದೀಪ ಹಚ್ಚಿ ಹಬ್ಬ ಆಚರಿಸಿ",
        "hindu muslim ke beech nafrat khatam karo",  # what is ended is the hatred between them
        "हिंदुओं का त्योहार है, दीये जलाओ",  # another clause
        "ladkiyon ko bhi cricket khelne do",
        "bhagao mat in biharis ko, wo mehnat karte hain",  # a negated command first
        "khatam karo ye nafrat dalito ko gale lagao",  # what is ended is the hatred
        "",
    ],
)
def test_news_pleas_and_other_sentences_are_not_calls(text):
    assert group_call_spans(text) == []
    assert group_call_weight(text) == 0.0


@pytest.mark.parametrize(
    "text, weight",
    [
        ("'मुसलमानों को निकाल दो' जैसे नारे लगाने वालों पर केस हो", 0.5),  # quoted
        ("upar kisi ne likha “hinduon ko khatam karo”, report karo", 0.5),
        ("dalito ko maar do kehna apradh hai", 0.5),  # reported speech
        ("ದಲಿತರನ್ನು ಊರಿನಿಂದ ಓಡಿಸಿ ಅಂತ ಹೇಳುವುದು ತಪ್ಪು", 0.5),
        ("kisi ne likha 'hinduon ko khatam karo', aur ab sikhon ko bhaga do", 1.0),  # one quoted, one not
        ("don't say that; in logo ko kuch mat bolo", 0.0),
    ],
)
def test_a_quoted_or_reported_call_counts_half(text, weight):
    assert group_call_weight(text) == weight


def _labelled_rows() -> list[dict]:
    from workers.training import everyday_eval, public_life
    from workers.training.abuse_char import authored_rows, load_sources, people_eval_rows

    rows = [r for source in authored_rows().values() for r in source]
    if SHARED.is_dir():
        rows = [r for source in load_sources(SHARED).values() for r in source]
    return rows + everyday_eval.rows() + public_life.eval_rows() + people_eval_rows()


def test_every_training_and_evaluation_row_with_a_call_is_abusive():
    """About 34,000 rows of the sources (the authored ones alone without ../shared), the written templates and the
    evaluation sets: none labelled clean has a call (news, counter-speech, everyday comments on the same groups)."""
    rows = _labelled_rows()
    with_call = [r for r in rows if group_call_weight(r["text"])]
    assert with_call, "the abusive rows have some calls"
    assert [r["text"] for r in with_call if r["label"] == 0] == []


@pytest.fixture(scope="module")
def scorer():
    pytest.importorskip("torch")
    from workers.scoring.abuse import DetoxifyAbuseScorer

    return DetoxifyAbuseScorer(precision="fp32")


def test_the_shipped_model_sends_calls_against_a_community_to_review_and_highlights_them(scorer):
    """Before the list (2026-12-07 (w)) such calls scored 0.02-0.47 in each language ("ದಲಿತರನ್ನು ಕೊಲ್ಲಬೇಕು" 0.02)."""
    results, _ = scorer.score_results([text for text, _ in CALLS])
    for (text, span), result in zip(CALLS, results):
        assert result.scores["toxicity"] >= REVIEW, (text, result.scores)
        covered = " ".join(text[s.start : s.end] for s in result.spans)
        assert span in covered, (text, covered)


def test_the_shipped_model_keeps_news_and_pleas_about_the_same_communities_below_review(scorer):
    neutral = [
        "police ne rohingya ghuspaithiyon ko desh se nikaal diya",
        "dalito ko mat maaro, wo bhi insaan hain",
        "बांग्लादेशियों को वापस भेजने पर सरकार ने रिपोर्ट मांगी",
        "सिखों ने लंगर में सबको खाना खिलाया",
        "ಬ್ರಾಹ್ಮಣರು ಮತ್ತು ದಲಿತರು ಒಟ್ಟಿಗೆ ಹಬ್ಬ ಆಚರಿಸಿದರು",
        "ವಲಸಿಗರನ್ನು ಓಡಿಸಬೇಡಿ, ಅವರು ನಮ್ಮ ನಗರ ಕಟ್ಟಿದವರು",
        "ee biharigalu namma metro kattidru",
    ]
    results, _ = scorer.score_results(neutral)
    assert [(t, r.scores["toxicity"]) for t, r in zip(neutral, results) if r.scores["toxicity"] >= REVIEW] == []


def test_a_quoted_call_goes_to_review_not_to_rejection_on_the_call_alone(scorer):
    texts = ["'मुसलमानों को निकाल दो' जैसे नारे लगाने वालों पर केस हो", "dalito ko maar do kehna apradh hai"]
    results, _ = scorer.score_results(texts)
    assert all(r.scores["toxicity"] < REJECT for r in results), [r.scores for r in results]
