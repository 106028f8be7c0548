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
* A Roman Hindi or Kannada swear word of workers.scoring.swear_lists with a letter doubled, or (seven letters or
  more) dropped or swapped ("haramii", "chutya", "hraami", "bhecnhod") is read as the word, unless it is a word
  in its own right (the lists above, or `_REAL_ROMAN_WORDS`).
* A swear word disguised beyond that ("fck", "phuck", "btch"; Roman Hindi initials "bsdk", "bkl": `_DISGUISED`) is
  read as the word.
* A rare English insult of `_RARE_INSULTS` ("halfwit", "nincompoop", "slimeball") is read as the common one it
  means ("idiot", "scumbag"): the training sources have too few of them for any part of the model to learn them
  (a transformer tuned on name-calling templates learnt the words it saw and not the ones it did not).
* A coined political or communal slur of `_COINED_SLURS` ("presstitute", "sickular", "libtard", "katua",
  "chinki"; in Devanagari too) is read the same way: the training sources have none of most of them, or too few.
  So is an English ethnic, racial or transphobic slur of `_ETHNIC_SLURS` ("raghead", "wetback", "tranny").
* Two words run together, one of them an insult or swear word of the lists above or an identity term
  ("hatemuslims", "arescum", "worthlessidiot", "gaypeople"; "i h a t e" once its letters are joined) are read as
  two, unless the run is a word in its own right: a filter that reads words one by one misses an insult glued to
  its neighbour, and so did every part of the model. The other way round, such a word split in two by a space
  ("id iot", "stu pid", "h ate"; neither part one of those words itself) is read as one.

Devanagari and Kannada text passes through unchanged apart from NFKC, the repeat rules (a vowel drawn out,
"हरामीईईई", is cut to one) and the Devanagari slurs.
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
    # not insults, but the verb of most hate speech, spelt around filters ("haet")
    "hate",
    "hates",
    "hated",
]
# Words one edit from an insult that are words of their own but not in MiniLM's vocabulary; found by running the
# rule over the training sources ("bich" is Roman Hindi for "between").
_REAL_WORDS = frozenset({"morn", "waker", "boody", "puss", "clow", "bich", "filth", "lair", "lier", "crab"})
# The same for the Roman swear words of workers.scoring.swear_lists: variants found in clean rows of the training
# sources ("chooti", small; "chinaa"; "chudai" is obscene but no swear at a person) or known to be words ("haraam",
# forbidden; "choota", left).
_REAL_ROMAN_WORDS = frozenset({"chooti", "chinaa", "chudai", "haraam", "choota"})
# Written for Kavalu: swear words spelt around a filter by changing or dropping more than the misspelling rule
# reads ("fck", "phuck"), and the Roman Hindi ones that social media shortens to initials ("bsdk", "bkl"; not "bc"
# and "mc", which English uses too), and what they mean.
_DISGUISED = {
    "fuck": ["fck", "fuk", "fock", "phuck"],
    "fucking": ["fcking", "fking", "fkin", "fckin", "fuking", "fukin", "phucking"],
    "fucker": ["fcker", "fker", "phucker"],
    "shit": ["sht", "shyt"],
    "bitch": ["btch", "biatch", "biotch"],
    "bastard": ["bstrd"],
    "bhosdike": ["bsdk", "bsdke", "bhsdk", "bhosdk"],
    "bhenchod": ["bkl", "bkc"],
    "madarchod": ["mkc", "tmkc"],
}
# Written for Kavalu: insults of a person with no other everyday sense (not "clown", "snake", "muppet", "git",
# "dope", "hack"), read as the common insult they mean, singular and plural.
_RARE_INSULTS = {
    "idiot": [
        "halfwit",
        "nitwit",
        "dimwit",
        "dunce",
        "numbskull",
        "numskull",
        "simpleton",
        "dolt",
        "oaf",
        "twit",
        "nincompoop",
        "ignoramus",
        "bonehead",
        "airhead",
        "blockhead",
        "knucklehead",
        "pinhead",
        "meathead",
        "fathead",
        "dunderhead",
        "chucklehead",
        "birdbrain",
        "lamebrain",
        "dullard",
        "dingbat",
        "cretin",
        "buffoon",
        "pillock",
        "plonker",
        "numpty",
        "eejit",
        "dumbo",
        "nutjob",
        "nutcase",
    ],
    "scumbag": ["sleazebag", "sleazeball", "slimeball", "lowlife", "dirtbag", "scumbucket"],
}


