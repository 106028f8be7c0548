"""Policy rules over plain data: blocked/suspect terms and blocked authors.

Pure functions, no Flask or database, and nothing imported from workers/.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache

from service.strings import WORD_CHAR

# Zero-width and other invisible format characters used to break up words.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}


def normalise_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFKC + casefold each character with the combining marks that follow it, dropping invisible characters.

    A base and its marks are normalised together, so that a decomposed "ಕೀ" (ಕ, ಿ, ೕ) or "café" (e, U+0301) reads
    as the composed one. Returns the normalised string and, for each of its characters, the range of the original
    text it came from (its base and marks), so matches map back to the raw text.
    """
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _INVISIBLE or unicodedata.category(char) == "Cf":
            index += 1
            continue
        end = index + 1
        while end < len(text) and unicodedata.category(text[end])[0] == "M":
            end += 1
        for piece in unicodedata.normalize("NFKC", text[index:end]).casefold():
            out.append(piece)
            origin.append((index, end))
        index = end
    return "".join(out), origin


@lru_cache(maxsize=1024)
def _term_pattern(term: str) -> re.Pattern | None:
    normalised, _ = normalise_with_offsets(term.strip())
    words = normalised.split()
    if not words:
        return None
    # Between the words of a phrase allow any run of whitespace; inside a word,
    # allow the letter-spacing trick "c r o o k" (single spaces/dots/dashes).
    spaced_words = [r"[\s.\-_*]?".join(re.escape(ch) for ch in word) for word in words]
    body = r"\s+".join(f"(?:{spaced})" for spaced in spaced_words)
    # Whole words in every script: a vowel sign or virama next to the term is part of a longer word ("चोरी" is not
    # "चोर"), which \w alone does not see.
    return re.compile(rf"(?<!{WORD_CHAR}){body}(?!{WORD_CHAR})")


def match_terms(text: str, terms: list[str]) -> list[dict]:
    """Every occurrence of any term in text, as {"start", "end", "term"} dicts.

    Case-insensitive, NFKC-normalised and whole-word; zero-width characters and
    letter-spacing ("c r o o k", "c.r.o.o.k") inside a term do not hide it.
    start/end index the original text (half-open).
    """
    if not terms:
        return []
    normalised, origin = normalise_with_offsets(text)
    hits: list[dict] = []
    for term in terms:
        pattern = _term_pattern(term)
        if pattern is None:
            continue
        for match in pattern.finditer(normalised):
            if match.end() == match.start():
                continue
            start = origin[match.start()][0]
            end = origin[match.end() - 1][1]
            hits.append({"start": start, "end": end, "term": term})
    hits.sort(key=lambda hit: (hit["start"], hit["end"]))
    return hits


def author_blocked(email: str | None, ip: str | None, policy: dict) -> str | None:
    """The reason code if the policy blocks this author, else None.

    Codes: "blocked_email", "blocked_email_domain", "blocked_ip".
    """
    if email and _email_blocked(email, policy.get("blocked_emails") or []):
        return "blocked_email"
    if email and _email_domain_blocked(email, policy.get("blocked_email_domains") or []):
        return "blocked_email_domain"
    if ip and _ip_blocked(ip, policy.get("blocked_ip_ranges") or []):
        return "blocked_ip"
    return None


def _canonical_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _email_blocked(email: str, blocked: list[str]) -> bool:
    address = _canonical_email(email)
    return any(address == _canonical_email(entry) for entry in blocked)


def _email_domain_blocked(email: str, blocked_domains: list[str]) -> bool:
    _, _, domain = _canonical_email(email).rpartition("@")
    domain = domain.rstrip(".")
    for entry in blocked_domains:
        blocked = _canonical_email(entry).lstrip("@").lstrip("*.").rstrip(".")
        if blocked and (domain == blocked or domain.endswith("." + blocked)):
            return True
    return False


def _ip_blocked(ip: str, ranges: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    # An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is checked as the IPv4 one.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for entry in ranges:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False
