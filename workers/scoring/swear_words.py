"""Swear words of Hindi, Urdu and Kannada (gaali), in Roman script, Devanagari and Kannada script.

A swear word is abuse whichever source it comes from, while the character model knows only the spellings its
training sources used. In RUHSOLD's Roman Urdu tweets, 98 % of those with a word of this list are abusive (24 % of
the abusive ones have one); with RUHSOLD held out, the character model's ROC-AUC there is 0.686 alone and 0.716 with
the list, the whole blend's 0.709 and 0.737 (workers/abuse_model/MODEL_CARD.md).
The blend adds a fixed weight when a comment has one (`swear`, workers/training/abuse_char.py).

The other way round, a few everyday words that share their letters with a swear ("chod", leave) are blanked for the
character model unless the swear's sense is plain from the words beside them, and so are words negated by the next
ones ("wo bewakoof nahi hai"): `blank_misleading_words`, below.

The lists themselves, and where they come from, are in workers.scoring.swear_lists. Two words are also names, and
are not counted where they are written as names ("Lund", "Randi").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from workers.scoring.swear_lists import ALL_LISTS, entries

# Latin words, and Devanagari and Kannada words with their vowel signs (their danda and digits are not letters).
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|[\u0900-\u0963\u0971-\u097f]+|[\u0c80-\u0ce3\u0cf1-\u0cff]+")


# Swear words that are also names: not counted where they are written as one ("Lund University", "Randi Weingarten").
_NAMES = re.compile(r"\b(?:Lund|Randi)\b")


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """The words of a comment as the lists are matched against them: normalised, names left out. Cached: the swear
    list and the calls against a community (workers.scoring.group_calls) read each comment."""
    from workers.scoring.normalise import normalise

    return tuple(_WORD.findall(normalise(_NAMES.sub(" ", text))))


@lru_cache(maxsize=1)
def swear_phrases() -> frozenset[tuple[str, ...]]:
    """Every phrase of the lists as a tuple of words, read the way comments are (normalised)."""
    return frozenset(tuple(words(phrase)) for phrase in entries(*ALL_LISTS))


def has_swear_word(text: str) -> bool:
    """Whether the comment has a word or phrase of the lists, matched as whole words after normalisation (so
    "c.h.u.t.i.y.a" and "CHUTIYA" count, "chutiyapa" and "randomly" do not)."""
    return bool(_matches(words(text)))


def swear_word_weight(text: str) -> float:
    """The blend's `swear` feature: 1.0 for a comment with a swear word of the lists, 0.5 where every one of them is
    in quotation marks ("upar kisi ne 'chutiya' likha hai, report karo"), 0.0 for none. A quoted swear word still
    counts, half, so that quoting the word one means does not hide it; a reader who quotes one to condemn it is sent to
    review rather than rejected by the list alone."""
    if not has_swear_word(text):  # most comments: one normalisation, not one per token
        return 0.0
    return 0.5 if all(_between_quotation_marks(text, a, b) for a, b in swear_word_spans(text)) else 1.0


def _between_quotation_marks(text: str, a: int, b: int) -> bool:
    """Whether the span (its quotation marks trimmed, normalise.strip_punctuation) has one on each side: a reader who
    quotes a swear word, mostly to condemn it or to ask for its removal."""
    from workers.scoring.normalise import CLOSING_QUOTES, OPENING_QUOTES

    return a > 0 and b < len(text) and text[a - 1] in OPENING_QUOTES and text[b] in CLOSING_QUOTES


def swear_word_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the text's swear words and phrases, for the evidence spans: the blend counts a swear
    word whatever weight the character model gives it, so a reviewer must see it highlighted too. Each token is
    normalised on its own (the character model's tokens: "c h u t i y a" is one)."""
    from workers.scoring.normalise import strip_punctuation, token_ranges

    tokens = token_ranges(text)
    found = [(word, k) for k, (a, b) in enumerate(tokens) for word in words(text[a:b])]
    return [
        strip_punctuation(text, tokens[found[i][1]][0], tokens[found[i + n - 1][1]][1])
        for i, n in _matches([w for w, _ in found])
    ]


