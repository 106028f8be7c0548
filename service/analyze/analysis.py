"""One text through the analyze workers, and the decision the publisher's policy would take on it.

The API process never imports the scorers: it sends the text to the analyze queue (service.taskqueue) and
waits a bounded time. The decision preview runs the same decision engine the scoring worker uses, with the
rules that need nothing but the text (blocked and suspect terms, pre-moderation); author rules and duplicates
need a stored comment and do not apply to a text scored on its own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from service.analyze.wire import analyze_request, results_from_wire
from service.decisions import content_rules
from service.decisions.engine import RuleHit, Verdict, apply_policy
from service.models import Publisher
from service.policy import merged_policy
from service.scoring.jobs import ScoreResult, Span
from service.taskqueue import TaskQueue, analyze_text

# Perspective accepts 20 KB; the body limit (KAVALU_MAX_BODY_BYTES) bounds it further.
MAX_TEXT_CHARS = 20_000


@dataclass
class Analysis:
    scores: dict[str, float]  # category -> the highest score any scorer gave it
    sources: dict[str, str]  # category -> "scorer@model_version"
    spans: list[Span]
    detected_language: str | None
    verdict: Verdict
    results: list[ScoreResult] = field(default_factory=list)

    def spans_of(self, category: str) -> list[Span]:
        return [span for span in self.spans if span.category == category]


def publisher_policy(publisher: Publisher, defaults: dict) -> dict:
    """The publisher's policy as the scoring worker applies it (service.scoring.claims): merged, with its version."""
    policy = merged_policy(defaults, publisher.policy_overrides)
    policy["version"] = publisher.policy_version
    return policy


def analyze(
    queue: TaskQueue,
    timeout_s: float,
    policy: dict,
    text: str,
    *,
    language: str | None = None,
    article_title: str = "",
    article_body: str = "",
    categories: Collection[str] | None = None,
) -> Analysis:
    """Score `text` now: in every category, or only in `categories`, which the decision then weighs alone
    (with the rules a bare text can break). Raises service.taskqueue.AnalyzeUnavailable when no worker answers
    within `timeout_s`."""
    request = analyze_request(text, language, article_title, article_body, policy, categories)
    answer = analyze_text(queue, request, timeout_s)
    return combine(results_from_wire(answer), text, policy, language, categories)


def combine(
    results: list[ScoreResult],
    text: str,
    policy: dict,
    language: str | None = None,
    categories: Collection[str] | None = None,
) -> Analysis:
    scores: dict[str, float] = {}
    sources: dict[str, str] = {}
    spans: list[Span] = []
    detected = None
    for result in results:
        for category, value in result.scores.items():
            if categories is not None and category not in categories:
                continue
            if value >= scores.get(category, -1.0):
                scores[category] = round(float(value), 6)
                sources[category] = f"{result.scorer}@{result.model_version}"
        spans.extend(span for span in result.spans if categories is None or span.category in categories)
        detected = detected or result.detected_language
    verdict = preview_decision(text, scores, sources, policy, language=language, detected_language=detected)
    return Analysis(scores, sources, spans, detected, verdict, results)


def preview_decision(
    text: str,
    scores: dict[str, float],
    sources: dict[str, str],
    policy: dict,
    *,
    language: str | None = None,
    detected_language: str | None = None,
) -> Verdict:
    """The verdict the decision engine gives these scores under `policy` (per-language thresholds included), with
    the rules a bare text can break."""
    hits = [
        RuleHit("blocked_term", "reject", h["term"])
        for h in content_rules.match_terms(text, policy.get("blocked_terms") or [])
    ]
    hits += [
        RuleHit("suspect_term", "review", h["term"])
        for h in content_rules.match_terms(text, policy.get("suspect_terms") or [])
    ]
    if policy.get("premoderation"):
        hits.append(RuleHit("premoderation", "review"))
    return apply_policy(
        scores=scores,
        sources=sources,
        rule_hits=hits,
        policy=policy,
        language=language,
        detected_language=detected_language,
    )
