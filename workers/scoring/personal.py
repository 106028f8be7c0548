"""Personal data in comments: phones, emails, Aadhaar, PAN, payment cards, postal addresses.

`personal` is 1.0 when anything is found and 0.0 otherwise: one phone number is
enough to need a moderator, so a graded score would only blur the threshold.
Every hit is a span labelled with its kind so a moderator can redact it.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from service.scoring.jobs import ScoreResult, ScoringInput, Span

CATEGORY = "personal"
MODEL_VERSION = "rules-1"

# --- Aadhaar: 12 digits, first 2-9, optionally 4-4-4 with spaces/dashes, Verhoeff-valid.
_AADHAAR = re.compile(r"(?<![\d\w])([2-9]\d{3})([ \-]?)(\d{4})\2(\d{4})(?![\d\w])")

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the rest."""
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        checksum = _VERHOEFF_D[checksum][_VERHOEFF_P[position % 8][int(digit)]]
    return checksum == 0


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# --- PAN: AAAAA9999A; the 4th letter is the holder type.
_PAN_HOLDER_TYPES = "ABCFGHJLPT"
_PAN = re.compile(rf"(?<![A-Za-z0-9])[A-Z]{{3}}[{_PAN_HOLDER_TYPES}][A-Z]\d{{4}}[A-Z](?![A-Za-z0-9])")

# --- Payment cards: 13-19 digits, possibly grouped by single spaces or dashes.
_CARD = re.compile(r"(?<![\d\w])\d(?:[ \-]?\d){12,18}(?![\d\w])")

# --- Email: a loose candidate pattern (any script), then checked by email-validator,
# which knows internationalised addresses; no DNS look-up.
_EMAIL_CANDIDATE = re.compile(r"[^\s@<>()\[\],;:\"'`]+@[^\s@<>()\[\],;:\"'`]+\.[^\s@<>()\[\],;:\"'`]+")
_EMAIL_TRAILING = ".!?…-"

# --- Indian postal addresses: a house/flat number or a street-type word near a PIN code.
_PIN_CODE = re.compile(r"(?<![\d\w])[1-9]\d{2}\s?\d{3}(?![\d\w])")
_HOUSE_NUMBER = re.compile(
    r"\b(?:no(?=\.)|h\.?\s?no|house\s+no|flat(?:\s+no)?|door\s+no|plot(?:\s+no)?|d\.?\s?no|apt|apartment|"
    r"#)\.?\s*[:\-]?\s*\d+[\w/\-]*",
    re.IGNORECASE,
)
# Strong markers are rarely anything but an address; weak ones need company.
_STRONG_STREET_WORDS = re.compile(
    r"\b(?:road|rd|street|lane|cross|main\s+road|nagar|layout|colony|sector|marg|gali|"
    r"extension|apartments?|residency|enclave|vihar|puram|halli|palya|pin(?:\s*code)?|pincode)\b\.?",
    re.IGNORECASE,
)
_WEAK_STREET_WORDS = re.compile(
    r"\b(?:st|main|phase|block|stage|chowk|bazaar|circle|taluk|district|dist|post|village|"
    r"near|opp(?:osite)?|floor|building|tower|town|city)\b\.?",
    re.IGNORECASE,
)
_MONEY_CONTEXT = re.compile(r"(?:rs\.?|inr|₹|\$)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:rs|rupees|crores?|lakhs?|/-)", re.IGNORECASE)
_ADDRESS_LOOKBACK = 120  # characters before the PIN in which an address starts


class PersonalDataScorer:
    name = "personal"
    model_version = MODEL_VERSION

    def __init__(self, default_region: str = "IN") -> None:
        self.default_region = default_region

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        return [self.score(item.text) for item in items]

    def score(self, text: str) -> ScoreResult:
        spans = find_personal_data(text, self.default_region)
        return ScoreResult(self.name, self.model_version, {CATEGORY: 1.0 if spans else 0.0}, spans)


