"""How `kavalu models train --char` fits the v2 blend (workers/training/abuse_char.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workers.scoring.char_model import blend_group
from workers.scoring.normalise import normalise
from workers.training.abuse_char import (
    BLEND_CELL_SHRINK,
    BLEND_MIN_SOURCE_ROWS,
    BLEND_NAME,
    FEATURES,
    FIXED_WEIGHTS,
    GROUP_CALL_WEIGHT,
    LIST_WEIGHTS,
    SWEAR_WEIGHT,
    apply_blend,
    authored_rows,
    balanced_weights,
    fit_blend,
    fit_non_negative,
    main,
    split,
)

SHIPPED = Path(__file__).resolve().parents[1] / "workers" / "abuse_model"

# One comment text per blend group; the parts' logits are drawn per row below.
GROUP_TEXTS = {
    "en": ("en", "the council met on monday"),
    "en-identity": ("en", "my neighbour is gay"),
    "roman-hindi": ("hi-Latn", "aaj ka match accha tha"),
    "roman-kannada": ("kn-Latn", "ivattina match chennagittu"),
    "devanagari": ("hi", "आज का मैच अच्छा था"),
    "kannada": ("kn", "ಇಂದಿನ ಪಂದ್ಯ ಚೆನ್ನಾಗಿತ್ತು"),
}


def _calibration_rows(seed: int = 0) -> tuple[list[dict], dict]:
    """Rows of two sources per group with unequal class balance, and parts whose logits follow the label with
    different strength, so that a fitted logistic regression would not give the fixed weights by chance."""
    rng = np.random.default_rng(seed)
    rows, langs = [], []
    for group, (lang, text) in GROUP_TEXTS.items():
        for source, positives in (("a", 0.8), ("b", 0.2)):
            for _ in range(150):
                rows.append({"text": text, "label": int(rng.random() < positives), "source": f"{group}-{source}"})
                langs.append(lang)
    y = np.asarray([r["label"] for r in rows], dtype=float)
    strength = {"char": 3.0, "char_max": 1.0, "bert": 0.5, "prof": 0.2}
    feats = {name: strength[name] * (2 * y - 1) + rng.normal(0, 1.5, len(rows)) for name in strength}
    feats["swear"] = np.zeros(len(rows))
    feats["group_call"] = np.zeros(len(rows))
    feats["lang"] = langs
    return rows, feats


def test_the_english_and_roman_indic_blends_keep_their_fixed_weights_and_fit_only_the_bias():
    rows, feats = _calibration_rows()
    blend = fit_blend(rows, feats)

    assert blend["en"]["weights"] == FIXED_WEIGHTS["en"]
    assert blend["roman-hindi"]["weights"] == blend["roman-kannada"]["weights"] == FIXED_WEIGHTS["roman-hindi"]
    assert blend["roman-hindi"]["bias"] != pytest.approx(blend["roman-kannada"]["bias"], abs=1e-3)
    # The bias is the weighted log-loss optimum: there, the weighted mean probability equals the weighted
    # share of abusive rows (each source and class weighing the same).
    idx = [i for i, r in enumerate(rows) if r["text"] == GROUP_TEXTS["en"][1]]
    sub = [rows[i] for i in idx]
    offset = sum(w * feats[name][idx] for name, w in FIXED_WEIGHTS["en"].items())
    p = 1 / (1 + np.exp(-(offset + blend["en"]["bias"])))
    weights, y = balanced_weights(sub), np.asarray([r["label"] for r in sub])
    assert abs(np.sum(weights * (p - y))) / np.sum(weights) < 1e-3
    assert blend["en"]["bias"] != pytest.approx(0.0, abs=1e-3)  # the rows' classes are not balanced by chance

    # The other groups are still fitted on their own parts: the strongest part gets the largest weight.
    for group in ("en-identity", "devanagari", "kannada"):
        fitted = blend[group]["weights"]
        assert set(fitted) == set(FEATURES[group]) | set(LIST_WEIGHTS)
        assert max(FEATURES[group], key=lambda name: fitted[name]) == "char", (group, fitted)


def test_english_comments_that_lean_indic_keep_more_character_model_and_share_the_english_bias():
    """The character model carries least from one English source to another, so "en" gives it a quarter of the
    weight; English-detected comments that read like Roman Hindi or Kannada ("en-code-mixed") keep half, because for
    them it is the part that reads the Indian words. Both share one bias, fitted on their rows together."""
    rows, feats = _calibration_rows()
    english = [i for i, r in enumerate(rows) if r["text"] == GROUP_TEXTS["en"][1]]
    leaning = set(english[::3])
    feats["leans_indic"] = [i in leaning for i in range(len(rows))]
    blend = fit_blend(rows, feats)

    assert FIXED_WEIGHTS["en"]["char"] + FIXED_WEIGHTS["en"]["char_max"] < 0.5
    assert FIXED_WEIGHTS["en-code-mixed"]["char"] + FIXED_WEIGHTS["en-code-mixed"]["char_max"] == 0.5
    assert blend["en"]["weights"] == FIXED_WEIGHTS["en"]
    assert blend["en-code-mixed"]["weights"] == FIXED_WEIGHTS["en-code-mixed"]
    assert blend["en-code-mixed"]["bias"] == blend["en"]["bias"]
    assert (blend["en"]["fitted_on"], blend["en-code-mixed"]["fitted_on"]) == (
        len(english) - len(leaning),
        len(leaning),
    )
    # The shared bias is the optimum over both, each row offset by its own group's weights.
    offset = np.asarray(
        [
            sum(w * feats[n][i] for n, w in FIXED_WEIGHTS["en-code-mixed" if i in leaning else "en"].items())
            for i in english
        ]
    )
    p = 1 / (1 + np.exp(-(offset + blend["en"]["bias"])))
    sub = [rows[i] for i in english]
    weights, y = balanced_weights(sub), np.asarray([r["label"] for r in sub])
    assert abs(np.sum(weights * (p - y))) / np.sum(weights) < 1e-3
    # ... and each row is scored by its own group
    assert apply_blend(blend, feats, rows)[english] == pytest.approx(p)
    # The other groups are fitted as before; without leaning rows "en-code-mixed" is fitted on none.
    alone = fit_blend(rows, {**feats, "leans_indic": [False] * len(rows)})
    assert {g: part for g, part in blend.items() if not g.startswith("en")} == {
        g: part for g, part in alone.items() if not g.startswith("en")
    }
    assert alone["en-code-mixed"]["fitted_on"] == 0
    assert alone["en-code-mixed"]["bias"] == alone["en"]["bias"] != blend["en"]["bias"]


def test_a_comment_leans_into_the_code_mixed_group_only_from_english_and_only_where_the_blend_has_it():
    blends: dict = {group: {} for group in ("en", "en-identity", "en-code-mixed", "roman-kannada")}
    groups = {"en": "en", "kn-Latn": "roman-kannada"}
    assert blend_group("en", "bro your acting is waste", groups, blends, leans_indic=True) == "en-code-mixed"
    assert blend_group("en", "bro your acting is waste", groups, blends, leans_indic=False) == "en"
    assert blend_group("kn-Latn", "ninna mukha nodu", groups, blends, leans_indic=True) == "roman-kannada"
    # naming an identity group decides first: alt-profanity-check stays out
    assert blend_group("en", "my neighbour is gay", groups, blends, leans_indic=True) == "en-identity"
    # a blend trained before the group existed scores such comments as English
    assert blend_group("en", "bro your acting is waste", groups, {"en": {}}, leans_indic=True) == "en"


def test_a_swear_word_or_a_call_against_a_community_adds_a_fixed_weight_in_every_group_and_the_rest_is_fitted_around_it():
    """The swear-word list (workers.scoring.swear_words) and the calls against a community (workers.scoring.group_calls)
    carry out of source, where a fit on in-sample rows would give them little: their weights are fixed in every
    group, and a fitted group's parts and bias are fitted with them as an offset."""
    rows, feats = _calibration_rows()
    rng = np.random.default_rng(1)
    y = np.asarray([r["label"] for r in rows])
    feats["swear"] = ((y == 1) & (rng.random(len(rows)) < 0.3)).astype(float)  # on some abusive rows only
    feats["group_call"] = ((y == 1) & (rng.random(len(rows)) < 0.1)).astype(float)
    blend = fit_blend(rows, feats)

    assert LIST_WEIGHTS == {"swear": SWEAR_WEIGHT, "group_call": GROUP_CALL_WEIGHT}
    for name, weight in LIST_WEIGHTS.items():
        assert {group: part["weights"][name] for group, part in blend.items()} == dict.fromkeys(blend, weight)
    idx = [i for i, r in enumerate(rows) if r["text"] == GROUP_TEXTS["devanagari"][1]]
    sub = [rows[i] for i in idx]
    x = np.column_stack([feats[name][idx] for name in FEATURES["devanagari"]])
    offset = SWEAR_WEIGHT * feats["swear"][idx] + GROUP_CALL_WEIGHT * feats["group_call"][idx]
    coef, bias = fit_non_negative(x, y[idx], balanced_weights(sub), offset=offset)
    assert [blend["devanagari"]["weights"][name] for name in FEATURES["devanagari"]] == pytest.approx(coef)
    assert blend["devanagari"]["bias"] == pytest.approx(bias)
    # Fitted without the offset, the swear rows would pull the bias up: the lists would count twice.
    assert fit_non_negative(x, y[idx], balanced_weights(sub))[1] > bias + 0.01


