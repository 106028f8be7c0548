"""Text normalisation against common obfuscation, applied before the abuse models see a comment.

* Unicode NFKC and lower case (full-width and styled letters become plain ones).
* Leetspeak inside words that also have letters: 0->o, 1->i, 3->e, 4->a, 5->s, 7->t, 8->b, @->a, $->s, !->i
  ("1d10t" -> "idiot", "@sshole" -> "asshole"); numbers on their own are left alone.
* Separators inside words: "f.u.c.k", "f-u-c-k", "f_u_c_k", "f*u*c*k" -> "fuck".
* Spaced-out letters: three or more single letters in a row ("f u c k", "i d i o t") are joined.
* A letter repeated three or more times is cut to two ("stuuuupid" -> "stuupid").
* A word one letter away from an English insult or swear word of `_INSULTS` (a letter dropped or two neighbours
  swapped: "idoit", "stupd", "fukc") is read as that word, unless it is a word in its own right: a whole word of
  MiniLM's English vocabulary, of the language detector's Roman Hindi and Kannada lists, or of `_REAL_WORDS`.

Devanagari and Kannada text passes through unchanged apart from NFKC and the repeat rule.
`normalise` keeps no offsets; spans are computed on the original text (workers/scoring/abuse.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
_WORD_WITH_LEET = re.compile(r"(?<!\S)(?=\S*[a-z])(?=\S*[0134578@$!][a-z0-9@$!]*)[a-z0-9@$!]+(?=[\s.,;:?]|$)")
_SEPARATED = re.compile(r"\b(?:[a-z][.\-_*+]){2,}[a-z]\b")
_SPACED = re.compile(r"(?<!\S)(?:[a-z] ){2,}[a-z](?!\S)")
_REPEAT = re.compile(r"(.)\1{2,}")
_LATIN_WORD = re.compile(r"[a-z]+")
# Written for Kavalu: English insults and swear words whose misspellings by one letter are read as them.
_INSULTS = [
    "fuck",
    "fucking",
    "fucker",
    "fucked",
    "motherfucker",
    "shit",
    "shitty",
    "bullshit",
    "bitch",
    "bitches",
    "bastard",
    "asshole",
    "idiot",
    "idiots",
    "idiotic",
    "moron",
    "morons",
    "moronic",
    "stupid",
    "stupidity",
    "imbecile",
    "cretin",
    "dumbass",
    "jackass",
    "loser",
    "losers",
    "pathetic",
    "worthless",
    "scum",
    "scumbag",
    "slut",
    "whore",
    "cunt",
    "dickhead",
    "prick",
    "wanker",
    "twat",
    "retard",
    "retarded",
    "pervert",
    "freak",
    "bloody",
    "damn",
    "crap",
    "pussy",
    "douche",
    "douchebag",
    "halfwit",
    "nitwit",
    "dimwit",
    "clown",
    "coward",
    "liar",
    "vermin",
    "parasite",
    "traitor",
    "disgusting",
    "filthy",
]
# Words one edit from an insult that are words of their own but not in MiniLM's vocabulary; found by running the
# rule over the training sources ("bich" is Roman Hindi for "between").
_REAL_WORDS = frozenset({"morn", "waker", "boody", "puss", "clow", "bich", "filth", "lair", "lier", "crab"})


def _unleet(match: re.Match) -> str:
    word = match.group(0)
    core = word.rstrip("!")  # a trailing "!" is punctuation, not an i
    return core.translate(_LEET) + word[len(core) :]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _SEPARATED.sub(lambda m: re.sub(r"[.\-_*+]", "", m.group(0)), text)
    text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _WORD_WITH_LEET.sub(_unleet, text)
    text = _REPEAT.sub(r"\1\1", text)
    misspelt = _misspellings()
    return _LATIN_WORD.sub(lambda m: misspelt.get(m.group(0), m.group(0)), text)


def _one_letter_away(word: str) -> set[str]:
    """The word with one letter dropped (words of five letters or more) or two neighbours swapped (first letter kept)."""
    dropped = {word[:i] + word[i + 1 :] for i in range(1, len(word))} if len(word) >= 5 else set()
    swapped = {
        word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1) if word[i] != word[i + 1]
    }
    return {w for w in dropped | swapped if len(w) >= 4}


@lru_cache(maxsize=1)
def _misspellings() -> dict[str, str]:
    from workers.scoring.word_lists import english_vocabulary, roman_word_lists

    real = english_vocabulary() | _REAL_WORDS | set(_INSULTS) | frozenset().union(*roman_word_lists().values())
    found: dict[str, str] = {}
    for insult in _INSULTS:
        for variant in sorted(_one_letter_away(insult) - real):
            found.setdefault(variant, insult)
    return found


# Identity terms, by the groups of ../shared/data/abuse_identity/ (plus a few more). The v2 blend reads
# "does the comment name an identity group" as a feature, so that it can learn how far to trust the
# transformer and alt-profanity-check, which both over-score neutral mentions of these groups; training
# (workers/training/abuse_char.py) uses the same terms for counterfactual templates.
IDENTITY_TERMS: dict[str, list[str]] = {
    "asian": ["asian"],
    "bisexual": ["bisexual"],
    "black": ["black"],
    "chinese": ["chinese"],
    "immigrant": ["immigrant", "refugee"],
    "jewish": ["jewish", "jew"],
    "latino": ["latino", "latina", "hispanic"],
    "lgbtq": ["gay", "lesbian", "queer", "trans", "transgender", "homosexual", "lgbtq", "nonbinary"],
    "mental_disability": ["autistic", "mentally ill", "neurodivergent"],
    "mexican": ["mexican"],
    "middle_east": ["arab", "middle eastern", "iranian"],
    "muslim": ["muslim", "islamic"],
    "native_american": ["native american", "indigenous"],
    "physical_disability": ["disabled", "blind", "deaf", "wheelchair-using"],
    "women": ["female", "woman"],
    "other": ["christian", "hindu", "sikh", "dalit", "white", "african"],
}
_IDENTITY = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(sorted((re.escape(t) for ts in IDENTITY_TERMS.values() for t in ts), key=len, reverse=True))
    + r")"
)


def identity_present(text: str) -> bool:
    """Whether the (normalised or raw) text names an identity group: a term at the start of a word."""
    return _IDENTITY.search(text.lower()) is not None
