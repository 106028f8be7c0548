"""Spam and deception rules: links, link shorteners, text fingerprints, verbatim copies.

Duplicate detection across authors needs storage, so this module only provides
the fingerprint; the worker compares fingerprints within the policy window.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import tldextract

from service.scoring.jobs import ScoreResult, ScoringInput, Span
from service.strings import WORD

SPAM_MODEL_VERSION = "rules-1"


def _read_shorteners() -> frozenset[str]:
    """The hosts in shorteners.txt (one a line, # comments), lower case, without "www."."""
    text = resources.files(__package__).joinpath("shorteners.txt").read_text(encoding="utf-8")
    hosts = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(host.removeprefix("www.") for host in hosts if host)


LINK_SHORTENERS = _read_shorteners()


@functools.cache
def _domain_names() -> tldextract.TLDExtract:
    """One extractor per process over the Public Suffix List snapshot bundled with
    tldextract: no suffix-list URLs and no cache directory, so it never fetches or writes.
    ICANN suffixes only (private ones such as github.io are hosts, not TLDs)."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


def is_known_domain(host: str) -> bool:
    """True when host ends in a public suffix (a TLD such as .in, .xyz, or .co.uk)."""
    return bool(_domain_names()(host).suffix)


# TLDs that are also English words: "came.In" or "left.at" after a missing space
# are sentences, not links, so a bare domain with one of these needs more proof.
# These count when the domain is written in lower case ("loans4u.in")...
_WORDLIKE_TLDS = frozenset({"in", "it", "to", "at", "me", "be", "us", "id", "is", "co"})
# ...these (common words and abbreviations, "et.al", "7.am") only with a path or scheme,
# or under a second-level suffix ("example.com.my").
_SENTENCE_TLDS = frozenset(
    {"al", "am", "as", "do", "go", "im", "my", "no", "pm", "so"}
    | {"black", "here", "how", "like", "new", "now", "one", "phone", "plus", "press", "read", "you"}
)
_SHORTENER_HOSTS = "|".join(re.escape(host) for host in sorted(LINK_SHORTENERS, key=len, reverse=True))
# Bare domains ("crypto-win.com/offer"): any dotted name whose last label could be a
# TLD; find_links keeps only those ending in a public suffix, so ordinary text like
# "e.g." or "Mr.Singh" is not a link.
_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_TLD_LABEL = r"(?:[a-z]{2,63}|xn--[a-z0-9\-]{1,59})"
_LINK_PATTERN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.\-])(?:" + _SHORTENER_HOSTS + r")/[^\s<>\"']*"
    r"|(?<![\w@.\-])(?P<host>(?:" + _DOMAIN_LABEL + r"\.)+" + _TLD_LABEL + r")\b"
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
    """Every link in text: http(s)://..., www..., and bare domains ending in a public suffix."""
    links = []
    for match in _LINK_PATTERN.finditer(text):
        url = match.group(0)
        if match.group("host") is not None:
            url = _bare_domain(match.group("host"), url)
        url = url.rstrip(_TRAILING_PUNCTUATION)
        if not url or not _plausible_link(url):
            continue
        links.append(Link(match.start(), match.start() + len(url), url, _host_of(url)))
    return links


def _bare_domain(host: str, url: str) -> str:
    """url if its host ends in a public suffix and reads as a domain, not a sentence;
    else the longest run of its leading labels that does ("example.com" of
    "example.com.txt" or "example.com.Now", without any path); else ""."""
    labels = host.split(".")
    for end in range(len(labels), 1, -1):
        candidate = url if end == len(labels) else ".".join(labels[:end])
        if (
            re.fullmatch(_TLD_LABEL, labels[end - 1], re.IGNORECASE)
            and is_known_domain(".".join(labels[:end]))
            and _plausible_link(candidate.rstrip(_TRAILING_PUNCTUATION))
        ):
            return candidate
    return ""


def _plausible_link(url: str) -> bool:
    if re.match(r"(?:https?://|www\.)", url, re.IGNORECASE):
        return True
    host = _host_of(url)
    if is_shortener(host) or "/" in url:
        return True
    labels = url.split("/", 1)[0].split(".")
    tld = labels[-1]
    # "cat.you", "et.al"; but "example.com.my" ends in the public suffix com.my.
    if tld.lower() in _SENTENCE_TLDS and "." not in _domain_names()(host).suffix:
        return False
    # "came.Now", "hoes.You": a capitalised word after a missing space starts a sentence;
    # a capitalised TLD after a mixed-case name ("WikiPedia.Org") is still a domain.
    before = labels[-2] if len(labels) > 1 else ""
    if tld.istitle() and len(tld) > 1 and not (before.istitle() or (before.lower() != before != before.upper())):
        return False
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


def _words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Normalised words of text with their [start, end) offsets into text itself. A word keeps its vowel signs and
    viramas: \\w+ cut "ಕನ್ನಡ" into "ಕನ" and "ನಡ", and a Kannada or Hindi quote counted about three times its words
    against verbatim_copy_min_words."""
    words = []
    for match in WORD.finditer(text):
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
