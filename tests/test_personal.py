"""Personal data scorer: phones, emails, Aadhaar, PAN, cards, addresses, with redactable spans."""

from __future__ import annotations

import random

import pytest

from service.scoring.jobs import ScoringInput
from workers.scoring.personal import PersonalDataScorer, find_personal_data, luhn_valid, verhoeff_valid

scorer = PersonalDataScorer()


def hits(text: str) -> list[tuple[str, str]]:
    return [(span.label, text[span.start : span.end]) for span in find_personal_data(text)]


def valid_aadhaar(seed: int) -> str:
    rng = random.Random(seed)
    while True:
        digits = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        if verhoeff_valid(digits):
            return digits


def test_verhoeff_known_values():
    assert verhoeff_valid("2363")  # 236 + check digit 3, the textbook example
    assert not verhoeff_valid("2364")


def test_luhn_known_values():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    "text, number",
    [
        ("call me on 9876543210 tonight", "9876543210"),
        ("WhatsApp +91 98450 12345 for details", "+91 98450 12345"),
        ("office: 0824-2441234", "0824-2441234"),
        ("my number is 098450 12345", "098450 12345"),
    ],
)
def test_indian_phone_numbers(text, number):
    assert ("phone", number) in hits(text)


def test_email_addresses():
    text = "write to ravi.kumar+news@example.co.in or to पत्र@उदाहरण.भारत"
    found = hits(text)
    assert ("email", "ravi.kumar+news@example.co.in") in found
    assert ("email", "पत्र@उदाहरण.भारत") in found


def test_aadhaar_spaced_and_plain_with_valid_check_digit():
    number = valid_aadhaar(1)
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    assert hits(f"aadhaar {spaced} please verify") == [("aadhaar", spaced)]
    assert hits(f"aadhaar no {number}") == [("aadhaar", number)]


def test_aadhaar_with_bad_check_digit_or_leading_digit_is_ignored():
    number = valid_aadhaar(2)
    wrong_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not any(label == "aadhaar" for label, _ in hits(f"id {wrong_check}"))
    assert not any(label == "aadhaar" for label, _ in hits("id 1234 5678 9012"))


def test_pan_requires_a_valid_holder_type():
    assert hits("PAN is ABCPE1234F.") == [("pan", "ABCPE1234F")]
    assert hits("code ABCXE1234F") == []  # X is not a holder type


def test_card_numbers_must_pass_luhn():
    assert hits("card 4111 1111 1111 1111 exp 12/29") == [("card", "4111 1111 1111 1111")]
    assert hits("card 5500-0000-0000-0004") == [("card", "5500-0000-0000-0004")]
    assert not any(label == "card" for label, _ in hits("card 4111 1111 1111 1112"))


def test_postal_address_with_house_number_street_and_pin():
    text = "He lives at No. 12, 3rd Cross, Vidyaranya Nagar, Mysuru 570008. Go and ask him."
    assert hits(text) == [("address", "No. 12, 3rd Cross, Vidyaranya Nagar, Mysuru 570008")]


def test_postal_address_with_flat_and_spaced_pin():
    text = "Flat 402, Sunrise Apartments, Kadri Road, Mangaluru - 575 002"
    assert hits(text) == [("address", text)]


@pytest.mark.parametrize(
    "text",
    [
        "The project cost Rs 450000 and 560001 people voted.",
        "Sensex closed at 75,000 today; 2,40,000 crore wiped out.",
        "India won by 6 wickets, great match!",
        "Meeting on 12/05/2026 at 10:30.",
        "The PIN of the article is wrong, says the main road committee of 2019.",
    ],
)
def test_ordinary_numbers_are_not_personal_data(text):
    assert hits(text) == []


def test_score_and_spans_for_redaction():
    text = "Contact Suresh at 9876543210 or suresh@example.com"
    result = scorer.score_batch([ScoringInput(text), ScoringInput("Nice article")])
    assert result[0].scores == {"personal": 1.0}
    assert result[1].scores == {"personal": 0.0} and result[1].spans == []
    assert [span.label for span in result[0].spans] == ["phone", "email"]
    assert all(span.category == "personal" for span in result[0].spans)
    redacted = text
    for span in sorted(result[0].spans, key=lambda s: -s.start):
        redacted = redacted[: span.start] + "█" * (span.end - span.start) + redacted[span.end :]
    assert "9876543210" not in redacted and "example.com" not in redacted
