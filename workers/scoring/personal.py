"""Personal data in comments: phones, emails, Aadhaar, PAN, payment cards, postal addresses.

`personal` is 1.0 when anything is found and 0.0 otherwise: one phone number is
enough to need a moderator, so a graded score would only blur the threshold.
Every hit is a span labelled with its kind so a moderator can redact it.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import luhn, verhoeff
from stdnum.in_ import aadhaar, pan

from service.scoring.jobs import ScoreResult, ScoringInput, Span

CATEGORY = "personal"
MODEL_VERSION = "rules-1"

# --- Aadhaar: 12 digits, optionally 4-4-4 with spaces/dashes. The pattern only finds
# candidates; python-stdnum checks them (first digit 2-9, not a palindrome, Verhoeff check digit).
_AADHAAR = re.compile(r"(?<![\d\w])([2-9]\d{3})([ \-]?)(\d{4})\2(\d{4})(?![\d\w])")


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the rest."""
    return bool(verhoeff.is_valid(digits))


def luhn_valid(digits: str) -> bool:
    """True when the digits pass the Luhn (mod 10) check, as payment card numbers do."""
    return bool(luhn.is_valid(digits))


def _ascii_digits(digits: str) -> str:
    """Any script's decimal digits (the patterns' \\d matches them) as ASCII, which stdnum expects."""
    return "".join(str(int(char)) for char in digits)


# --- PAN: AAAAA9999A. The pattern only finds candidates in free text; python-stdnum
# checks them (the 4th letter is a known holder type, the serial is not 0000).
_PAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{5}[0-9]{4}[A-Z](?![A-Za-z0-9])")

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
        if aadhaar.is_valid(_ascii_digits(match.group(1) + match.group(3) + match.group(4))):
            spans.append(Span(match.start(), match.end(), CATEGORY, "aadhaar"))
    return spans


def _find_cards(text: str) -> list[Span]:
    spans = []
    for match in _CARD.finditer(text):
        digits = _ascii_digits(re.sub(r"\D", "", match.group(0)))
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            spans.append(Span(match.start(), match.end(), CATEGORY, "card"))
    return spans


def _find_pan(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), CATEGORY, "pan") for m in _PAN.finditer(text) if pan.is_valid(m.group(0))]


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
