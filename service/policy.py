"""The seed comment policy as plain functions over plain data, and a publisher's effective policy: its
overrides merged over the defaults, the thresholds that apply to a comment's languages, and the checks
that set-policy (CLI and API) runs on new overrides.

"Please write your correct name and email address ... You have 2000
characters left." Each check returns an error code or None, so the intake
schema, the tests and any other caller share one definition of the rules.
"""

from __future__ import annotations

import copy
import ipaddress
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from service.scoring.categories import CATEGORIES, available
from service.strings import storable

# Characters that render as nothing: a text made only of these is blank.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}


def merged_policy(defaults: dict, overrides: dict | None) -> dict:
    """A publisher's effective policy: defaults overlaid with its overrides (thresholds per category).

    Only the scored categories (service.scoring.categories) keep thresholds: a stored override, or a
    default, that names any other category is ignored (`ignored_overrides` lists them), and so are
    per-language overrides that are not thresholds of a scored category or whose tag is malformed.
    """
    policy = copy.deepcopy(defaults)
    policy["thresholds"] = _scored_thresholds(policy.get("thresholds"))
    policy["languages"] = _scored_languages(policy.get("languages"))
    for key, value in (overrides or {}).items():
        if key == "thresholds":
            _merge_thresholds(policy["thresholds"], _scored_thresholds(value))
        elif key == "languages":
            for tag, block in _scored_languages(value).items():
                _merge_thresholds(
                    policy["languages"].setdefault(tag, {"thresholds": {}})["thresholds"], block["thresholds"]
                )
        else:
            policy[key] = value
    return policy


def _merge_thresholds(into: dict, thresholds: dict) -> None:
    for category, limits in thresholds.items():
        into.setdefault(category, {}).update(limits)


def _scored_thresholds(thresholds) -> dict:
    if not isinstance(thresholds, dict):
        return {}
    return {
        category: {kind: value for kind, value in limits.items() if kind in THRESHOLD_KINDS and _is_threshold(value)}
        for category, limits in thresholds.items()
        if category in CATEGORIES and isinstance(limits, dict)
    }


def _is_threshold(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1)


def _scored_languages(languages) -> dict:
    """Per-language overrides, keyed by their lower-case tag, with only the thresholds of scored categories."""
    if not isinstance(languages, dict):
        return {}
    kept = {}
    for tag, block in languages.items():
        if isinstance(tag, str) and LANGUAGE_TAG.fullmatch(tag) and isinstance(block, dict):
            kept[tag.lower()] = {"thresholds": _scored_thresholds(block.get("thresholds"))}
    return kept


def ignored_overrides(overrides: dict | None) -> list[str]:
    """Stored overrides that merged_policy ignores: thresholds of categories no scorer outputs (an older
    default policy had them), as paths like "thresholds.threat" or "languages.kn.thresholds.insult"."""
    ignored: list[str] = []
    if not isinstance(overrides, dict):
        return ignored

    def thresholds(value, prefix: str) -> None:
        if isinstance(value, dict):
            ignored.extend(f"{prefix}.{category}" for category in value if category not in CATEGORIES)

    thresholds(overrides.get("thresholds"), "thresholds")
    languages = overrides.get("languages")
    if isinstance(languages, dict):
        for tag, block in languages.items():
            if not (isinstance(tag, str) and LANGUAGE_TAG.fullmatch(tag)):
                ignored.append(f"languages.{tag}")
            elif isinstance(block, dict):
                thresholds(block.get("thresholds"), f"languages.{tag}.thresholds")
    return ignored


# -- per-language thresholds ------------------------------------------------------------------------

THRESHOLD_KINDS = ("review", "reject")
# The shape of a BCP 47 tag as policies use it: a language (2-3 letters, or "und"), then optionally a
# script (4 letters) and a region (2 letters or 3 digits): "kn", "hi-Latn", "kn-IN", "hi-Latn-IN".
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?")
_NEVER = float("inf")  # a null reject threshold: never rejects


