"""Spam and deception rules: links, link shorteners, text fingerprints, verbatim copies.

Duplicate detection across authors needs storage, so this module only provides
the fingerprint; the worker compares fingerprints within the policy window.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from service.scoring.jobs import ScoreResult, ScoringInput, Span

SPAM_MODEL_VERSION = "rules-1"

LINK_SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rb.gy",
        "shorturl.at",
        "tiny.cc",
        "t.ly",
        "v.gd",
        "rebrand.ly",
        "bl.ink",
        "s.id",
        "shorte.st",
        "adf.ly",
        "lnkd.in",
        "soo.gd",
        "clck.ru",
        "qr.ae",
        "x.co",
        "tiny.one",
        "short.io",
        "urlz.fr",
        "dlvr.it",
        "trib.al",
        "surl.li",
        "shrtco.de",
        "bit.do",
        "mcaf.ee",
        "po.st",
        "u.to",
        "wp.me",
        "amzn.to",
        "fb.me",
        "youtu.be",
        "chng.it",
        "linktr.ee",
        "tinu.be",
        "gg.gg",
        "urlzs.com",
        "cli.re",
        "rotf.lol",
    }
)

# Bare domains ("crypto-win.com/offer") only count with a TLD from this list, so
# ordinary text like "e.g." or "Mr.Singh" is not a link.
_COMMON_TLDS = (
    "com|net|org|in|co|io|info|biz|xyz|top|online|site|club|live|me|ly|gl|gd|at|cc|ru|cn|uk|us|"
    "app|dev|ai|tv|ws|link|click|shop|store|win|vip|today|news|tk|ml|ga|cf|gq|pw|su|to|be|it|ee|"
    "id|de|fr|lol|ae|pk|bd|lk|np|is"
)
# TLDs that are also English words: "came.In" or "left.at" after a missing space
# are sentences, not links, so a bare domain with one of these needs more proof.
_WORDLIKE_TLDS = frozenset({"in", "it", "to", "at", "me", "be", "us", "id", "is", "co"})
_SHORTENER_HOSTS = "|".join(re.escape(host) for host in sorted(LINK_SHORTENERS, key=len, reverse=True))
_LINK_PATTERN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.\-])(?:" + _SHORTENER_HOSTS + r")/[^\s<>\"']*"
    r"|(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:" + _COMMON_TLDS + r")\b"
    r"(?![\w@\-])(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    url: str
    host: str


def find_links(text: str) -> list[Link]:
    """Every link in text: http(s)://..., www..., and bare domains with a common TLD."""
    links = []
    for match in _LINK_PATTERN.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        if not url or not _plausible_link(url):
            continue
        links.append(Link(match.start(), match.start() + len(url), url, _host_of(url)))
    return links


def _plausible_link(url: str) -> bool:
    if re.match(r"(?:https?://|www\.)", url, re.IGNORECASE):
        return True
    host = _host_of(url)
    if is_shortener(host) or "/" in url:
        return True
    tld = url.split("/", 1)[0].rsplit(".", 1)[-1]
    # A word-like TLD counts only when written in lower case ("loans4u.in", not "came.In").
    return tld.lower() not in _WORDLIKE_TLDS or url.split("/", 1)[0].islower()


def count_links(text: str) -> int:
    return len(find_links(text))


def is_shortener(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host in LINK_SHORTENERS


def find_shortener_links(text: str) -> list[Link]:
    return [link for link in find_links(text) if is_shortener(link.host)]


def _host_of(url: str) -> str:
    without_scheme = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    host = re.split(r"[/?#:]", without_scheme, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].lower()
    return host[4:] if host.startswith("www.") else host


class SpamScorer:
    """`spam` = 1.0 when a comment has more links than allowed or any shortener, else 0.0.

    Every link is a span (label "link", or "shortener" for shortened ones), so a
    moderator sees what tripped the rule.
    """

    name = "spam"
    model_version = SPAM_MODEL_VERSION

    def __init__(self, max_links: int = 2) -> None:
        self.max_links = max_links

    def score(self, text: str, max_links: int | None = None) -> ScoreResult:
        limit = self.max_links if max_links is None else max_links
        links = find_links(text)
        shortened = [link for link in links if is_shortener(link.host)]
        too_many = len(links) > limit
        spans = [
            Span(link.start, link.end, "spam", "shortener" if is_shortener(link.host) else "link") for link in links
        ]
        spam = 1.0 if (too_many or shortened) else 0.0
        return ScoreResult(self.name, self.model_version, {"spam": spam}, spans)

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        return [self.score(item.text) for item in items]


class _FingerprintCharacters(dict):
    """str.translate table for normalise_for_fingerprint, filled in as characters are met:
    punctuation and symbols become spaces, format characters (zero-width) go, the rest stay."""

    def __missing__(self, code: int) -> str:
        kind = unicodedata.category(chr(code))
        self[code] = " " if kind[0] in "PS" else "" if kind == "Cf" else chr(code)
        return self[code]


_FINGERPRINT_CHARACTERS = _FingerprintCharacters()


def normalise_for_fingerprint(text: str) -> str:
    """NFKC, casefold, punctuation and symbols removed, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_FINGERPRINT_CHARACTERS).split())


def text_fingerprint(text: str) -> str:
    """sha256 hex of the normalised text: equal for copies differing only in case,
    spacing, punctuation or Unicode compatibility forms."""
    return hashlib.sha256(normalise_for_fingerprint(text).encode("utf-8")).hexdigest()


_WORD = re.compile(r"\w+")


def _words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Normalised words of text with their [start, end) offsets into text itself."""
    words = []
    for match in _WORD.finditer(text):
        word = unicodedata.normalize("NFKC", match.group(0)).casefold()
        words.append((word, match.start(), match.end()))
    return words


def verbatim_copy(comment: str, article_body: str, min_words: int = 40) -> Span | None:
    """The longest run of >= min_words consecutive words of the comment that also
    appears consecutively in the article body (case, punctuation and spacing
    ignored), as an `infringing` span into the comment; None if there is none."""
    if min_words <= 0 or not comment or not article_body:
        return None
    comment_words = _words_with_offsets(comment)
    article_words = [word for word, _, _ in _words_with_offsets(article_body)]
    if len(comment_words) < min_words or len(article_words) < min_words:
        return None

    # Seed with every min_words-gram of the article, then extend each match greedily.
    article_grams: set[tuple[str, ...]] = {
        tuple(article_words[i : i + min_words]) for i in range(len(article_words) - min_words + 1)
    }
    article_text = " " + " ".join(article_words) + " "
    words = [word for word, _, _ in comment_words]
    best: tuple[int, int] | None = None
    i = 0
    while i <= len(words) - min_words:
        if tuple(words[i : i + min_words]) not in article_grams:
            i += 1
            continue
        end = i + min_words
        while end < len(words) and (" " + " ".join(words[i : end + 1]) + " ") in article_text:
            end += 1
        if best is None or end - i > best[1] - best[0]:
            best = (i, end)
        i = end  # runs don't overlap usefully; continue after this one
    if best is None:
        return None
    first, last = best
    return Span(comment_words[first][1], comment_words[last - 1][2], "infringing", "verbatim_copy")
