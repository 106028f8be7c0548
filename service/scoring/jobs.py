"""What scoring works on and what it gives back, as plain data shared by the API side and the workers.

A scorer takes a batch of texts (with optional article context) and returns,
for each, per-category scores in [0, 1] and evidence spans. Every result names
the scorer and its model version so a decision can say what produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ScoringInput:
    text: str
    article_title: str = ""
    article_body: str = ""
    language: str | None = None


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) into the scored text."""

    start: int
    end: int
    category: str
    label: str = ""  # e.g. "target", "allegation", "phone", "email"

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "category": self.category, "label": self.label}


@dataclass
class ScoreResult:
    scorer: str
    model_version: str
    scores: dict[str, float]
    spans: list[Span] = field(default_factory=list)
    # Set by a scorer that detects the language (a BCP 47 tag: "en", "hi", "hi-Latn", "kn", "kn-Latn", "und");
    # the first one set is stored as comments.detected_language.
    detected_language: str | None = None


class Scorer(Protocol):
    name: str
    model_version: str

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]: ...


@dataclass
class ScoringJob:
    """What the scorers need to know about one claimed comment revision."""

    comment_id: str
    revision: int
    text: str
    article_title: str
    article_body: str
    language: str | None
    policy: dict
    # Only these categories' scorers run (an analyze request that names its categories); None: every scorer.
    categories: frozenset[str] | None = None