def language_lookup(tag: str | None) -> list[str]:
    """The policy keys a comment's language tag matches, most specific first (RFC 4647 lookup, case-insensitive):
    "hi-Latn-IN" → ["hi-latn-in", "hi-latn", "hi"]."""
    if not tag or not isinstance(tag, str):
        return []
    subtags = tag.strip().lower().replace("_", "-").split("-")
    return ["-".join(subtags[:n]) for n in range(len(subtags), 0, -1) if subtags[n - 1]]


@dataclass(frozen=True)
class Threshold:
    value: float | None
    language: str | None = None  # the `languages` key it came from; None: the publisher's thresholds


def effective_thresholds(policy: dict, languages: Iterable[str | None] = ()) -> dict[str, dict[str, Threshold]]:
    """The review and reject threshold of each category for a comment in these languages.

    `languages` are the comment's tags: the one the publisher sent and the one the scorers detected (either
    may be None). For each tag, a threshold is the one its most specific `languages` entry sets ("kn-Latn",
    then "kn"), or else the publisher's own; when the tags call for different thresholds, the stricter one
    applies (the lower; a null reject threshold, which never rejects, is the most lenient).
    """
    base = policy.get("thresholds") or {}
    per_language = policy.get("languages") or {}
    tags = [tag for tag in dict.fromkeys(languages) if tag]
    named = {category for block in per_language.values() for category in (block or {}).get("thresholds") or {}}

    def for_tag(tag: str, category: str, kind: str) -> Threshold:
        for key in language_lookup(tag):  # the most specific entry that sets it
            limits = ((per_language.get(key) or {}).get("thresholds") or {}).get(category)
            if isinstance(limits, dict) and kind in limits:
                return Threshold(limits[kind], key)
        return Threshold((base.get(category) or {}).get(kind))

    result: dict[str, dict[str, Threshold]] = {}
    for category in [*base, *sorted(named - set(base))]:
        result[category] = {}
        for kind in THRESHOLD_KINDS:
            options = [for_tag(tag, category, kind) for tag in tags] or [
                Threshold((base.get(category) or {}).get(kind))
            ]
            result[category][kind] = min(options, key=_strictness)  # the first of equals: the publisher's tag
    return result


def _strictness(threshold: Threshold) -> float:
    return _NEVER if threshold.value is None else float(threshold.value)


# -- checking a publisher's overrides ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyProblem:
    field: str | None
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


class PolicyInvalid(ValueError):
    """Overrides that set-policy refuses; `problems` lists every one."""

    def __init__(self, problems: list[PolicyProblem]):
        super().__init__("; ".join(f"{p.field or 'policy'}: {p.message}" for p in problems))
        self.problems = problems


def check_overrides(overrides, defaults: dict) -> None:
    """Raise PolicyInvalid listing every problem of a publisher's policy overrides, or return."""
    problems = policy_problems(overrides, defaults)
    if problems:
        raise PolicyInvalid(problems)


def policy_problems(overrides, defaults: dict) -> list[PolicyProblem]:
    """Every problem of a publisher's overrides: the keys and types of the default policy, thresholds only
    for scored categories, and per-language thresholds under well-formed language tags."""
    if not isinstance(overrides, dict):
        return [PolicyProblem(None, "invalid_type", "The policy overrides must be a JSON object.")]
    defaults = merged_policy(defaults, None)  # thresholds and languages are known keys, whatever the file has
    problems: list[PolicyProblem] = []
    keys = sorted(key for key in defaults if key != "version")
    for key, value in overrides.items():
        if key == "version" or key not in defaults:
            problems.append(
                PolicyProblem(key, "unknown_field", f"Unknown policy key {key!r}; the keys are: {', '.join(keys)}.")
            )
        elif key == "thresholds":
            problems += _threshold_problems(value, "thresholds")
        elif key == "languages":
            problems += _language_problems(value)
        else:
            problems += _value_problems(key, value, defaults[key])
    return problems