def test_a_few_rows_of_an_odd_source_do_not_carry_a_whole_sources_weight():
    """A language detector that changes its mind about a few comments must not swing a group's fit: a source with
    fewer than BLEND_MIN_SOURCE_ROWS rows in a group is left out of that group's fit. Weighted like the others, those
    rows, one class of their source, would weigh as much as each real source of 150 rows (three authored insults
    taken for English moved the "en" bias from 0.49 to 0.81). In "en-identity" a small (source, class) cell of a
    real source also weighs only n / (n + shrink) of a full one."""
    rows, feats = _calibration_rows()
    for group in ("en", "en-identity"):
        text = GROUP_TEXTS[group][1]
        odd = [{"text": text, "label": 0, "source": "odd"} for _ in range(BLEND_MIN_SOURCE_ROWS - 1)]
        grown = {name: np.concatenate([values, np.zeros(len(odd))]) for name, values in feats.items() if name != "lang"}
        grown["lang"] = [*feats["lang"], *["en"] * len(odd)]
        assert fit_blend(rows + odd, grown) == fit_blend(rows, feats), group

        idx = [i for i, r in enumerate(rows + odd) if r["text"] == text]
        sub = [(rows + odd)[i] for i in idx]
        weights = balanced_weights(sub)
        assert weights[-len(odd) :].sum() == pytest.approx(weights[:150].sum())
        if group == "en-identity":
            x, y = np.column_stack([grown[name][idx] for name in FEATURES[group]]), [r["label"] for r in sub]
            _, with_them = fit_non_negative(x, np.asarray(y), weights)
            assert fit_blend(rows, feats)[group]["bias"] - with_them > 1.0  # they would pull it down
            two = sub[: -len(odd)] + odd[:2]
            small = balanced_weights(two, BLEND_CELL_SHRINK[group])
            assert small[-2:].sum() < 0.15 * small[:150].sum()
            assert small.sum() == pytest.approx(len(two))
    assert np.array_equal(balanced_weights(sub, 0), weights)


