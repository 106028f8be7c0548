"""The score categories the scorers really output: the one registry of them.

A policy threshold, a queue filter or a mapping from another service's attributes (e.g. Perspective's)
may only name a category listed here. Each is emitted by a scorer under workers/scoring/; the content
rules (service/decisions/content_rules.py) give reason codes, never categories. A scorer that starts
emitting a new category adds it here, with its default thresholds in config/policy.default.json.

Scores of any other category (an official Detoxify model also returns severe_toxicity, obscene, threat,
insult, identity_attack and sexual_explicit) are stored with the comment but never decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    scorer: str  # the scorer (ScoreResult.scorer) that emits it
    description: str
    abuse: bool = False  # evidence spans of it are abuse evidence
    legal: bool = False  # at or over its review threshold: the legal queue, never approved automatically

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "scorer": self.scorer,
            "description": self.description,
            "abuse": self.abuse,
            "legal": self.legal,
        }


CATEGORIES: dict[str, Category] = {
    category.name: category
    for category in (
        Category(
            "toxicity",
            "detoxify",
            "Abusive, insulting, obscene or threatening language (the abuse model); spans mark the abuse",
            abuse=True,
        ),
        Category(
            "defamation",
            "defamation",
            "A specific, named person or organisation plus an allegation stated as fact",
            legal=True,
        ),
        Category("personal", "personal", "Personal data: phone numbers, emails, Aadhaar, PAN, cards, postal addresses"),
        Category("spam", "spam", "Links over the policy's cap, link shorteners, the same text repeated"),
        Category("infringing", "verbatim-copy", "A long verbatim copy of the article"),
    )
}

# The names, in a fixed order: what policies, the API and mappings from other services may use.
SCORED_CATEGORIES: tuple[str, ...] = tuple(CATEGORIES)
ABUSE_CATEGORIES: frozenset[str] = frozenset(name for name, c in CATEGORIES.items() if c.abuse)
LEGAL_CATEGORIES: frozenset[str] = frozenset(name for name, c in CATEGORIES.items() if c.legal)


def is_scored(name: object) -> bool:
    return isinstance(name, str) and name in CATEGORIES


def available() -> str:
    """The categories, for error messages: "toxicity, defamation, personal, spam, infringing"."""
    return ", ".join(SCORED_CATEGORIES)
