"""Swear words of Hindi, Urdu and Kannada (gaali), in Roman script, Devanagari and Kannada script.

A swear word is abuse whichever source it comes from, while the character model knows only the spellings its
training sources used. In RUHSOLD's Roman Urdu tweets, 98 % of those with a word of this list are abusive (24 % of
the abusive ones have one); with RUHSOLD held out, the character model's ROC-AUC there is 0.686 alone and 0.716 with
the list, the whole blend's 0.709 and 0.737 (workers/abuse_model/MODEL_CARD.md).
The blend adds a fixed weight when a comment has one (`swear`, workers/training/abuse_char.py).

The Roman Hindi/Urdu words are anti-profanity's `hindi_en` list (PyPI `anti-profanity` 0.2.6, MIT License,
Copyright (c) 2025 RAZi: swear_words_LICENSE.txt), with the words that have an everyday sense left out:
"chod"/"chhod" (leave), "choot"/"chut" (a discount), "madar" (mother, Urdu), "balatkaar" (rape, in news reports),
"kutte" (dogs), "gandu" (male, in Kannada), and phrases of neutral words only. The Roman Kannada, Devanagari and
Kannada-script words were written for Kavalu. Two words are also names, and are not counted where they are written
as names ("Lund", "Randi").
"""

from __future__ import annotations

import re
from functools import lru_cache

_ROMAN_HINDI = """
aand mat kaha | baap ke lavde | chodu | chodoo | choodu | gaandu | gandoo | bhosad | bhosada | bhosadaa | bhosadii |
bhosadika | bhosadike | bhosadiki | bosadike | bakrichod | behen ke laude | betichod | bhai chhod | bhayee chod |
bhen chhod | bhaynchod | behanchod | behenchod | bhen ke lode | bhosdi | bhosdike | chipkai ki choot ke paseene |
cha cha chod | chod ke bal ka kida | chopre he randi | chudasi | chut ka maindak | chutia | chutiya | chootia |
chutiye | dheeli choot | chootiya | gaand chaat mera | gaand | gaand ka khadda | gaand ke dhakan | gaand mein kida |
gandi chut mein sadta hua ganda kida | gandmasti | jhaat ke baal | jhat lahergaya | jhatoo | jhantu | kukarchod |
kutha sala | lode jesi shakal ke | lode ke baal | lund khajoor | lund chuse | lund | luhnd | lundh | madar chod |
maadarchod | madarchod | madarchod ke aulaad | mader chod | mai chod | meri ghand ka baal | randi | randi ka choda |
sust lund ki padaish | tere baap ki gaand | teri chute mai chuglee | teri gaand mein haathi ka lund |
teri maa ki choot | teri maa ki sukhi bhos | teri phuphi ki choot mein | teri bhosri mein aag | teri gand mai ghadhe ka lund |
teri ma ki choot me bara sa land | teri ma ki chudaye bandar se hui | teri maa ke bhosade ke baal | teri maa ka bhosra |
teri maa ki chut | teri maa ki chute | teri maa ke bable | teri maa ki choot me kutte ka lavda | teri ma randi |
teri behen ka bhosda faadu | teri ma bahar chud rahi he | teri ma ko kutta chode | bhen ke lode maa chuda |
gaand maar bhen chod | tu tera maa ka lauda | lund mera muh tera | sab ka lund teri ma ki chut mein | amma ki chut |
bhadwe ki nasal | bhadva | bhadve | bhosadchod | bhosad chod | bhosadi ke | bhosdee kay | bhosdi k | bsdk |
bulle ke baal | camina | chinaal | choot ka paani | choot ka pissu | choot k bhoot | choot k pakode | choot ki jhilli |
chodika | chodubhagat | chudpagal | chut ke makkhan | gand | gand mein louda | gandi fuddi ki gandi auladd |
haram zaadaa | harami | jhaat | kaala lund | kaali kutti | kutte ki olad | laudu | lavde | lavde ka baal | lawda |
lodu | lowde ka bal | lund k laddu | lundfakir | maa-cho | maadarbhagat | madarchoth | mahder chod | randi baj |
randi ka larka | randi ke bacche | randi ke beej | rand ki moot | suvar chod | suwar ki aulad | tere maa ka bur |
bursungha | bhaand me jaao | sinak se paida hua | jhavadya | bhadavya | lavadya | raandichya | tuzya aaichi kanda puchi
"""
# "chod" with a mother or sister as its object, the swear and not the verb "leave" (written for Kavalu).
_ROMAN_HINDI_OBJECTS = """
maa chod | ma chod | maa ko chod | ma ko chod | behen chod | behan chod | bahan chod | bhen chod | behen ko chod |
behan ko chod | bahan ko chod | bhen ko chod
"""
_ROMAN_KANNADA = """
bolimaga | boli maga | bolimagane | boli magane | soolemaga | soole maga | sulemaga | sule maga | soolemagane |
sulemagane | ladimaga | ladi maga | ninamman | ninnamman | nin amman | ninn amman | bevarsi
"""
_DEVANAGARI = """
चूतिया | चुतिया | चूतिये | चुतिये | मादरचोद | बहनचोद | भेनचोद | बेहनचोद | भोसड़ी | भोसडी | भोसड़ीके | भोसडीके |
भोसड़ीवाले | हरामी | हरामज़ादा | हरामजादा | हरामज़ादे | हरामजादे | रंडी | गांडू | गाँडू | लौड़ा | लौड़े | लौडा | लौडे |
लवड़ा | लवड़े | भड़वा | भड़वे | भडवा | भडवे | कुतिया
"""
_KANNADA = """
ಬೋಳಿಮಗ | ಬೋಳಿ ಮಗ | ಬೋಳಿಮಗನೆ | ಸೂಳೆಮಗ | ಸೂಳೆ ಮಗ | ಸೂಳೆಮಗನೆ | ಸೂಳೆ | ಬೇವರ್ಸಿ | ನಿಮ್ಮಮ್ಮನ | ನಿನ್ನಮ್ಮನ
"""
# Latin words, and Devanagari and Kannada words with their vowel signs (their danda and digits are not letters).
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|[\u0900-\u0963\u0971-\u097f]+|[\u0c80-\u0ce3\u0cf1-\u0cff]+")


# Swear words that are also names: not counted where they are written as one ("Lund University", "Randi Weingarten").
_NAMES = re.compile(r"\b(?:Lund|Randi)\b")


def _words(text: str) -> list[str]:
    from workers.scoring.normalise import normalise

    return _WORD.findall(normalise(_NAMES.sub(" ", text)))


@lru_cache(maxsize=1)
def swear_phrases() -> frozenset[tuple[str, ...]]:
    """Every phrase of the lists as a tuple of words, read the way comments are (normalised)."""
    phrases = "|".join((_ROMAN_HINDI, _ROMAN_HINDI_OBJECTS, _ROMAN_KANNADA, _DEVANAGARI, _KANNADA)).split("|")
    return frozenset(tuple(_words(phrase)) for phrase in phrases if phrase.strip())


def has_swear_word(text: str) -> bool:
    """Whether the comment has a word or phrase of the lists, matched as whole words after normalisation (so
    "c.h.u.t.i.y.a" and "CHUTIYA" count, "chutiyapa" and "randomly" do not)."""
    phrases, longest = swear_phrases(), _longest_phrase()
    words = _words(text)
    return any(tuple(words[i : i + n]) in phrases for i in range(len(words)) for n in range(1, longest + 1))


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    return max(map(len, swear_phrases()))