def test_the_shipped_blend_was_trained_with_the_fixed_english_weights():
    shipped = json.loads((SHIPPED / BLEND_NAME).read_text(encoding="utf-8"))["blend"]
    assert shipped["en"]["weights"] == pytest.approx(FIXED_WEIGHTS["en"])
    assert set(shipped) == set(FEATURES)


def test_the_blend_out_of_source_reads_the_transformers_own_out_of_source_predictions(tmp_path):
    """`--loso-blend DIR`: a source with predictions in DIR is scored with them, the others with the shipped
    transformer; the character model never sees the source it scores."""
    pytest.importorskip("torch")
    from workers.training.abuse_char import PartScorer, run_loso_blend

    def rows(source: str, abusive: str, clean: str) -> list[dict]:
        return [
            {"text": (abusive if label else clean).format(i), "label": label, "source": source, "lang": "en"}
            for i in range(20)
            for label in (0, 1)
        ]

    sources = {
        "left-out": rows("left-out", "you stupid idiot number {}", "the council met on day {}"),
        "other": rows("other", "shut up you moron {}", "the bridge opens in week {}"),
        "identity-templates": rows("identity-templates", "group {} are vermin", "group {} are neighbours"),
    }
    # Predictions that separate the classes perfectly, unlike anything a model would give these texts.
    with open(tmp_path / "left-out.jsonl", "w", encoding="utf-8") as out:
        for r in sources["left-out"]:
            out.write(json.dumps({"text": r["text"], "label": r["label"], "bert": 0.99 if r["label"] else 0.01}) + "\n")
    blend = json.loads((SHIPPED / BLEND_NAME).read_text(encoding="utf-8"))["blend"]

    result = run_loso_blend(sources, blend, PartScorer(1), tmp_path, lambda _: None, seeds=2)

    assert [run["seed"] for run in result["seeds"]] == [0, 1]
    for figures in result["seeds"]:
        assert figures["left-out"]["transformer"] == "out of source (--loso)"
        assert figures["left-out"]["bert_alone_auc"] == 1.0
        assert figures["left-out"]["blend"]["n"] == 40
        assert figures["other"]["transformer"] == "shipped (never saw it)"
        # Stage 2 of the shipped transformer trains on the identity templates: not out of source for it.
        assert figures["identity-templates"]["transformer"] == "shipped (tuned on it)"
        for source in sources:
            assert 0.0 <= figures[source]["blend"]["auc"] <= 1.0
            assert set(figures[source]) == {
                "blend",
                "char_alone_auc",
                "bert_alone_auc",
                "prof_alone_auc",
                "transformer",
            }
    # The transformer's predictions are the same in every seed: no spread.
    assert result["spread"]["left-out"]["bert_alone_auc"] == [1.0, 0.0]