# Written for Kavalu: slurs coined in Indian and English political talk online, about a side or a community, with
# no neutral sense (not "bhakt", devotee; "mulla", a cleric; "sanghi", a member; "chaddi", shorts), as an insult.
# The Roman Hindi plurals are listed; the English "s" plural is added as for _RARE_INSULTS.
_COINED_SLURS = {
    "idiot": [
        "presstitute",
        "sickular",
        "libtard",
        "trumptard",
        "aaptard",
        "librandu",
        "andhbhakt",
        "andhbhakto",
        "andhbhakton",
        "feminazi",
        "demonrat",
        "repugnican",
    ],
    "scumbag": [
        "katua",
        "katwa",
        "katuwa",
        "katue",
        "katwe",
        "katuon",
        "chinki",
        "chinky",
        "mulle",
        "mullon",
        "randia",
    ],
}
# Written for Kavalu: English ethnic, racial and transphobic slurs with no neutral sense in a comment (not "coon",
# "chink", "nip", "spic", "dyke", "fag", "homo", "coolie", which have one; not caste names such as "chamar", which
# news reports use as names), read as an insult. The sources have some of them, mostly in tweets that are abusive
# anyway, and the English blend's transformer and alt-profanity-check do not know them: "Look at that raghead."
# scored 0.29, "Some wetback stole my job." 0.36.
_ETHNIC_SLURS = {
    "scumbag": [
        "raghead",
        "towelhead",
        "wetback",
        "gook",
        "beaner",
        "kike",
        "jigaboo",
        "paki",
        "polack",
        "chinaman",
        "kaffir",
        "halfbreed",
        "zipperhead",
        "mongoloid",
        "tranny",
        "trannie",
        "shemale",
    ],
}
# The same in Devanagari, read as the Hindi insults the character model knows best ("fool", "scoundrels").
_COINED_SLURS_DEVANAGARI = {
    "बेवकूफ": ["प्रेस्टीट्यूट", "प्रेस्टिट्यूट", "सिकुलर", "अंधभक्त", "अंधभक्तों", "लिबरांडू", "लिब्रांडु"],
    "कमीने": ["कटुआ", "कटुए", "कटुओं", "कटवा", "कटवे", "मुल्ले", "मुल्लों", "चिंकी"],
}
_DEVANAGARI_REPLACEMENTS = {
    unicodedata.normalize("NFKC", slur): insult for insult, slurs in _COINED_SLURS_DEVANAGARI.items() for slur in slurs
}
# A Devanagari word: letters, signs and digits of the block, not the danda (।, ॥) that ends a sentence.
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f]+")


# Vowels drawn out in Devanagari and Kannada ("हरामीईईई", "सालाााा"): a vowel sign or vowel letter repeated is cut to one
# (never two in a row in either script's spelling), and vowel letters right after the sign of the same vowel are
# dropped. The Latin repeat rule above keeps two letters, as English spells "good".
_INDIC_VOWELS = "\u0904-\u0914\u093e-\u094c\u0962\u0963\u0c85-\u0c94\u0cbe-\u0ccc\u0ce2\u0ce3"
_INDIC_VOWEL_REPEAT = re.compile(f"([{_INDIC_VOWELS}])\\1+")
_INDIC_VOWEL_AFTER_SIGN = re.compile("([\u093e-\u094c\u0cbe-\u0ccc])([\u0904-\u0914\u0c85-\u0c94]+)")


def _same_vowel(sign: str, letters: str) -> bool:
    """Whether the vowel letters are the sign's vowel, short or long ("ी" and "ई" or "इ"; not "ौ" and "आ")."""
    return {_vowel(sign, " SIGN ")} == {_vowel(c, " LETTER ") for c in letters}


