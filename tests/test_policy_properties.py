"""Hypothesis tests of the seed policy validators on Unicode edge cases."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from service import policy

COMBINING = st.sampled_from(["\u0301", "\u0308", "\u0327", "\u0903", "\u094d"])
INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
BIDI = st.sampled_from(["\u202e", "\u202d", "\u2066", "\u2067", "\u200f"])


@given(st.text(min_size=1, max_size=2000).filter(lambda t: not policy.is_blank(t)))
def test_text_within_the_limit_is_accepted(text):
    if policy.code_points(text) <= 2000:
        assert policy.check_text(text, 2000) is None
    else:
        assert policy.check_text(text, 2000) == "text_too_long"


@given(st.integers(min_value=1, max_value=2000), st.characters(categories=["L"]))
def test_exactly_2000_code_points_pass_and_2001_fail(length, letter):
    assert policy.check_text(letter * length, 2000) is None or policy.code_points(letter * length) > 2000
    text = "a" * 2000
    assert policy.check_text(text, 2000) is None
    assert policy.check_text(text + "b", 2000) == "text_too_long"


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=500), COMBINING)
@example("\u1ec6", "\u0327")  # "Ệ" + cedilla: NFC reorders the marks and gives 3 code points, not 2
def test_combining_marks_count_after_nfc(base, mark):
    text = "".join(ch + mark for ch in base)
    # NFC usually shortens a letter + mark, but not always (above), so the count is NFC's, not a bound.
    assert policy.code_points(text) == len(unicodedata.normalize("NFC", text))


@given(st.lists(INVISIBLE | st.sampled_from([" ", "\n", "\t", "\u00a0", "\u3000"]), min_size=1, max_size=50))
def test_whitespace_and_zero_width_only_is_blank(chars):
    text = "".join(chars)
    assert policy.check_text(text, 2000) == "text_required"
    assert policy.check_name(text) == "name_required"


@given(st.text(min_size=1, max_size=40), BIDI, INVISIBLE)
def test_bidi_overrides_and_invisible_characters_never_crash(text, bidi, invisible):
    for value in (bidi + text, text + invisible, invisible + bidi + text):
        assert policy.check_text(value, 2000) in (None, "text_required", "text_too_long")
        assert policy.check_name(value) in (None, "name_required", "name_invalid")
        assert policy.check_email(value) in (None, "email_required", "invalid_email")
        assert policy.check_ip(value) in (None, "invalid_ip")


@given(st.text(max_size=60))
def test_validators_are_total_on_any_text_including_nul_and_surrogates(text):
    for value in (text, text + "\x00", "\ud800" + text):
        policy.check_text(value, 2000)
        policy.check_name(value)
        policy.check_email(value)
        policy.check_ip(value)


@given(st.text(alphabet=st.characters(categories=["Nd", "P", "S"]), min_size=1, max_size=100))
def test_names_of_only_digits_punctuation_or_symbols_are_invalid(name):
    if not policy.is_blank(name):
        assert policy.check_name(name) == "name_invalid"


@given(
    st.sampled_from(["ravi@उदाहरण.भारत", "रवि@example.in", "用户@例子.广告", "josé@bücher.de", "ravi@xn--p1ai.example"])
)
def test_internationalised_emails_are_valid(email):
    assert policy.check_email(email) is None


@given(st.sampled_from(["ravi@", "@example.in", "ravi@@example.in", "ravi example.in", "ravi@exa mple.in", "ravi@.in"]))
def test_malformed_emails_are_invalid(email):
    assert policy.check_email(email) == "invalid_email"


@given(st.ip_addresses())
def test_every_ip_address_is_accepted(address):
    assert policy.check_ip(str(address)) is None
