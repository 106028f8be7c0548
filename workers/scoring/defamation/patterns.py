"""The allegation lexicon compiled, and searched only where an allegation can begin.

The lexicon is several hundred patterns in one alternation. Trying it at every word start is
what costs; so each pattern's possible first letters are read off the stdlib's own regex parser,
and at a word start only the patterns that can begin with its letter are tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre  # type: ignore[attr-defined]  # the stdlib's own regex parser
from re import _parser  # type: ignore[attr-defined]

from workers.scoring.defamation.lexicon import ALLEGATION_PATTERNS

ALLEGATION = re.compile("|".join(f"(?:{p})" for p in ALLEGATION_PATTERNS), re.IGNORECASE)
# Every allegation begins a word (or is "'s ..."); trying the big alternation only there, rather
# than at every character as finditer does, is what keeps the lexicon cheap.
_ALLEGATION_START = re.compile(r"\b\w|['’]")


def _first_letters(pattern: str) -> set[str] | None:
    """The lower-case ASCII characters a match of `pattern` can begin with; None when that can't be
    told (a non-ASCII or \\w first character, or a pattern that can match nothing)."""

    def sequence(items) -> tuple[set[str] | None, bool]:  # (first letters, can be empty)
        letters: set[str] = set()
        for op, argument in items:
            first, empty = item(op, argument)
            if first is None:
                return None, False
            letters |= first
            if not empty:
                return letters, False
        return letters, True

    def item(op, argument) -> tuple[set[str] | None, bool]:
        if op is sre.LITERAL:
            return ({chr(argument).lower()}, False) if argument < 128 else (None, False)
        if op is sre.IN:
            letters = set()
            for kind, value in argument:
                if kind is sre.LITERAL and value < 128:
                    letters.add(chr(value).lower())
                elif kind is sre.RANGE and value[1] < 128:
                    letters |= {chr(code).lower() for code in range(value[0], value[1] + 1)}
                elif kind is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
                    letters |= set("0123456789")
                else:
                    return None, False
            return letters, False
        if op is sre.SUBPATTERN:
            return sequence(argument[-1])
        if op is sre.BRANCH:
            branches = [sequence(branch) for branch in argument[1]]
            if any(first is None for first, _ in branches):
                return None, False
            return set().union(*(first or set() for first, _ in branches)), any(empty for _, empty in branches)
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return set(), True  # zero-width: the first character comes after
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _, repeated = argument
            first, empty = sequence(repeated)
            return first, empty or low == 0
        return None, False

    try:
        letters, empty = sequence(_parser.parse(pattern, re.IGNORECASE))
    except (AttributeError, TypeError, ValueError):  # the parser is private and may change shape: no shortcut
        return None
    return None if empty else letters


def _allegations_by_first_letter() -> tuple[dict[str, re.Pattern], re.Pattern]:
    """For each first letter, the alternation of only the patterns that can begin with it, in
    lexicon order, so at a given position it matches exactly what ALLEGATION matches there;
    and the alternation for letters no pattern names."""
    firsts = [_first_letters(pattern) for pattern in ALLEGATION_PATTERNS]

    def alternation(keep) -> re.Pattern:
        chosen = [pattern for pattern, first in zip(ALLEGATION_PATTERNS, firsts) if keep(first)]
        return re.compile("|".join(f"(?:{pattern})" for pattern in chosen) or r"(?!)", re.IGNORECASE)

    letters = set().union(*(first for first in firsts if first))
    return (
        {letter: alternation(lambda first, letter=letter: first is None or letter in first) for letter in letters},
        alternation(lambda first: first is None),
    )


ALLEGATION_BY_FIRST_LETTER, _ALLEGATION_ANY_LETTER = _allegations_by_first_letter()


def allegations(text: str) -> Iterator[re.Match]:
    """The allegation matches in text, left to right, not overlapping (like ALLEGATION.finditer)."""
    end = 0
    for start in _ALLEGATION_START.finditer(text):
        position = start.start()
        if position < end:
            continue
        letter = text[position]
        if letter.isascii():
            # Case-insensitive matching of ASCII text against ASCII first letters: the letter decides.
            pattern = ALLEGATION_BY_FIRST_LETTER.get(letter.lower(), _ALLEGATION_ANY_LETTER)
        else:
            pattern = ALLEGATION
        match = pattern.match(text, position)
        if match and match.end() > match.start():
            end = match.end()
            yield match