def _value_problems(key: str, value, default) -> list[PolicyProblem]:
    expected = type(default)
    if expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if ok and expected is list:
        ok = all(isinstance(item, str) for item in value)
    if not ok:
        kind = (
            "a list of strings"
            if expected is list
            else {bool: "true or false", int: "an integer", float: "a number", str: "a string", dict: "an object"}.get(
                expected, expected.__name__
            )
        )
        return [PolicyProblem(key, "invalid_type", f"{key} must be {kind}.")]
    if expected is list:
        return _list_problems(key, value)
    if expected in (int, float):
        low, high = _RANGES.get(key, (-math.inf, math.inf))
        if not (math.isfinite(value) and low <= value <= high):
            return [PolicyProblem(key, "out_of_range", f"{key} must be between {low:g} and {high:g}.")]
    return []


# The numbers' ranges: beyond them a value is a mistake, and some would stop the scoring of a batch (a window of
# 10**11 seconds is no date).
_RANGES = {
    "max_length": (1, 60000),
    "max_links": (0, 10000),
    "duplicate_window_seconds": (0, 366 * 86400),
    "duplicate_min_words": (1, 10000),
    "verbatim_copy_min_words": (1, 10000),
    "author_rejection_rate_threshold": (0, 1),
}
MAX_LIST_ITEMS = 10000
MAX_LIST_ITEM_CHARS = 320


def _list_problems(key: str, items: list[str]) -> list[PolicyProblem]:
    if len(items) > MAX_LIST_ITEMS:
        return [PolicyProblem(key, "too_many_items", f"{key} holds at most {MAX_LIST_ITEMS} items.")]
    problems = []
    for index, item in enumerate(items):
        field = f"{key}.{index}"
        if not item.strip() or len(item) > MAX_LIST_ITEM_CHARS:
            problems.append(PolicyProblem(field, "invalid_length", f"Must be 1 to {MAX_LIST_ITEM_CHARS} characters."))
        elif not storable(item):
            problems.append(
                PolicyProblem(field, "invalid_characters", "Contains NUL, control characters or lone surrogates.")
            )
        elif key == "blocked_ip_ranges" and ip_network_or_none(item) is None:
            problems.append(
                PolicyProblem(field, "invalid_ip_range", "Must be an IP address or a CIDR range (203.0.113.0/24).")
            )
    return problems


