"""Hypothesis tests of the seed policy validators on Unicode edge cases, and of publishers' policy overrides."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from service import policy
from service.decisions.engine import apply_policy
from service.scoring.categories import SCORED_CATEGORIES

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


# -- publishers' overrides: thresholds, categories, languages -------------------------------------------

DEFAULTS = json.loads((Path(__file__).resolve().parents[1] / "config/policy.default.json").read_text())
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
OVERRIDE_KEYS = st.sampled_from(["thresholds", "languages", "max_length", "blocked_terms", "premoderation", "x"])
CATEGORY_NAMES = st.sampled_from([*SCORED_CATEGORIES, "threat", "insult", "made_up"])
THRESHOLD_VALUES = st.none() | st.floats(min_value=0, max_value=1) | st.floats() | st.booleans() | st.text(max_size=3)
THRESHOLDS = st.dictionaries(
    CATEGORY_NAMES, st.dictionaries(st.sampled_from(["review", "reject", "revew"]), THRESHOLD_VALUES, max_size=2)
)
TAGS = st.from_regex(r"[a-zA-Z]{1,4}(-[a-zA-Z0-9]{1,5}){0,3}", fullmatch=True) | st.text(max_size=6)
OVERRIDES = st.dictionaries(
    OVERRIDE_KEYS,
    JSON_VALUES | THRESHOLDS | st.dictionaries(TAGS, st.fixed_dictionaries({"thresholds": THRESHOLDS}), max_size=3),
    max_size=4,
)


@given(OVERRIDES, st.lists(st.none() | TAGS, max_size=2), st.floats(min_value=0, max_value=1))
def test_any_stored_overrides_merge_and_decide_without_crashing(overrides, languages, score):
    """Stored overrides may predate any check (or name removed categories): reading them never fails, and
    only the scored categories ever keep thresholds."""
    merged = policy.merged_policy(DEFAULTS, overrides)
    assert set(merged["thresholds"]) <= set(SCORED_CATEGORIES)
    for block in merged["languages"].values():
        assert set(block["thresholds"]) <= set(SCORED_CATEGORIES)
    thresholds = policy.effective_thresholds(merged, languages)
    assert set(thresholds) <= set(SCORED_CATEGORIES)
    verdict = apply_policy(
        scores=dict.fromkeys([*SCORED_CATEGORIES, "threat"], score),
        sources={},
        rule_hits=[],
        policy=merged,
        language=languages[0] if languages else None,
        detected_language=languages[-1] if languages else None,
    )
    assert {reason["code"] for reason in verdict.reasons} <= set(SCORED_CATEGORIES)
    policy.ignored_overrides(overrides)


@given(OVERRIDES)
def test_overrides_that_pass_the_check_are_what_the_merged_policy_applies(overrides):
    problems = policy.policy_problems(overrides, DEFAULTS)
    assert all(p.code and p.message for p in problems)
    if problems:
        return
    assert policy.ignored_overrides(overrides) == []
    merged = policy.merged_policy(DEFAULTS, overrides)
    for category, limits in (overrides.get("thresholds") or {}).items():
        for kind, value in limits.items():
            assert merged["thresholds"][category][kind] == value
    for tag, block in (overrides.get("languages") or {}).items():
        assert merged["languages"][tag.lower()]["thresholds"].keys() >= block["thresholds"].keys()


@given(st.sampled_from(["kn", "kn-Latn", "hi-Latn-IN", "und", "en-GB", "es-419"]), st.sampled_from(["", "-x"]))
def test_a_tag_looks_up_its_prefixes(tag, suffix):
    keys = policy.language_lookup(tag + suffix)
    assert keys[-1] == tag.split("-")[0].lower() and tag.lower() in keys
    assert bool(policy.LANGUAGE_TAG.fullmatch(tag)) and not policy.LANGUAGE_TAG.fullmatch(tag + "_" + suffix)
