"""Which language a comment is in, for the abuse scorer: "en", "hi", "hi-Latn", "kn", "kn-Latn" or "und".

* Script first: letters in the Devanagari block (U+0900-U+097F) make a comment Hindi ("hi"), letters in the
  Kannada block (U+0C80-U+0CFF) Kannada ("kn"), whichever has more; a comment needs at least a quarter of its
  letters in that script (so one Kannada word in an English sentence does not flip it).
* Latin-script comments are Roman Hindi ("hi-Latn"), Roman Kannada ("kn-Latn") or English ("en") by counting
  words from two small lists shipped in workers/abuse_model/language_words.json (see the "about" field there):
  the list with more hits wins if it covers at least a fifth of the words (one word for comments of up to
  three words); otherwise English.
* No letters at all (emoji, numbers, punctuation): "und".

Cheap (a regex and a set lookup per word), no dependencies, no network.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parents[1] / "abuse_model" / "language_words.json"
LANGUAGES = ("en", "hi", "hi-Latn", "kn", "kn-Latn", "und")
SCRIPT_LANGUAGES = ("hi", "kn")

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_KANNADA = re.compile(r"[\u0C80-\u0CFF]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_LATIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, frozenset[str]]:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {lang: frozenset(data[lang]) for lang in ("hi-Latn", "kn-Latn")}


def detect_language(text: str) -> str:
    text = text or ""
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return "und"
    deva = len(_DEVANAGARI.findall(text))
    kann = len(_KANNADA.findall(text))
    if max(deva, kann) * 4 >= letters:
        return "hi" if deva >= kann else "kn"
    words = _LATIN_WORD.findall(text.lower())
    if not words:
        return "und"
    lists = _word_lists()
    hits = {lang: sum(1 for w in words if w in vocab) for lang, vocab in lists.items()}
    best = max(hits, key=lambda lang: hits[lang])
    needed = 1 if len(words) <= 3 else max(2, len(words) / 5)
    if hits[best] >= needed and hits[best] > min(hits.values()):
        return best
    return "en"
