"""The seed comment policy as plain functions over plain data.

"Please write your correct name and email address ... You have 2000
characters left." Each check returns an error code or None, so the intake
schema, the tests and any other caller share one definition of the rules.
"""

from __future__ import annotations

import copy
import ipaddress
import unicodedata

from email_validator import EmailNotValidError, validate_email

# Characters that render as nothing: a text made only of these is blank.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}


def merged_policy(defaults: dict, overrides: dict | None) -> dict:
    """A publisher's effective policy: defaults overlaid with its overrides (thresholds per category)."""
    policy = copy.deepcopy(defaults)
    for key, value in (overrides or {}).items():
        if key == "thresholds":
            for category, limits in value.items():
                policy["thresholds"].setdefault(category, {}).update(limits)
        else:
            policy[key] = value
    return policy


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
    try:
        validate_email(email.strip(), check_deliverability=False, allow_smtputf8=True)
    except (EmailNotValidError, UnicodeError, ValueError):
        return "invalid_email"
    return None


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except (EmailNotValidError, UnicodeError, ValueError):
        return email.strip()


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
        ipaddress.ip_address(ip.strip())
    except ValueError:
        return "invalid_ip"
    return None
