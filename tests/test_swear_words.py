"""The swear-word list the abuse blend reads (workers/scoring/swear_words.py): whole words after normalisation,
in Roman script, Devanagari and Kannada script, and never a word the list leaves out for its everyday sense."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from workers.scoring.swear_words import has_swear_word, swear_phrases

ENGLISH_SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "abuse" / "abuse_train.csv"


@pytest.mark.parametrize(
    "text",
    [
        "tu ekdum chutiya hai",
        "CHUTIYA",
        "c.h.u.t.i.y.a",  # separators inside the word, undone by normalise
        "abe bhen chhod, sun",  # a phrase of the list
        "teri maa ki choot",  # a phrase whose words are not swear words alone
        "teri maa ko chod dunga",  # "chod" with a mother as its object, not the verb "leave"
        "ye anchor randi hai",
        "bolimaga yenu maadtiya",  # Roman Kannada
        "यह आदमी चूतिया है",
        "ಅವನು ಸೂಳೆ ಮಗ",
    ],
)
def test_swear_words_are_found_as_whole_words(text):
    assert has_swear_word(text)


@pytest.mark.parametrize(
    "text",
    [
        "mujhe chod do, main ghar ja raha hoon",  # chod: leave
        "tax mein choot milegi is baar",  # choot: a discount
        "madar-e-watan ke liye",  # madar: mother (Urdu)
        "balatkaar ke aaropi ko umrqaid",  # rape, as news reports it
        "gali ke kutte bhonk rahe the",  # dogs
        "gandu magu huttide",  # Kannada: a boy was born
        "Lund University published the study",  # names written as names
        "Randi Weingarten spoke at the rally",
        "ye sab randomly hua, chutiyapa nahi",  # a longer word that starts like one
        "बहुत अच्छा लेख",
        "",
    ],
)
def test_everyday_words_names_and_longer_words_are_not_swear_words(text):
    assert not has_swear_word(text)


def test_devanagari_matches_with_and_without_precomposed_nukta_letters():
    decomposed = unicodedata.normalize("NFD", "वह भोसड़ीके है")
    composed = "वह भोस\u095cीके है"  # ड़ as one code point
    assert has_swear_word(decomposed) and has_swear_word(composed)


def test_every_phrase_of_the_lists_is_found_in_a_sentence():
    for phrase in swear_phrases():
        assert has_swear_word("ye " + " ".join(phrase) + " hai"), phrase


@pytest.mark.skipif(not ENGLISH_SOURCES.is_file(), reason="needs ../shared/data/abuse/abuse_train.csv")
def test_no_row_of_the_english_training_sources_has_one():
    """56,530 English comments and tweets, abusive ones included: the list is Hindi, Urdu and Kannada only."""
    with open(ENGLISH_SOURCES, newline="", encoding="utf-8") as handle:
        found = [r["text"] for r in csv.DictReader(handle) if has_swear_word(r["text"])]
    assert found == []