def find_personal_data(text: str, default_region: str = "IN") -> list[Span]:
    """All personal-data spans, earliest first; where two overlap the more specific wins."""
    found: list[Span] = []
    # Order matters: earlier finders claim their characters first.
    for finder in (_find_emails, _find_aadhaar, _find_cards, _find_pan):
        found.extend(span for span in finder(text) if not _overlaps_any(span, found))
    found.extend(span for span in _find_phones(text, default_region) if not _overlaps_any(span, found))
    found.extend(span for span in _find_addresses(text) if not _overlaps_any(span, found))
    return sorted(found, key=lambda span: span.start)


def _overlaps_any(span: Span, others: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in others)


def _find_emails(text: str) -> list[Span]:
    spans = []
    for match in _EMAIL_CANDIDATE.finditer(text):
        candidate = match.group(0).rstrip(_EMAIL_TRAILING)
        try:
            validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        spans.append(Span(match.start(), match.start() + len(candidate), CATEGORY, "email"))
    return spans


def _find_aadhaar(text: str) -> list[Span]:
    spans = []
    for match in _AADHAAR.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if verhoeff_valid(digits):
            spans.append(Span(match.start(), match.end(), CATEGORY, "aadhaar"))
    return spans


def _find_cards(text: str) -> list[Span]:
    spans = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            spans.append(Span(match.start(), match.end(), CATEGORY, "card"))
    return spans


def _find_pan(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), CATEGORY, "pan") for m in _PAN.finditer(text)]


def _find_phones(text: str, region: str) -> list[Span]:
    spans = []
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        spans.append(Span(match.start, match.end, CATEGORY, "phone"))
    return spans


def _find_addresses(text: str) -> list[Span]:
    """A PIN code preceded (within one or two lines) by a house number or street words.

    Without such context a 6-digit number is as likely to be an amount or an id.
    """
    spans = []
    for pin in _PIN_CODE.finditer(text):
        if _MONEY_CONTEXT.search(text[: pin.start()]) or _MONEY_AFTER.match(text[pin.end() :]):
            continue
        window_start = max(0, pin.start() - _ADDRESS_LOOKBACK)
        window = text[window_start : pin.start()]
        markers = [m.start() for m in _HOUSE_NUMBER.finditer(window)]
        markers += [m.start() for m in _STRONG_STREET_WORDS.finditer(window)]
        weak = [m.start() for m in _WEAK_STREET_WORDS.finditer(window)]
        if not markers and len(weak) < 2:
            continue
        start = window_start + _address_start(window, min(markers + weak))
        spans.append(Span(start, pin.end(), CATEGORY, "address"))
    return spans


_ADDRESS_LEAD_IN = re.compile(
    r"\b(?:at|in|is|address|lives|stays|staying|living|residing|resides|to|of)\b\s*[:\-]?\s*", re.IGNORECASE
)


def _address_start(window: str, first_marker: int) -> int:
    """Move the span start back to the beginning of the address clause (e.g. to the
    house number or the locality name before "Nagar"), not into the preceding sentence."""
    boundary = max(
        window.rfind(". ", 0, first_marker), window.rfind("\n", 0, first_marker), window.rfind(":", 0, first_marker)
    )
    clause_start = boundary + 1 if boundary >= 0 else 0
    # "He lives at No. 12 ...", "stays in Kadri Road ...": start after the lead-in words.
    lead_ins = list(_ADDRESS_LEAD_IN.finditer(window, clause_start, first_marker))
    if lead_ins:
        clause_start = lead_ins[-1].end()
    # Keep at most the few words directly before the first marker (locality names).
    before = window[clause_start:first_marker]
    words = list(re.finditer(r"\S+", before))
    if len(words) > 4:
        clause_start += words[-4].start()
    while clause_start < len(window) and window[clause_start].isspace():
        clause_start += 1
    return clause_start
