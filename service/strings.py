"""Strings that every store can hold: PostgreSQL refuses NUL in text and JSONB, and lone surrogates cannot be
encoded as UTF-8 at all; control characters outside a comment's text are refused too."""

from __future__ import annotations

import re
import unicodedata

# Unicode's Cc (control) characters are U+0000-U+001F and U+007F-U+009F, its Cs (surrogates) U+D800-U+DFFF:
# a character class finds them at C speed (tests/test_intake_fast_path.py checks every code point).
CONTROL_OR_SURROGATE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # tab allowed
CONTROL_OR_SURROGATE_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # tab, LF, CR


def storable(value: str, multiline: bool = False) -> bool:
    """Whether value holds no NUL, lone surrogate or control character (but tabs, and newlines if multiline)."""
    return not (CONTROL_OR_SURROGATE_IN_TEXT if multiline else CONTROL_OR_SURROGATE).search(value)


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane as a character-class body: Indic vowel signs, viramas and
    anusvaras are marks (category M), which Python's \\w does not match."""
    ranges, start = [], None
    for code in range(0x10000):
        is_mark = unicodedata.category(chr(code))[0] == "M"
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return "".join(ranges)


# A character of a word in any script: \w, or a combining mark ("चोरी" is one word, not "च", "र" and two marks).
WORD_CHAR = "[\\w" + _mark_ranges() + "]"
WORD = re.compile(WORD_CHAR + "+")
