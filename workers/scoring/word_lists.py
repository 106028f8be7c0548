"""Word lists shipped with the abuse model, read once: MiniLM's English vocabulary and the language detector's
Roman Hindi and Roman Kannada words. Used by the language detector and by normalisation (its own module, so that
neither imports the other)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parents[1] / "abuse_model"
WORDS_FILE = MODEL_DIR / "language_words.json"
VOCAB_FILE = MODEL_DIR / "hf_config" / "vocab.txt"


@lru_cache(maxsize=1)
def roman_word_lists() -> dict[str, frozenset[str]]:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {lang: frozenset(data[lang]) for lang in ("hi-Latn", "kn-Latn")}


@lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """The whole words (letters only) of MiniLM's English WordPiece vocabulary."""
    words = VOCAB_FILE.read_text(encoding="utf-8").split()
    return frozenset(w for w in words if w.isalpha() and w.isascii())