def test_leave_one_source_out_never_trains_on_the_source_it_scores_and_reports_the_spread_over_seeds():
    """`--loso --seeds N`: per held-out source, per (source, language), per language over all held-out rows, and on
    the written identity templates with their training counterpart held out; each figure's mean and sd over the
    seeds. A source written in scripts that no other source uses is unreadable once held out: every row of it
    gets the same score, so its AUC is exactly 0.5 in every seed."""
    from workers.training.abuse_char import IDENTITY_TERMS, run_loso

    def rows(source: str, lang: str, abusive: str, clean: str, n: int = 20) -> list[dict]:
        return [
            {"text": (abusive if label else clean).format(i), "label": label, "source": source, "lang": lang}
            for i in range(n)
            for label in (0, 1)
        ]

    sources = {
        "english": rows("english", "en", "you stupid idiot number {}", "the council met on day {}"),
        "unseen-scripts": rows("unseen-scripts", "kn", "ನೀನು ಬೋಳಿಮಗ", "ಸಿನಿಮಾ ಚೆನ್ನಾಗಿದೆ", 5)
        + rows("unseen-scripts", "hi", "तू हरामी है", "आज का मैच अच्छा था", 5),
        # Few distinct words, so that no hashed n-gram of the unseen scripts shares a column with a trained one.
        "identity-templates": rows("identity-templates", "en", "group {} are vermin", "group {} are neighbours", 5),
    }

    figures = run_loso(sources, 2, lambda _: None, limit=200)

    assert [run["seed"] for run in figures["seeds"]] == [0, 1]
    for run in figures["seeds"]:
        assert run["by_source"]["unseen-scripts"]["auc"] == 0.5
        assert set(run["by_source_language"]["unseen-scripts"]) == {"kn", "hi"}
        assert run["by_source_language"]["unseen-scripts"]["kn"]["n"] == 10
        # Generated templates are not comments: the English of the held-out rows is the English source alone.
        assert run["by_language"]["en"]["n"] == 40
        assert set(run["identity"]) == set(IDENTITY_TERMS)
    spread = figures["spread"]
    assert spread["by_source"]["unseen-scripts"]["auc"] == [0.5, 0.0]
    english = [run["by_source"]["english"]["auc"] for run in figures["seeds"]]
    assert spread["by_source"]["english"]["auc"] == pytest.approx([np.mean(english), np.std(english)], abs=1e-4)
    assert set(spread["identity"]) == set(IDENTITY_TERMS)


