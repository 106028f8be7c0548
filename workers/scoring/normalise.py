"""Text normalisation against common obfuscation, applied before the abuse models see a comment.

* Unicode NFKC and lower case (full-width and styled letters become plain ones).
* Leetspeak inside words that also have letters: 0->o, 1->i, 3->e, 4->a, 5->s, 7->t, 8->b, @->a, $->s, !->i
  ("1d10t" -> "idiot", "@sshole" -> "asshole"); numbers on their own are left alone.
* Separators inside words: "f.u.c.k", "f-u-c-k", "f_u_c_k", "f*u*c*k" -> "fuck".
* Spaced-out letters: three or more single letters in a row ("f u c k", "i d i o t") are joined.
* A letter repeated three or more times is cut to two ("stuuuupid" -> "stuupid").

Devanagari and Kannada text passes through unchanged apart from NFKC and the repeat rule.
`normalise` keeps no offsets; spans are computed on the original text (workers/scoring/abuse.py).
"""

from __future__ import annotations

import re
import unicodedata

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
_WORD_WITH_LEET = re.compile(r"(?<!\S)(?=\S*[a-z])(?=\S*[0134578@$!][a-z0-9@$!]*)[a-z0-9@$!]+(?=[\s.,;:?]|$)")
_SEPARATED = re.compile(r"\b(?:[a-z][.\-_*+]){2,}[a-z]\b")
_SPACED = re.compile(r"(?<!\S)(?:[a-z] ){2,}[a-z](?!\S)")
_REPEAT = re.compile(r"(.)\1{2,}")


def _unleet(match: re.Match) -> str:
    word = match.group(0)
    core = word.rstrip("!")  # a trailing "!" is punctuation, not an i
    return core.translate(_LEET) + word[len(core) :]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _SEPARATED.sub(lambda m: re.sub(r"[.\-_*+]", "", m.group(0)), text)
    text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _WORD_WITH_LEET.sub(_unleet, text)
    return _REPEAT.sub(r"\1\1", text)


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