def ip_network_or_none(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """An address or CIDR range, never a scoped one ("fe80::%eth0/64": an interface of one machine)."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
    return network if getattr(network.network_address, "scope_id", None) is None else None


def _threshold_problems(thresholds, prefix: str) -> list[PolicyProblem]:
    if not isinstance(thresholds, dict):
        return [PolicyProblem(prefix, "invalid_type", "thresholds must be an object of categories.")]
    problems = []
    for category, limits in thresholds.items():
        field = f"{prefix}.{category}"
        if category not in CATEGORIES:
            problems.append(
                PolicyProblem(
                    field,
                    "unknown_category",
                    f"No scorer outputs the category {category!r}; the categories are: {available()}.",
                )
            )
            continue
        if not isinstance(limits, dict):
            problems.append(
                PolicyProblem(field, "invalid_type", "A category's thresholds are an object: review, reject.")
            )
            continue
        for kind, value in limits.items():
            if kind not in THRESHOLD_KINDS:
                problems.append(PolicyProblem(f"{field}.{kind}", "unknown_field", "A threshold is review or reject."))
            elif value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
            ):
                problems.append(
                    PolicyProblem(
                        f"{field}.{kind}", "invalid_threshold", "A threshold is a number from 0 to 1, or null."
                    )
                )
    return problems


def _language_problems(languages) -> list[PolicyProblem]:
    if not isinstance(languages, dict):
        return [PolicyProblem("languages", "invalid_type", "languages must be an object keyed by language tag.")]
    problems = []
    seen: dict[str, str] = {}
    for tag, block in languages.items():
        field = f"languages.{tag}"
        if not LANGUAGE_TAG.fullmatch(tag):
            problems.append(
                PolicyProblem(
                    field,
                    "invalid_language",
                    "A language is a BCP 47 tag: a language code, then optionally a script and a region, "
                    'like "kn", "hi-Latn" or "kn-IN".',
                )
            )
            continue
        if tag.lower() in seen:
            problems.append(
                PolicyProblem(
                    field, "duplicate_language", f"The same language as {seen[tag.lower()]!r} (tags ignore case)."
                )
            )
            continue
        seen[tag.lower()] = tag
        if not isinstance(block, dict):
            problems.append(
                PolicyProblem(field, "invalid_type", 'A language\'s overrides are an object: {"thresholds": {...}}.')
            )
            continue
        for key, value in block.items():
            if key != "thresholds":
                problems.append(
                    PolicyProblem(f"{field}.{key}", "unknown_field", "A language may override only its thresholds.")
                )
            else:
                problems += _threshold_problems(value, f"{field}.thresholds")
    return problems


def code_points(text: str) -> int:
    """Length as the policy counts it: Unicode code points after NFC normalisation."""
    return len(unicodedata.normalize("NFC", text))


def is_blank(text: str) -> bool:
    return all(ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) == "Cf" for ch in text)


def check_name(name: str | None) -> str | None:
    if name is None or is_blank(name):
        return "name_required"
    trimmed = name.strip()
    if len(trimmed) > 100:
        return "name_invalid"
    if not any(unicodedata.category(ch)[0] in "LM" for ch in trimmed):
        return "name_invalid"  # only punctuation, digits or symbols
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in trimmed):
        return "name_invalid"
    return None


def check_email(email: str | None) -> str | None:
    if email is None or is_blank(email):
        return "email_required"
    return _email_verdict(email)[0]


def normalise_email(email: str) -> str:
    """The address as email-validator normalises it; a bad one only trimmed."""
    return _email_verdict(email)[1]


@lru_cache(maxsize=4096)  # authors come back, and a full address check costs more than the rest of the schema
def _email_verdict(email: str) -> tuple[str | None, str]:
    """One parse for both the check and the normalised form: (error code or None, address)."""
    try:
        return None, validate_email(email.strip(), check_deliverability=False, allow_smtputf8=True).normalized
    except (EmailNotValidError, UnicodeError, ValueError):
        return "invalid_email", email.strip()


def check_text(text: str | None, max_length: int) -> str | None:
    if text is None or is_blank(text):
        return "text_required"
    if code_points(text) > max_length:
        return "text_too_long"
    return None


def check_ip(ip: str | None) -> str | None:
    if ip is None:
        return "invalid_ip"
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "invalid_ip"
    # A zone ID ("fe80::1%eth0") names an interface of the sender's own machine: no use to an authority, and of
    # any length.
    if getattr(address, "scope_id", None) is not None:
        return "invalid_ip"
    return None


# -- views ------------------------------------------------------------------------------------------


def policy_report(defaults: dict, overrides: dict | None) -> dict:
    """A publisher's policy as the admin API and `kavalu publishers show` give it."""
    return {
        "overrides": overrides or {},
        "effective": merged_policy(defaults, overrides),
        "ignored_overrides": ignored_overrides(overrides),
    }


def category_list(defaults: dict) -> list[dict]:
    """The scored categories, each with its default thresholds."""
    thresholds = merged_policy(defaults, None)["thresholds"]
    return [
        {
            **category.to_dict(),
            "default_thresholds": {kind: (thresholds.get(name) or {}).get(kind) for kind in THRESHOLD_KINDS},
        }
        for name, category in CATEGORIES.items()
    ]