def test_the_fitted_blends_never_give_a_part_a_negative_weight():
    """A part that reads a comment as more abusive must never lower its score. Fitted freely, the Roman Indic blend
    gave the transformer and alt-profanity-check negative weights (they anti-correlate with Roman Urdu and Kannada
    labels in-sample), and "tu pagal hai kya, fucking loser" scored 0.00."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x @ np.array([2.0, -1.0, 0.5]) + rng.normal(size=400) > 0).astype(int)
    weights = np.ones(400)
    assert LogisticRegression(C=1.0).fit(x, y).coef_[0][1] < -0.5  # free, the second part counts against abuse
    coef, _ = fit_non_negative(x, y, weights)
    assert coef[1] == 0.0 and coef[0] > 1.0 and coef[2] > 0.0

    # Where no constraint binds it is scikit-learn's logistic regression.
    y = (x @ np.array([2.0, 1.0, 0.5]) + rng.normal(size=400) > 0).astype(int)
    free = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(x, y)
    coef, bias = fit_non_negative(x, y, weights)
    assert coef == pytest.approx(free.coef_[0], abs=1e-3) and bias == pytest.approx(free.intercept_[0], abs=1e-3)

    shipped = json.loads((SHIPPED / BLEND_NAME).read_text())["blend"]
    assert all(w >= 0.0 for part in shipped.values() for w in part["weights"].values()), shipped


def test_paired_template_rows_weigh_the_same_in_both_classes():
    """The public-life templates pair a neutral and an abusive frame that share every word but the insult; the
    shared words cancel only if both halves weigh the same, so that source's classes are not balanced (its neutral
    news frames would otherwise make each abusive row weigh more, and "हैं" learnt +11 per word)."""
    from workers.training import public_life

    templates = public_life.training_rows()
    other = [{"text": "x", "label": label, "source": "some-source"} for label in (0, 0, 0, 1)]
    weights = balanced_weights(templates + other)
    template_weights = weights[: len(templates)]
    assert sum(r["label"] for r in templates) < len(templates) / 2  # the classes differ in size
    assert np.allclose(template_weights, template_weights[0])
    # Each source still weighs the same, and an ordinary source's classes are still balanced.
    assert template_weights.sum() == pytest.approx(weights[len(templates) :].sum())
    assert weights[-1] == pytest.approx(3 * weights[-2])


def test_rows_added_to_one_source_leave_every_other_sources_split_as_it_was():
    """Rows added to one source (a written source grows often) leave every other source's split as it was, so a
    comparison before and after measures the change and not a reshuffle of the test rows."""

    def rows(source: str, n: int, start: int = 0) -> list[dict]:
        return [{"text": f"{source} {i}", "label": i % 2, "source": source} for i in range(start, start + n)]

    sources = {"a-written": rows("a-written", 40), "b-data": rows("b-data", 200)}
    grown = {**sources, "a-written": sources["a-written"] + rows("a-written", 10, start=40)}
    for seed in (0, 1):
        before, after = split(sources, seed), split(grown, seed)
        for part_before, part_after in zip(before, after):
            assert [r for r in part_before if r["source"] == "b-data"] == [
                r for r in part_after if r["source"] == "b-data"
            ]
        assert sum(r["source"] == "a-written" for part in after for r in part) == 50
    assert split(sources, 0) != split(sources, 1)


def test_a_row_keeps_its_split_when_rows_are_added():
    """A written source grows between rounds: its existing rows must stay in the part they were in, or a rare
    word's only training row moves to test and a comparison measures the reshuffle, not the new rows."""
    rows = [{"text": f"comment {i}", "label": i % 2, "source": "a-written"} for i in range(300)]
    grown = rows[:150] + [{"text": f"new comment {i}", "label": i % 2, "source": "a-written"} for i in range(60)]
    grown += rows[150:]

    def parts(sources: dict) -> dict[str, int]:
        return {r["text"]: k for k, part in enumerate(split(sources, 0)) for r in part}

    before, after = parts({"a-written": rows}), parts({"a-written": grown})
    assert all(after[text] == part for text, part in before.items())
    assert set(before.values()) == {0, 1, 2}  # all three parts are used
    copies = [{"text": f"same words {i % 7}", "label": 1, "source": "a-written"} for i in range(70)]
    for text in {r["text"] for r in copies}:
        assert sum(any(r["text"] == text for r in part) for part in split({"a-written": copies}, 0)) == 1


@pytest.mark.parametrize("given", ["kavalu-elsewhere=x.csv", "kavalu-authored=/no/such/file.csv", "kavalu-authored"])
def test_another_authored_file_must_name_a_written_source_and_an_existing_file(given, capsys):
    assert main(["--authored", given]) == 2
    assert "give SOURCE=CSV, SOURCE one of kavalu-authored, kavalu-authored-people" in capsys.readouterr().err


def test_the_written_sources_hold_both_labels_in_each_of_their_languages_and_no_text_with_both():
    """A language with one class in a source would teach its script or spelling as the label; a text written twice
    with two labels teaches nothing but noise."""
    labels_of: dict[str, set[int]] = {}
    for name, rows in authored_rows().items():
        languages = {r["lang"] for r in rows}
        assert languages <= {"en", "hi", "hi-Latn", "kn", "kn-Latn"}, name  # English: counter-speech since (w)
        for language in languages:
            assert {r["label"] for r in rows if r["lang"] == language} == {0, 1}, (name, language)
        for r in rows:
            labels_of.setdefault(normalise(r["text"]), set()).add(r["label"])
    assert not [text for text, labels in labels_of.items() if len(labels) > 1]
