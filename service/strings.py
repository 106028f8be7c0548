"""Strings that every store can hold: PostgreSQL refuses NUL in text and JSONB, and lone surrogates cannot be
encoded as UTF-8 at all; control characters outside a comment's text are refused too."""

from __future__ import annotations

import re

# Unicode's Cc (control) characters are U+0000-U+001F and U+007F-U+009F, its Cs (surrogates) U+D800-U+DFFF:
# a character class finds them at C speed (tests/test_intake_fast_path.py checks every code point).
CONTROL_OR_SURROGATE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # tab allowed
CONTROL_OR_SURROGATE_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # tab, LF, CR


def storable(value: str, multiline: bool = False) -> bool:
    """Whether value holds no NUL, lone surrogate or control character (but tabs, and newlines if multiline)."""
    return not (CONTROL_OR_SURROGATE_IN_TEXT if multiline else CONTROL_OR_SURROGATE).search(value)
