"""Blocked/suspect terms and blocked authors (service/content_rules.py)."""

from __future__ import annotations

import pytest

from service.decisions.content_rules import author_blocked, match_terms


def matched(text: str, terms: list[str]) -> list[str]:
    return [text[hit["start"] : hit["end"]] for hit in match_terms(text, terms)]


def test_case_insensitive_whole_words():
    text = "You CROOK, crooked Crook!"
    assert matched(text, ["crook"]) == ["CROOK", "Crook"]
    assert [hit["term"] for hit in match_terms(text, ["crook"])] == ["crook", "crook"]


def test_phrases_tolerate_extra_whitespace():
    assert matched("this is fake \n  news", ["fake news"]) == ["fake \n  news"]


def test_zero_width_characters_and_letter_spacing_do_not_hide_a_term():
    assert matched("what a c\u200br\u200bo\u200bo\u200bk", ["crook"]) == ["c\u200br\u200bo\u200bo\u200bk"]
    assert matched("what a c r o o k", ["crook"]) == ["c r o o k"]
    assert matched("what a c.r.o.o.k", ["crook"]) == ["c.r.o.o.k"]


def test_nfkc_normalisation():
    assert matched("ｃｒｏｏｋ here", ["crook"]) == ["ｃｒｏｏｋ"]
    assert matched("the ﬁxer", ["fixer"]) == ["ﬁxer"]


def test_non_latin_terms():
    assert matched("ಇವನು ಕಳ್ಳ ನೋಡಿ", ["ಕಳ್ಳ"]) == ["ಕಳ್ಳ"]


def test_no_terms_or_blank_terms():
    assert match_terms("anything", []) == []
    assert match_terms("anything", ["  "]) == []


@pytest.mark.parametrize(
    "email, ip, expected",
    [
        ("spammer@bad.example", "203.0.113.7", "blocked_email"),
        ("SPAMMER@Bad.Example", "203.0.113.7", "blocked_email"),
        ("anyone@junkmail.in", "203.0.113.7", "blocked_email_domain"),
        ("anyone@mx.junkmail.in", "203.0.113.7", "blocked_email_domain"),
        ("anyone@notjunkmail.in", "203.0.113.7", None),
        ("ravi@example.in", "198.51.100.77", "blocked_ip"),
        ("ravi@example.in", "::ffff:198.51.100.9", "blocked_ip"),
        ("ravi@example.in", "2001:db8:abcd::1", "blocked_ip"),
        ("ravi@example.in", "2001:db9::1", None),
        ("ravi@example.in", "203.0.113.7", None),
        ("ravi@example.in", "not-an-ip", None),
        (None, None, None),
    ],
)
def test_author_blocked(email, ip, expected):
    policy = {
        "blocked_emails": ["spammer@bad.example"],
        "blocked_email_domains": ["junkmail.in"],
        "blocked_ip_ranges": ["198.51.100.0/24", "2001:db8::/32", "garbage"],
    }
    assert author_blocked(email, ip, policy) == expected


def test_empty_policy_blocks_nobody():
    assert author_blocked("a@b.in", "10.0.0.1", {}) is None


def test_whole_words_in_kannada_and_devanagari_include_their_vowel_signs():
    """A bare \\w does not match a vowel sign or a virama: "चोर" (thief) was found in "चोरी" (theft), "ಮಗ" in "ಮಗು"."""
    assert matched("घर में चोरी हुई", ["चोर"]) == []
    assert matched("ಮಗು ಅಳುತ್ತಿದೆ", ["ಮಗ"]) == []
    assert matched("सुअर", ["अर"]) == []
    assert matched("वो चोर है", ["चोर"]) == ["चोर"]
    assert matched("ಮಗ ಬಂದ", ["ಮಗ"]) == ["ಮಗ"]
    assert matched("ನೀನು ಹುಚ್ಚ।", ["ಹುಚ್ಚ"]) == ["ಹುಚ್ಚ"]  # a danda ends a word


def test_a_decomposed_text_or_term_is_read_as_the_composed_one():
    decomposed = "\u0c95\u0cbf\u0cd5\u0cb3\u0cc1"  # ಕ, ಿ, ೕ, ಳ, ು: what some keyboards type for ಕೀಳು
    assert matched(f"ನೀನು {decomposed} ಮನುಷ್ಯ", ["ಕೀಳು"]) == [decomposed]  # the span covers every mark
    assert matched("ನೀನು ಕೀಳು ಮನುಷ್ಯ", [decomposed]) == ["ಕೀಳು"]
    assert matched("a cafe\u0301 crook", ["café"]) == ["cafe\u0301"]