def _matches(comment: Sequence[str]) -> list[tuple[int, int]]:
    """(start, length) of each phrase of the lists in a comment's words, the longest first where phrases overlap."""
    phrases, longest = swear_phrases(), _longest_phrase()
    found, i = [], 0
    while i < len(comment):
        n = next((n for n in range(min(longest, len(comment) - i), 0, -1) if tuple(comment[i : i + n]) in phrases), 0)
        if n:
            found.append((i, n))
        i += n or 1
    return found


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    return max(map(len, swear_phrases()))


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Everyday words that share their letters with a swear, which the character model does not read unless the swear's
# sense is plain from the words beside them (written for Kavalu). Inside a word it cannot tell them apart: "chod"
# (leave) shares its n-grams with "madarchod" and with "chod" the swear (in RUHSOLD, standalone "chod" is in abusive
# tweets 181 times, clean ones 21), Kannada "ಮಕ್ಕಳು" (children) with "ನನ್ಮಕ್ಕಳು", Roman Kannada "gandu" (male) with
# the Hindi swear; so "bachon ko school chod ke aata hoon" was auto-rejected (0.97). Blanked rather than translated:
# a gloss such as "leave" learns the weight of the tweets where the rule reads the verb, most of them abusive for
# other words (+4.4 per word). Applied to the character model's text in training and scoring alike
# (workers/scoring/char_model.py), one token for one token.
_CHOD = re.compile(
    r"chh?o+d(?:o|a|e|i|na|ne|ni|ta|te|ti|k|ke|kar|kr|kara|enge|engi|unga|ungi|ega|egi|iye|iyo|oge|ogi|ogey)?"
)
# The swear's object near "chod" (a mother, sister, daughter or wife; the body words of the swear phrases).
_CHOD_OBJECTS = _word_set(
    "maa ma mummy mom mummi ammi amma ammy ama maan behen behan bahen bahan bhen bhenr bhn behn bahin beti biwi bivi "
    "bibi chut choot chhut gaand gand gaandu randi randiya randiyan randiyon lund bhosda bhosdi"
)
_CHOD_BEFORE, _CHOD_AFTER = 5, 3
# Roman Kannada "gandu" is "male" before these words (a son, a child, boys) and after "hennu" (female).
_GANDU_NOUNS = _word_set("magu maga magana makkalu makkala makkalige makkalannu huduga hudugaru hudgru karu mari hennu")
_MAKKALU = _word_set("ಮಕ್ಕಳು ಮಕ್ಕಳ ಮಕ್ಕಳಿಗೆ ಮಕ್ಕಳನ್ನು ಮಕ್ಕಳಿಂದ ಮಕ್ಕಳೊಂದಿಗೆ ಮಕ್ಕಳಲ್ಲಿ makkalu makkala makkalige makkalannu")
# Words before "ಮಕ್ಕಳು" that make it the swear ("ನನ್ ಮಕ್ಕಳು", "ಸೂಳೆ ಮಕ್ಕಳು"); "ನನ್ನ ಮಕ್ಕಳು" is "my children".
_MAKKALU_SWEAR = _word_set("ನನ್ ಸೂಳೆ ಬೋಳಿ ಹಲ್ಕಾ ಬೇವರ್ಸಿ nan sule soole boli halka bevarsi")
# Roman Kannada "sala"/"saala" is "times" after a number or "how many" and "loan" beside the words of a loan; in
# Hindi, the insult ("Raitharige saala manna maadi", waive the farmers' loans, was 0.68).
_SALA = _word_set("sala saala")
_SALA_TIMES = _word_set(
    "estu eshtu yestu yest yast esht yesht yeshtu halavu kelavu sumaru ondu ondh ond eradu yeradu mooru nalku aidu "
    "hattu nooru saavira matte innondu prati kone modala modalne"
)
_SALA_LOAN = _word_set(
    "manna mannaa maafi tiristi teerisi teerisalu kattalu katti kattbeku raitara raitharige raitarige raithara "
    "rythara bank krishi gruha vahana shikshana bele"
)
_SALA_BEFORE = _SALA_TIMES | _SALA_LOAN
_STRIP = "\"'()[]{}<>,.;:!?…"
# A word said not to be so ("wo bewakoof nahi hai", "avnu kalla alla"): the word before Kannada "alla" (is not; not
# "illa", there is none, as in "no brains") or before Hindi "nahi" and a copula. The character model reads words one
# by one and cannot see the negation, so it reads neither.
_NOT = _word_set("ಅಲ್ಲ alla")
_HINDI_NOT = _word_set("नहीं नही nahi nahin nahee nhi")
_HINDI_COPULA = _word_set("है हैं हो था थी थे होता होती होते hai hain h hay ho tha thi the thay hota hoti hote")


def _everyday(words: list[str], i: int) -> bool:
    word = words[i]
    if _CHOD.fullmatch(word):
        return not _CHOD_OBJECTS.intersection(words[max(0, i - _CHOD_BEFORE) : i] + words[i + 1 : i + 1 + _CHOD_AFTER])
    if word == "gandu":
        return (i + 1 < len(words) and words[i + 1] in _GANDU_NOUNS) or (i > 0 and words[i - 1] == "hennu")
    if word in _SALA:
        return (i > 0 and words[i - 1] in _SALA_BEFORE) or (i + 1 < len(words) and words[i + 1] in _SALA_LOAN)
    if word in _MAKKALU:
        return not (i > 0 and words[i - 1] in _MAKKALU_SWEAR)
    return word == "ಗಂಡು"


def _negated(words: list[str], i: int) -> bool:
    following, then = [*words[i + 1 : i + 3], "", ""][:2]
    return following in _NOT or (following in _HINDI_NOT and then in _HINDI_COPULA)


def blank_misleading_words(tokens: list[str]) -> list[str]:
    """The tokens with each everyday word of the kinds above, and each word said not to be so, replaced by an empty
    one."""
    words = [unicodedata.normalize("NFKC", t).lower().strip(_STRIP) for t in tokens]
    return ["" if _everyday(words, i) or _negated(words, i) else token for i, token in enumerate(tokens)]


_TOKEN = re.compile(r"\S+")


def blank_misleading_words_in(text: str) -> str:
    """`blank_misleading_words` on a text's whitespace-separated tokens, the rest of the text kept."""
    text = text or ""
    kept = iter(blank_misleading_words(_TOKEN.findall(text)))
    return _TOKEN.sub(lambda _: next(kept), text)