def _vowel(char: str, kind: str) -> str:
    name = unicodedata.name(char).split(kind)[-1].removeprefix("VOCALIC ")
    return {"AA": "A", "II": "I", "UU": "U", "EE": "E", "OO": "O", "RR": "R", "LL": "L"}.get(name, name)


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
    text = _INDIC_VOWEL_REPEAT.sub(r"\1", text)
    text = _INDIC_VOWEL_AFTER_SIGN.sub(
        lambda m: m.group(1) if _same_vowel(m.group(1), m.group(2)) else m.group(0), text
    )
    text = _DEVANAGARI_WORD.sub(lambda m: _DEVANAGARI_REPLACEMENTS.get(m.group(0), m.group(0)), text)
    split = _split_words()
    text = _WORD_AND_NEXT.sub(lambda m: m.group(1) if f"{m.group(1)} {m.group(2)}" in split else m.group(0), text)
    replaced = _word_replacements()
    return _LATIN_WORD.sub(lambda m: replaced.get(m.group(0)) or _unglued(m.group(0)), text)


def _one_letter_away(word: str) -> set[str]:
    """The word with one letter dropped (words of five letters or more) or two neighbours swapped (first letter kept)."""
    dropped = {word[:i] + word[i + 1 :] for i in range(1, len(word))} if len(word) >= 5 else set()
    swapped = {
        word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1) if word[i] != word[i + 1]
    }
    return {w for w in dropped | swapped if len(w) >= 4}


def _misspelt_swear(word: str) -> set[str]:
    """A Roman Hindi or Kannada swear word with a letter doubled ("haramii", "randii"), one of seven letters or
    more with a letter dropped or two neighbours swapped ("chutya", "hraami", "bhecnhod"), and any with a "v" written
    "w" or the other way round ("lawde", "bhadwa", "bewarsi": व and ವ are written either way): these languages have
    no fixed spelling, and such a variant of a swear is hardly ever a word of its own."""
    doubled = {word[:i] + word[i - 1] + word[i:] for i in range(1, len(word) + 1)} if len(word) >= 5 else set()
    edited = {w for w in _one_letter_away(word) if len(w) >= 6} if len(word) >= 7 else set()
    v_or_w = {word[:i] + {"v": "w", "w": "v"}[c] + word[i + 1 :] for i, c in enumerate(word) if c in "vw"}
    return doubled | edited | v_or_w


@lru_cache(maxsize=1)
def _real_words() -> frozenset[str]:
    """Words in their own right: MiniLM's whole English words, the detector's Roman word lists, and `_REAL_WORDS`."""
    from workers.scoring.word_lists import english_vocabulary, roman_word_lists

    return english_vocabulary() | _REAL_WORDS | frozenset(_INSULTS) | frozenset().union(*roman_word_lists().values())


@lru_cache(maxsize=1)
def _glue_keys() -> frozenset[str]:
    """The words whose run-together forms are split: the English insults above and identity terms."""
    identity = [t for ts in IDENTITY_TERMS.values() for t in ts if t.isalpha()] + _IDENTITY_PLURALS
    return frozenset(_INSULTS) | frozenset(identity) | frozenset(t + "s" for t in identity)


@lru_cache(maxsize=1)
def _split_words() -> frozenset[str]:
    """The key words of `_glue_keys` split by one space that are read as the word ("id iot", "stu pid", "h ate"):
    neither part is a key word itself, nor are both words of three letters or more in their own right ("bulls hit",
    "dumb ass" stay two)."""
    keys, real = _glue_keys(), _real_words()
    return frozenset(
        f"{key[:i]} {key[i:]}"
        for key in keys
        if len(key) >= 4
        for i in range(1, len(key))
        if key[:i] not in keys
        and key[i:] not in keys
        and not (i >= 3 and len(key) - i >= 3 and key[:i] in real and key[i:] in real)
    )


# A Latin word, one space, and (looked ahead, so that each word can start a pair) the next one; not after an
# apostrophe or before a hyphen ("it's hit", "who re-elected").
_WORD_AND_NEXT = re.compile(r"(?<![a-z'’-])([a-z]+) (?=([a-z]+)(?![a-z'’-]))")
_WORD_AND_NEXT_ANY_CASE = re.compile(_WORD_AND_NEXT.pattern, re.IGNORECASE)


# Endings that are words of MiniLM's vocabulary too: "stupidest" is not "stupid est", nor "cowardice" "coward ice".
_NOT_A_SECOND_WORD = frozenset(
    {
        "est",
        "ice",
        "ally",
        "ting",
        "ted",
        "ness",
        "less",
        "tan",
        "ish",
        "ism",
        "ist",
        "ful",
        "ity",
        "ous",
        "ers",
        "ing",
        "ment",
        "ship",
        "hood",
        "like",
        "ling",
        "listed",
        "list",
        "stan",
        "ash",
        "pace",
        "ter",
        "tin",
        "ked",
        "ching",
        "chin",
    }
)


