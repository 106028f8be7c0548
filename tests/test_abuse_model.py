"""The shipped default model loads through the real Detoxify, offline, and ranks sensibly."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

MODEL_DIR = Path(__file__).resolve().parents[1] / "workers" / "abuse_model"
CHECKPOINT = MODEL_DIR / "kavalu-minilm-abuse.ckpt"
CONFIG_DIR = MODEL_DIR / "hf_config"
REVIEW = 0.5  # the default policy's review threshold for toxicity (config/policy.default.json)

ABUSIVE = [
    "You are a complete idiot and everyone here hates you.",
    "Shut up, you stupid piece of shit.",
    "Go kill yourself, nobody wants you here, loser.",
    "What a pathetic moron. Your mother should be ashamed of you.",
    "fuck off you worthless bitch",
    "These people are animals and should be thrown out of the country.",
]
CIVIL = [
    "Thank you for this well researched article, I learned a lot.",
    "The council should publish the budget before the vote next week.",
    "I disagree with the author, the new road will increase traffic in the old town.",
    "Great photos of the festival, it was lovely to see the children dancing.",
    "Does anyone know when the library reopens after the renovation?",
    "The match was close until the final ten minutes, well played by both teams.",
]


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")

    def refuse(*args, **kwargs):
        raise OSError("network access attempted while loading the shipped model")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_shipped_files_are_small_and_complete():
    assert CHECKPOINT.is_file()
    assert CHECKPOINT.stat().st_size <= 50 * 1024 * 1024
    for name in ("config.json", "vocab.txt", "tokenizer_config.json"):
        assert (CONFIG_DIR / name).is_file(), name
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()
    loaded = torch.load(CHECKPOINT, map_location="cpu", weights_only=False)
    args = loaded["config"]["arch"]["args"]
    assert args["model_name"] == "BertForSequenceClassification"
    assert loaded["config"]["dataset"]["args"]["classes"] == ["toxicity"]
    assert args["num_classes"] == 1
    # model_type must name a local directory (relative to the checkpoint), never a hub id
    assert (MODEL_DIR / args["model_type"]).is_dir()
    assert json.loads((CONFIG_DIR / "config.json").read_text())["id2label"] == {"0": "toxicity"}


def test_the_model_cards_blend_table_is_the_shipped_blend():
    """MODEL_CARD.md shows the blend's weights, biases and calibration rows per language group; they are the ones in
    blend.json (the card once showed another run's Kannada biases)."""
    card = (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    blend = json.loads((MODEL_DIR / "blend.json").read_text(encoding="utf-8"))["blend"]
    shown = {}
    for line in card.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].strip("`") in blend and cells[0].startswith("`"):
            shown[cells[0].strip("`")] = cells[1:]
    assert set(shown) == set(blend)
    for group, (char, char_max, bert, prof, bias, rows) in shown.items():
        weights = blend[group]["weights"]
        for name, cell in (("char", char), ("char_max", char_max), ("bert", bert), ("prof", prof)):
            assert (cell == "-") == (name not in weights), (group, name)
            if cell != "-":
                assert float(cell) == pytest.approx(weights[name], abs=5e-4), (group, name)
        assert float(bias) == pytest.approx(blend[group]["bias"], abs=5e-4), group
        assert int(rows) == blend[group]["fitted_on"], group


def test_v2_parts_are_shipped_and_the_whole_model_stays_under_100_mb():
    blend = json.loads((MODEL_DIR / "blend.json").read_text())
    assert blend["version"] == 2
    assert (MODEL_DIR / blend["char_model"]).is_file()
    assert (MODEL_DIR / "language_words.json").is_file()
    assert (MODEL_DIR / blend["language_model"]).is_file()
    assert set(blend["groups"].values()) | {"en-identity", "en-code-mixed"} == set(blend["blend"])
    assert {"en", "hi", "hi-Latn", "kn", "kn-Latn", "und"} <= set(blend["groups"])
    # Devanagari and Kannada script: the character model alone (MiniLM's vocabulary has no such letters).
    assert set(blend["blend"][blend["groups"]["kn"]]["weights"]) == {"char", "char_max", "swear", "group_call"}
    # English comments naming an identity group: the character model and the tuned transformer, never
    # alt-profanity-check, which over-scores neutral mentions of a group (see the model card)
    assert set(blend["blend"]["en-identity"]["weights"]) == {"char", "char_max", "bert", "swear", "group_call"}
    # English comments that lean Roman Hindi or Kannada keep half the weight on the character model, the
    # others less; both share one bias.
    mixed, english = blend["blend"]["en-code-mixed"], blend["blend"]["en"]
    assert (
        mixed["weights"]["char"] + mixed["weights"]["char_max"]
        > english["weights"]["char"] + english["weights"]["char_max"]
    )
    assert mixed["bias"] == english["bias"]
    assert (MODEL_DIR / "transformer_tuning.npz").is_file()
    total = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert total <= 100 * 1024 * 1024, total


def test_loads_through_real_detoxify_offline(offline, monkeypatch):
    from detoxify import Detoxify

    # The checkpoint's model_type is relative to its own directory.
    monkeypatch.chdir(MODEL_DIR)
    model = Detoxify(checkpoint=str(CHECKPOINT), huggingface_config_path=str(CONFIG_DIR))
    assert model.class_names == ["toxicity"]
    scores = model.predict(ABUSIVE + CIVIL)["toxicity"]
    abusive, civil = scores[: len(ABUSIVE)], scores[len(ABUSIVE) :]
    assert min(abusive) > max(civil), (abusive, civil)


def test_default_scorer_ranks_abuse_above_civil(offline):
    from service.scoring.jobs import ScoringInput
    from workers.scoring.abuse import DetoxifyAbuseScorer

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    scorer = DetoxifyAbuseScorer(batch_size=8)
    results = scorer.score_batch([ScoringInput(t) for t in ABUSIVE + CIVIL])
    tox = [r.scores["toxicity"] for r in results]
    assert min(tox[: len(ABUSIVE)]) > max(tox[len(ABUSIVE) :]), tox
    assert all(0.0 <= t <= 1.0 for t in tox)
    assert set(results[0].scores) == {"toxicity"}
    assert scorer.model_version.startswith("kavalu-minilm-abuse@")
    assert "+char-blend-v2@" in scorer.model_version
    assert all(r.detected_language == "en" for r in results)
    # score_and_embed (the pipeline's path) gives the same scores as score_texts
    embedded, vectors = scorer.score_and_embed(ABUSIVE + CIVIL)
    assert [round(s["toxicity"], 4) for s in embedded] == [round(t, 4) for t in tox]
    assert len(vectors) == len(tox)


def test_feedback_recalibrates_a_copy_and_reports_before_and_after(offline, tmp_path, capsys):
    """`kavalu models train --feedback`: a publisher whose moderators approve what the model flags."""
    import csv

    from workers.training import abuse

    rows = []
    for i in range(20):  # mild complaints the model over-scores, approved by moderators (label 0)
        rows.append((f"this stupid road plan number {i} is a joke", 0))
        rows.append((f"the council meeting {i} was on tuesday", 0))
        rows.append((f"you are a worthless idiot number {i}", 1))
    feedback = tmp_path / "feedback.csv"
    with open(feedback, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source"])
        writer.writerows([t, label, "moderator"] for t, label in rows)
    out = tmp_path / "recal"
    assert abuse.main(["--feedback", str(feedback), "--out-dir", str(out)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {"before", "after"}
    blend = json.loads((out / "blend.json").read_text())
    with open(out / "feedback_holdout.csv", newline="") as handle:
        held_out = list(csv.DictReader(handle))
    assert len(held_out) == 18  # 30 % of each class
    assert blend["recalibration"]["fitted_on"] == len(rows) - len(held_out)
    assert (out / "kavalu-minilm-abuse.ckpt").is_file()
    assert json.loads((MODEL_DIR / "blend.json").read_text()).get("recalibration") is None  # shipped model untouched

    from workers.scoring.abuse import DetoxifyAbuseScorer

    recal = DetoxifyAbuseScorer(checkpoint=out / "kavalu-minilm-abuse.ckpt", precision="fp32")
    assert recal.model_version.endswith("+recalibrated")
    before = DetoxifyAbuseScorer(precision="fp32").score_texts(["this stupid road plan is a joke"])[0]["toxicity"]
    after = recal.score_texts(["this stupid road plan is a joke"])[0]["toxicity"]
    assert after < before


def _bare_copy(tmp_path: Path) -> Path:
    """The shipped checkpoint (a link to it) and tokenizer alone: no tuning, no blend."""
    bare = tmp_path / "bare"
    shutil.copytree(CONFIG_DIR, bare / "hf_config")
    (bare / CHECKPOINT.name).symlink_to(CHECKPOINT)
    return bare / CHECKPOINT.name


def test_the_tuning_moves_scores_but_not_the_defamation_heads_embeddings(offline, tmp_path):
    """The shipped tuning file replaces the top layers only: the layer the defamation head reads is the same with
    and without it (same embedding space), the toxicity it gives is not."""
    from workers.scoring.abuse import DetoxifyAbuseScorer

    tuned = DetoxifyAbuseScorer(precision="fp32", blend=False)
    untuned = DetoxifyAbuseScorer(checkpoint=_bare_copy(tmp_path), precision="fp32", blend=False)
    assert "+tuned@" in tuned.model_version and "+tuned@" not in untuned.model_version
    assert tuned.embedding_space == untuned.embedding_space
    texts = ["I am going to find you and break your legs.", "The council meets on Monday to vote on the budget."]
    tuned_scores, tuned_vectors = tuned.score_and_embed(texts)
    untuned_scores, untuned_vectors = untuned.score_and_embed(texts)
    assert torch.allclose(torch.tensor(tuned_vectors), torch.tensor(untuned_vectors), atol=1e-6)
    # The threat: the stage-1 transformer keeps it below review, the tuned one above (the model card's threats).
    assert untuned_scores[0]["toxicity"] < 0.5 < tuned_scores[0]["toxicity"]


def test_a_tuning_that_does_not_fit_its_checkpoint_is_refused(offline, tmp_path):
    import numpy as np

    from workers.scoring.abuse import TUNING_NAME, AbuseModelError, DetoxifyAbuseScorer

    checkpoint = _bare_copy(tmp_path)
    np.savez(checkpoint.parent / TUNING_NAME, **{"classifier.weight": np.zeros((2, 384), dtype=np.float16)})
    with pytest.raises(AbuseModelError, match="does not fit the checkpoint"):
        DetoxifyAbuseScorer(checkpoint=checkpoint, precision="fp32", blend=False)


def test_roman_kannada_abuse_taken_for_english_keeps_the_character_model(offline):
    """The "en" blend gives the character model 0.3 of the weight: out of source it carries least from one English
    source to another. English-detected comments that read more like Roman Kannada or Hindi ("en-code-mixed") keep
    half, because the character model is the part that reads their Indian words: with the English weights this curse
    (written for this test: "you will burn and die") would be approved."""
    from workers.scoring.abuse import DetoxifyAbuseScorer

    scorer = DetoxifyAbuseScorer()
    texts = ["@Suresh yako urkond saytiya", "all the best anna, super"]
    languages = scorer.language.detect_all(texts)
    assert languages == ["en"] * 2
    assert scorer.language.leans_indic(texts, languages) == [True] * 2
    mixed = [s["toxicity"] for s in scorer.score_texts(texts)]
    assert scorer.blend_v2 is not None
    blends = {g: part for g, part in scorer.blend_v2["blend"].items() if g != "en-code-mixed"}
    scorer.blend_v2 = {**scorer.blend_v2, "blend": blends}
    english = [s["toxicity"] for s in scorer.score_texts(texts)]
    assert mixed[0] >= REVIEW > english[0], (mixed, english)
    assert max(mixed[1], english[1]) < REVIEW


def test_the_language_model_reads_only_plain_english_comments_for_the_code_mixed_group(offline):
    """`leans_indic` runs the language model (about 7 % of scoring time) only on English comments that no other
    rule has placed: one naming an identity group goes to "en-identity" whatever it leans, and Roman Hindi, Kannada
    or Devanagari comments already have their own group."""
    from workers.scoring.abuse import DetoxifyAbuseScorer
    from workers.scoring.char_model import blend_group

    scorer = DetoxifyAbuseScorer()
    assert scorer.blend_v2 is not None
    texts = [
        "@Suresh yako urkond saytiya",
        "my neighbour is gay and very kind",
        "Gay people are trying to corrupt our children.",
        "tu pagal hai kya, dimag kharab hai tera",
        "तू बहुत बड़ा बेवकूफ है",
        "Thank you for this well researched article, I learned a lot.",
    ]
    read: list[str] = []
    leans_indic = scorer.language.leans_indic

    def recording(batch, languages):
        read.extend(batch)
        return leans_indic(batch, languages)

    scorer.language.leans_indic = recording  # type: ignore[method-assign]
    scores = [s["toxicity"] for s in scorer.score_texts(texts)]
    assert read == [texts[0], texts[5]]
    # The groups are the ones chosen with `leans_indic` run over every comment, as before.
    groups, blends = scorer.blend_v2["groups"], scorer.blend_v2["blend"]
    languages = scorer.language.detect_all(texts)
    chosen = [
        blend_group(lang, text, groups, blends, lean)
        for lang, text, lean in zip(languages, texts, leans_indic(texts, languages))
    ]
    assert chosen == ["en-code-mixed", "en-identity", "en-identity", "roman-hindi", "devanagari", "en"]
    assert scores[0] >= REVIEW > max(scores[1], scores[5])
