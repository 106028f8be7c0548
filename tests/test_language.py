"""The language detector (workers/scoring/language.py): scripts, the word lists, and the shipped character
n-gram model for Roman-script Kannada and Hindi that the lists miss. Every sentence was written for this test."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from workers.scoring.language import (
    LANGUAGE_MODEL_NAME,
    MODEL_DIR,
    LanguageDetector,
    LatinLanguageModel,
    default_detector,
    detect_language,
)
from workers.training.abuse_char import AUTHORED, fit_language_model

# Roman Kannada with none of the word lists' words: the lists alone call all of these English.
ROMAN_KANNADA_BEYOND_THE_LISTS = [
    "Ee sarkara rasthegalannu sari maadabeku",
    "Nammoora shaalege hosa kattada beku",
    "Pathrikeyavaru sariyaagi bardiddare",
    "Bengalurinalli neerina samasye jaasthi aagide",
    "Raitharige saala manna maadi",
    "Ee suddi nijavaagi bejaaraaytu",
    "Mantrigalu janara maathu kelabeku",
]
# English from a Karnataka news site's readers: names and places must not make it Kannada.
ENGLISH_WITH_LOCAL_NAMES = [
    "Kumaraswamy and Yediyurappa met in Bengaluru.",
    "Superb song, super acting sir",
    "The BBMP should fix the roads in Jayanagar before the monsoon.",
    "Siddaramaiah's budget gives nothing to farmers in Mandya.",
    "Traffic on Hosur Road was terrible again this morning.",
    "Congratulations to the Mysuru Dasara organisers, well done.",
    "Why is the Namma Metro purple line delayed again?",
    "Sir please write about the water problem in Hubballi Dharwad.",
    "Puneeth Rajkumar was a legend, we miss him.",
    "Modi and Rahul Gandhi both spoke at the rally in Kalaburagi.",
    "The KSRTC bus from Mangaluru to Udupi was late by two hours.",
    "Is the Cauvery water dispute going to the Supreme Court again?",
    "Nice coverage of the Kambala races in Dakshina Kannada.",
    "Yash and Rishab Shetty films are doing well abroad.",
    "Please stop printing rumours about Shivamogga.",
    "Bhai this is fake news, check your sources.",
    "Ganesha Chaturthi celebrations in Basavanagudi were peaceful.",
    "Who will win the Hebbal by-election?",
]
ROMAN_HINDI = [
    "Sarkar ko sadkon ki marammat karni chahiye",
    "Hamare gaon mein bijli nahi aati",
    "Kisanon ka karz maaf hona chahiye",
]


def test_the_shipped_model_finds_roman_kannada_that_the_word_lists_call_english():
    assert (MODEL_DIR / LANGUAGE_MODEL_NAME).is_file()
    assert default_detector().latin_model is not None
    lists_only = LanguageDetector()
    assert {lists_only.detect(text) for text in ROMAN_KANNADA_BEYOND_THE_LISTS} == {"en"}
    assert {text: detect_language(text) for text in ROMAN_KANNADA_BEYOND_THE_LISTS} == dict.fromkeys(
        ROMAN_KANNADA_BEYOND_THE_LISTS, "kn-Latn"
    )


def test_english_full_of_local_names_stays_english():
    assert {text: detect_language(text) for text in ENGLISH_WITH_LOCAL_NAMES} == dict.fromkeys(
        ENGLISH_WITH_LOCAL_NAMES, "en"
    )


def test_scripts_roman_hindi_and_text_without_letters():
    assert {detect_language(text) for text in ROMAN_HINDI} == {"hi-Latn"}
    assert detect_language("नई शिक्षा नीति पर आपकी रिपोर्ट अच्छी है") == "hi"
    assert detect_language("ಹೊಸ ಚಿತ್ರದ ಸಂಗೀತ ತುಂಬಾ ಇಂಪಾಗಿದೆ") == "kn"
    assert detect_language("👍👍 !!! 123") == "und"
    assert detect_language("") == "und"


def test_the_language_model_learns_the_stated_languages_and_survives_a_save(tmp_path):
    """A small real model, trained as `kavalu models train --char` trains the shipped one, from the authored
    Roman-script rows and English sentences; then saved and loaded."""
    with open(AUTHORED, newline="", encoding="utf-8") as handle:
        authored = [r for r in csv.DictReader(handle) if r["lang"] in ("hi-Latn", "kn-Latn")]
    english = [
        "the council approved the new budget for roads and schools",
        "thank you for the detailed report on the flood relief work",
        "the match was exciting and the crowd enjoyed every over",
        "our neighbourhood needs better street lights and footpaths",
        "the minister promised answers but nothing has changed since",
        "a good film with a weak second half and long songs",
    ] * 8
    rows = [{"text": r["text"], "lang": r["lang"], "source": "kavalu-authored", "label": 0} for r in authored]
    rows += [{"text": text, "lang": "en", "source": "english", "label": 0} for text in english]
    model = fit_language_model(rows, seed=0)
    assert model.classes == ("en", "hi-Latn", "kn-Latn")

    path = tmp_path / LANGUAGE_MODEL_NAME
    model.save(path)
    loaded = LatinLanguageModel.load(path)
    probs = loaded.probabilities(["nimma ooru yaavudu guru", "tum kab aaoge yaar", "the report was good"])
    assert [loaded.classes[int(row.argmax())] for row in probs] == ["kn-Latn", "hi-Latn", "en"]
    assert abs(float(probs.sum()) - 3.0) < 1e-4


def test_a_model_trained_before_the_language_model_keeps_the_word_lists(tmp_path):
    """The detector is part of the model: a blend.json that names no language model was fitted on groups found
    by the word lists alone, so its scorer detects that way (and the shipped one with its model)."""
    pytest.importorskip("torch")
    from workers.scoring.abuse import DetoxifyAbuseScorer

    older = tmp_path / "older"
    shutil.copytree(MODEL_DIR, older)
    (older / LANGUAGE_MODEL_NAME).unlink()
    blend = json.loads((older / "blend.json").read_text(encoding="utf-8"))
    del blend["language_model"]
    (older / "blend.json").write_text(json.dumps(blend), encoding="utf-8")

    text = ROMAN_KANNADA_BEYOND_THE_LISTS[0]
    shipped = DetoxifyAbuseScorer(precision="fp32")
    before = DetoxifyAbuseScorer(checkpoint=older / "kavalu-minilm-abuse.ckpt", precision="fp32")
    assert shipped.score_results([text])[0][0].detected_language == "kn-Latn"
    assert before.score_results([text])[0][0].detected_language == "en"


def test_english_that_reads_like_roman_kannada_or_hindi_leans_indic():
    """Comments of mostly English words with a few Roman Kannada or Hindi ones stay "en" (too few for the word
    lists, too sure of English for the n-gram model to name the language), but the n-gram model finds them more
    likely Indian than English: the abuse blend keeps more of its character model for them."""
    texts = [
        "bro your acting is waste, nodoke agalla",
        "u r a big fool saala",
        "The council met on Monday to discuss the budget.",
        "Traffic on Hosur Road was terrible again this morning.",
        *ROMAN_HINDI[:1],
        "ಹೊಸ ಚಿತ್ರದ ಸಂಗೀತ ತುಂಬಾ ಇಂಪಾಗಿದೆ",
    ]
    detector = default_detector()
    languages = detector.detect_all(texts)
    assert languages == ["en", "en", "en", "en", "hi-Latn", "kn"]
    assert detector.leans_indic(texts, languages) == [True, True, False, False, False, False]
    # A detector without the n-gram model (a blend trained before it) has no view.
    assert LanguageDetector().leans_indic(texts, languages) == [False] * len(texts)
