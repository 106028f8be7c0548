"""The swear-word list the abuse blend reads (workers/scoring/swear_words.py): whole words after normalisation,
in Roman script, Devanagari and Kannada script, and never a word the list leaves out for its everyday sense."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from workers.scoring.char_model import CharModel
from workers.scoring.swear_words import (
    blank_misleading_words,
    blank_misleading_words_in,
    has_swear_word,
    swear_phrases,
    swear_word_spans,
    swear_word_weight,
)

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
        "ye umpire kamina hai",  # since (w): 73 abusive rows of the sources, none clean but quotes
        "फिल्म अच्छी थी लेकिन निर्देशक कमीना है",
        "कमीने कहीं के",
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
        "Kamini ne school mein pehla inaam jeeta",  # a name, not "kamine"
        "बहुत अच्छा लेख",
        "",
    ],
)
def test_everyday_words_names_and_longer_words_are_not_swear_words(text):
    assert not has_swear_word(text)


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("tu chutiya hai", 1.0),
        ("upar kisi ne 'chutiya' likha hai, report karo", 0.5),  # quoted: mostly to condemn it
        ("ऊपर किसी ने “हरामी” लिखा है", 0.5),
        ("ಯಾರೋ 'ಸೂಳೆ ಮಗ' ಅಂತ ಬರೆದಿದ್ದಾರೆ", 0.5),  # a phrase in one pair of quotes
        ("'chutiya' aur harami dono likhe", 1.0),  # one of them used, not quoted
        ("chutiya' likha", 1.0),  # no opening quote
        ("bahut accha lekh", 0.0),
    ],
)
def test_a_swear_word_counts_half_where_every_one_is_quoted(text, weight):
    assert swear_word_weight(text) == weight


def test_devanagari_matches_with_and_without_precomposed_nukta_letters():
    decomposed = unicodedata.normalize("NFD", "वह भोसड़ीके है")
    composed = "वह भोस\u095cीके है"  # ड़ as one code point
    assert has_swear_word(decomposed) and has_swear_word(composed)


def test_every_phrase_of_the_lists_is_found_in_a_sentence():
    for phrase in swear_phrases():
        assert has_swear_word("ye " + " ".join(phrase) + " hai"), phrase


@pytest.mark.parametrize(
    "text",
    [
        "wah re ek number ke thag, ab janta ko gyaan doge",
        "CHOR KAHIN KA, pehle apna hisaab de",
        "ye sarpanch to number one lutera nikla",
        "thekedar ek number ka ghotalebaaz hai",
        "चोर कहीं का, पहले अपना हिसाब दे",
        "ये ठेकेदार एक नंबर का ठग है",
    ],
)
def test_idioms_that_turn_a_crime_word_on_a_person_are_found(text):
    assert has_swear_word(text)


@pytest.mark.parametrize(
    "text",
    [
        "police ne do chor pakde, ek number plate bhi badli hui thi",
        "chor ko police ne kahin ka nahi chhoda",
        "hamara school zile me number one hai",
        "online thag ne ek buzurg se 40 hazaar le liye",
        "चोर की तलाश में पुलिस ने तीन गांव छाने",
        "नंबर वन अस्पताल का पुरस्कार हमारे जिले को मिला",
    ],
)
def test_crime_news_with_the_same_words_has_no_idiom(text):
    assert not has_swear_word(text)


@pytest.mark.parametrize(
    "text",
    [
        "abe ULLU KE PATTHE, pehle khabar padh",
        "ye mantri ek number ka gadha hai",
        "suar ki aulaad, nikal yahan se",
        "उल्लू का पट्ठा कहीं का",
        "गधे की औलाद, चुप बैठ",
        "ಕತ್ತೆ ಮಗನೆ, ಬಾಯಿ ಮುಚ್ಚು",
        "handi magane comment maadbeda",
    ],
)
def test_idioms_that_turn_an_animal_on_a_person_are_found(text):
    assert has_swear_word(text)


@pytest.mark.parametrize(
    "text",
    [
        "swine flu ke baad suar ke maans ki bikri par rok lagi",
        "diwali se pehle ullu ki taskari badh jaati hai",
        "pahad par gadhe saaman dhote hain, unka bhi socho",
        "सूअर पालन योजना से गांव के युवाओं को रोजगार मिला",
        "ಕತ್ತೆ ಹಾಲು ಮಾರಾಟದಿಂದ ಲಾಭ",
        "ಹಂದಿ ಸಾಕಣೆ ಮಾಡುವ ರೈತರಿಗೆ ಸಹಾಯಧನ",
    ],
)
def test_animals_in_the_news_have_no_idiom(text):
    assert not has_swear_word(text)


@pytest.mark.skipif(not ENGLISH_SOURCES.is_file(), reason="needs ../shared/data/abuse/abuse_train.csv")
def test_no_row_of_the_english_training_sources_has_one():
    """56,530 English comments and tweets, abusive ones included: the list is Hindi, Urdu and Kannada only."""
    with open(ENGLISH_SOURCES, newline="", encoding="utf-8") as handle:
        found = [r["text"] for r in csv.DictReader(handle) if has_swear_word(r["text"])]
    assert found == []


@pytest.mark.parametrize(
    "text, read",
    [
        ("bachon ko school chod ke aata hoon", "bachon ko school  ke aata hoon"),
        ("Chodo yaar, ye politics hai", " yaar, ye politics hai"),
        ("wo ghar chhod ke chala gaya", "wo ghar  ke chala gaya"),
        ("ninna gandu maga ellide", "ninna  maga ellide"),  # Roman Kannada: your son
        ("hennu gandu ibbaru samana", "hennu  ibbaru samana"),
        ("ಅವರ ಮನೆಗೆ ಗಂಡು ಮಗು ಬಂದಿದೆ", "ಅವರ ಮನೆಗೆ  ಮಗು ಬಂದಿದೆ"),
        ("ನನ್ನ ಮಕ್ಕಳು ಶಾಲೆಗೆ ಹೋದರು", "ನನ್ನ  ಶಾಲೆಗೆ ಹೋದರು"),  # "my children"
        ("namma makkalige shikshana beku", "namma  shikshana beku"),
        ("Raitharige saala manna maadi", "Raitharige  manna maadi"),  # Roman Kannada: a loan
        ("estu sala nodidru bore aagalla", "estu  nodidru bore aagalla"),  # times
    ],
)
def test_everyday_words_are_blanked_for_the_character_model(text, read):
    assert blank_misleading_words_in(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "teri maa ko chod dunga",  # the swear's object just before
        "chod dunga teri behen ko",  # and after
        "bhen ko kisi pathan na choda hy",  # five words before
        "madarchod saala",  # inside a word: the character model's own business
        "tu bahut bada chodubhagat hai",
        "abe gandu, chup kar",  # the Hindi swear: no Kannada noun after it
        "ಈ ಕಳ್ಳ ನನ್ ಮಕ್ಕಳು",  # "ನನ್ ಮಕ್ಕಳು", the swear
        "sule makkalu ella illi idare",
        "ಕಳ್ಳ ನನ್ಮಕ್ಕಳು",
        "abe saala chup kar",  # the Hindi insult
        "sab bhenchod popat sala",
    ],
)
def test_swears_beside_their_objects_are_left_as_written(text):
    assert blank_misleading_words_in(text) == text


@pytest.mark.parametrize(
    "text, read",
    [
        ("wo bewakoof nahi hai, bas naya hai", "wo  nahi hai, bas naya hai"),
        ("ladkiyan kamzor nahi hoti", "ladkiyan  nahi hoti"),
        ("नया कप्तान बेवकूफ नहीं है", "नया कप्तान  नहीं है"),
        ("avnu kalla alla, avne vaapas kotta", "avnu  alla, avne vaapas kotta"),
        ("ಹೊಸ ಕೋಚ್ ದಡ್ಡ ಅಲ್ಲ", "ಹೊಸ ಕೋಚ್  ಅಲ್ಲ"),
    ],
)
def test_a_word_said_not_to_be_so_is_blanked_for_the_character_model(text, read):
    assert blank_misleading_words_in(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "usko akal nahi aati",  # "nahi" without a copula: has no sense, an insult
        "ninage buddhi illa",  # Kannada "illa", there is none: no brains
        "avnu kalla alva?",  # "alva", isn't he: not a negation
        "wo bewakoof hai",
    ],
)
def test_words_not_negated_are_kept(text):
    assert blank_misleading_words_in(text) == text


@pytest.mark.parametrize("text", ["ye chutya reporter", "hraami sarpanch", "bhecnhod kab khatam hoga", "haramii neta"])
def test_a_long_roman_swear_word_misspelt_by_one_letter_is_found(text):
    assert has_swear_word(text)


@pytest.mark.parametrize("text", ["abe lawde chup kar", "tu bhadwa hai", "ayyo bewarsi", "saala bhosdivala"])
def test_a_roman_swear_word_with_v_written_w_or_w_written_v_is_found(text):
    """The lists have "lavde", "bhadva", "bevarsi" and "bhosdiwala"; Roman Hindi and Kannada write व and ವ either way.
    Before, "abe lawde chup kar" scored 0.31 and was approved."""
    assert has_swear_word(text)


@pytest.mark.parametrize("text", ["haraam ki kamai", "chutti le lo", "chooti si baat", "lada aur jeeta"])
def test_words_one_letter_from_a_swear_word_that_are_words_are_not(text):
    assert not has_swear_word(text)


def test_blanking_keeps_one_token_for_one_token_and_the_text_around_them():
    assert blank_misleading_words(["chodo,", "yaar", "ಗಂಡು", "ಮಗು"]) == ["", "yaar", "", "ಮಗು"]
    assert blank_misleading_words_in("  chodo\tyaar!  ") == "  \tyaar!  "
    assert blank_misleading_words_in(r"a\1 chod") == "a\\1 "
    assert blank_misleading_words_in("") == ""


def test_the_character_model_blanks_everyday_words_in_training_and_scoring_alike():
    """The whole-text path (training) and the per-word path (scoring, spans) see the same words: a model whose
    only weight is on "chod" n-grams gives the everyday sentence nothing and the swear its weight on both."""
    import numpy as np

    from workers.scoring.char_model import char_ngrams

    n_features = 2**12
    vectorizer = char_ngrams((2, 5), n_features, str, norm=None)  # the n-grams of "chod" as written
    coef = np.asarray(vectorizer.transform(["chod"]).toarray()[0], dtype=np.float32)
    model = CharModel.from_arrays(coef, 0.0, (2, 5), n_features)
    everyday, swear = "usne naukri chod di", "teri maa ko chod dunga"
    whole = model.exact_logits([everyday, swear])
    words, _ = model.logits([everyday, swear])
    assert whole[1] > 0 and words[1] > 0
    assert words[0] < words[1] and whole[0] < whole[1]
    assert model.spans(everyday) == [] and swear[model.spans(swear)[0][0] :].startswith("chod")
    assert model.logits(["chod"]) == ([0.0], [0.0])  # nothing left to read: the intercept alone


@pytest.mark.parametrize(
    "text, spans",
    [
        ("yeh banda ekdum Chutiya hai!", ["Chutiya"]),
        ("abe teri maa ki choot, sun", ["teri maa ki choot"]),  # the whole phrase, its comma left out
        ("c h u t i y a insaan", ["c h u t i y a"]),  # spaced out: one token, as for the character model
        ("ಅವನು ಸೂಳೆ ಮಗ", ["ಸೂಳೆ ಮಗ"]),  # the longer phrase, not "ಸೂಳೆ" alone
        ("gaand, gaand", ["gaand", "gaand"]),
        ("upar kisi ne “harami” likha", ["harami"]),  # curly quotes trimmed like straight ones
        ("Lund University ne kaha", []),
        ("mujhe chod do, main ghar ja raha hoon", []),
        ("", []),
    ],
)
def test_swear_word_spans_cover_the_words_and_phrases_of_the_lists(text, spans):
    assert [text[a:b] for a, b in swear_word_spans(text)] == spans
    assert has_swear_word(text) == bool(spans)