@lru_cache(maxsize=65536)
def _unglued(word: str) -> str:
    """`word`, or the two English words it runs together where one is a key word of `_glue_keys` and the other a
    whole word of MiniLM's vocabulary of three letters or more, or a leading "i" (the longest key word wins):
    "hatemuslims" -> "hate muslims", "arescum" -> "are scum", "ihate" -> "i hate"."""
    from workers.scoring.word_lists import english_vocabulary

    if len(word) < 5 or word in _real_words():
        return word
    keys, english = _glue_keys(), english_vocabulary()
    best: tuple[int, str] = (0, word)
    for i in range(1, len(word)):
        a, b = word[:i], word[i:]
        for key, other in ((a, b), (b, a)):
            # a three-letter key ("gay", "jew") only beside a longer word: Roman Urdu "mangay", "pangay" are words
            shortest = 4 if len(key) < 4 else 3
            fits = other == a == "i" or (
                len(other) >= shortest and other in english and other not in _NOT_A_SECOND_WORD
            )
            if key in keys and len(key) > best[0] and fits:
                best = (len(key), f"{a} {b}")
    return best[1]


@lru_cache(maxsize=1)
def _word_replacements() -> dict[str, str]:
    """Misspelt insult -> insult, and rare insult or coined slur -> the common insult it means."""
    from workers.scoring.swear_lists import roman_swear_words

    real = _real_words()
    found: dict[str, str] = {}
    for insult in _INSULTS:
        for variant in sorted(_one_letter_away(insult) - real):
            found.setdefault(variant, insult)
    swears = roman_swear_words()
    for swear in sorted(swears):
        for variant in sorted(_misspelt_swear(swear) - real - swears - _REAL_ROMAN_WORDS):
            found.setdefault(variant, swear)
    for word, spellings in _DISGUISED.items():
        found.update(dict.fromkeys(spellings, word))
    for common, rare in [*_RARE_INSULTS.items(), *_COINED_SLURS.items(), *_ETHNIC_SLURS.items()]:
        for word in rare:
            found[word] = common
            found[word + ("es" if word.endswith("ch") else "s")] = common + "s"
    return {variant: found.get(insult, insult) for variant, insult in found.items()}


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
# Plurals that a term's prefix does not cover; not used by the templates, which need a term that reads as an adjective.
_IDENTITY_PLURALS = ["women"]
_IDENTITY = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(
        sorted(
            (re.escape(t) for t in [*(t for ts in IDENTITY_TERMS.values() for t in ts), *_IDENTITY_PLURALS]),
            key=len,
            reverse=True,
        )
    )
    + r")"
)


def identity_present(text: str) -> bool:
    """Whether the (normalised or raw) text names an identity group: a term at the start of a word."""
    return _IDENTITY.search(text.lower()) is not None


# -- the words of a comment, as the character model reads them -------------------------------------------------
# A word is a run of non-space characters, or three or more single letters spaced out ("f u c k").
_WORD_TOKEN = re.compile(r"(?:[^\W\d_][ .*\-_]){2,}[^\W\d_](?![^\W\d_])|\S+")


def token_ranges(text: str) -> list[tuple[int, int]]:
    """The character ranges of the text's words, punctuation kept (the character model reads each one); a word
    split by a space ("id iot", `_split_words`) is one."""
    ranges = [(m.start(), m.end()) for m in _WORD_TOKEN.finditer(text)]
    split = _split_words()
    # where a first half ends: found with a regular expression, as a Python loop over every pair of tokens cost
    # 0.16 ms per comment, 5 % of scoring
    joins = {m.end(1) for m in _WORD_AND_NEXT_ANY_CASE.finditer(text) if f"{m.group(1)} {m.group(2)}".lower() in split}
    if not joins:
        return ranges
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and merged[-1][1] in joins and merged[-1][1] + 1 == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


OPENING_QUOTES = "'\"\u2018\u201c\u00ab"
CLOSING_QUOTES = "'\"\u2019\u201d\u00bb"


def strip_punctuation(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in "([{<,.;:!?" + OPENING_QUOTES:
        a += 1
    while b > a and text[b - 1] in ")]}>,.;:!?" + CLOSING_QUOTES:
        b -= 1
    return a, b
