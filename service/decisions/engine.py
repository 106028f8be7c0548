"""The decision engine: scores, rule outcomes and a publisher's policy in, a verdict out.

A pure function, shared by the scoring worker and the review flow, so that both
apply exactly the same thresholds. It knows nothing of Flask, the database or
Celery.

Precedence: rejected > legal_review > review > approved.

- rejected: any rule hit with effect "reject" (blocked term, banned author), or
  any category score at or above its reject threshold (a null reject threshold
  never auto-rejects).
- legal_review: a rule hit with effect "legal_review", or defamation at or above
  its review threshold. Defamation risk is never auto-approved, not even for a
  trusted author.
- review: a rule hit with effect "review", or any category score at or above its
  review threshold (and below its reject threshold). A trusted author skips
  score-based review; review-effect rules still apply to them (suspect terms
  "always" go to review), so a caller that wants trusted authors to bypass
  e.g. pre-moderation simply does not emit that RuleHit for them.
- approved: otherwise.

Thresholds are the publisher's, for the scored categories only (service.scoring.categories); a
comment's languages (the tag the publisher sent and the one the scorers detected) can replace them
through the policy's `languages` overrides (service.policy.effective_thresholds), and a reason whose
threshold came from one names that language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from service.policy import Threshold, effective_thresholds
from service.scoring import categories

APPROVED = "approved"
REVIEW = "review"
LEGAL_REVIEW = "legal_review"
REJECTED = "rejected"

RuleEffect = Literal["reject", "review", "legal_review"]

# Categories whose review threshold sends a comment to the legal queue.
LEGAL_CATEGORIES = categories.LEGAL_CATEGORIES

_STATUS_BY_EFFECT = {"reject": REJECTED, "legal_review": LEGAL_REVIEW, "review": REVIEW}
_PRECEDENCE = {APPROVED: 0, REVIEW: 1, LEGAL_REVIEW: 2, REJECTED: 3}


@dataclass(frozen=True)
class RuleHit:
    """A rule outcome computed elsewhere, e.g. RuleHit("blocked_term", "reject", "crook")."""

    code: str
    effect: RuleEffect
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.effect not in _STATUS_BY_EFFECT:
            raise ValueError(f"unknown rule effect {self.effect!r}")


@dataclass
class Verdict:
    status: str
    reasons: list[dict] = field(default_factory=list)
    policy_version: int | str | None = None

    def to_dict(self) -> dict:
        return {"status": self.status, "reasons": list(self.reasons), "policy_version": self.policy_version}


def apply_policy(
    *,
    scores: dict[str, float],
    sources: dict[str, str],
    rule_hits: list[RuleHit],
    policy: dict,
    author_trusted: bool = False,
    language: str | None = None,
    detected_language: str | None = None,
) -> Verdict:
    """The verdict for one comment. `language` is the tag the publisher sent, `detected_language` the one
    the scorers found; either may select per-language thresholds."""
    policy_version = policy.get("version")
    policy_source = f"policy:v{policy_version}"
    thresholds = effective_thresholds(policy, (language, detected_language))

    # Each candidate is (status it calls for, reason payload).
    candidates: list[tuple[str, dict]] = []
    for hit in rule_hits:
        candidates.append((_STATUS_BY_EFFECT[hit.effect], _rule_reason(hit, policy_source)))

    for category, score in sorted(scores.items()):
        if score is None:
            continue
        if not categories.is_scored(category) or category not in thresholds:
            continue  # only the categories in service.scoring.categories decide (their scores are still stored)
        found = _category_status(category, float(score), thresholds[category], author_trusted)
        if found is None:
            continue
        status, threshold = found
        candidates.append((status, _score_reason(category, float(score), threshold, sources.get(category))))

    if not candidates:
        return Verdict(status=APPROVED, reasons=[], policy_version=policy_version)

    final = max((status for status, _ in candidates), key=_PRECEDENCE.__getitem__)
    # Lower-level reasons are kept too: a moderator sees everything that fired.
    ordered = sorted(candidates, key=lambda c: -_PRECEDENCE[c[0]])
    return Verdict(status=final, reasons=[reason for _, reason in ordered], policy_version=policy_version)


def _category_status(
    category: str, score: float, limits: dict[str, Threshold], author_trusted: bool
) -> tuple[str, Threshold] | None:
    """The status one category score calls for, with the threshold it crossed."""
    reject_at = limits["reject"]
    review_at = limits["review"]
    if reject_at.value is not None and score >= reject_at.value:
        return REJECTED, reject_at
    if review_at.value is not None and score >= review_at.value:
        if category in LEGAL_CATEGORIES:
            return LEGAL_REVIEW, review_at
        if not author_trusted:
            return REVIEW, review_at
    return None


def _rule_reason(hit: RuleHit, policy_source: str) -> dict:
    reason = {"code": hit.code, "score": None, "threshold": None, "source": policy_source}
    if hit.detail is not None:
        reason["detail"] = hit.detail
    return reason


def _score_reason(category: str, score: float, threshold: Threshold, source: str | None) -> dict:
    reason = {"code": category, "score": round(score, 4), "threshold": threshold.value, "source": source}
    if threshold.language is not None:
        reason["language"] = threshold.language  # the policy's `languages` entry that set the threshold
    return reason
