"""What the API sends to the analyze task and what comes back: plain JSON data, no ORM objects."""

from __future__ import annotations

from collections.abc import Collection

from service.scoring.jobs import ScoreResult, ScoringJob, Span

ANALYZE_COMMENT_ID = "analyze"
# What of the publisher's policy the worker gets: the knobs the scoring pipeline reads (workers/scoring/pipeline.py).
# The API applies the rest itself (service.analyze.analysis); the author lists (blocked_emails, blocked_ip_ranges,
# blocked_email_domains) apply to no analyze request (they need a stored comment), and a broker message is no
# place for a publisher's ban list.
WORKER_POLICY_KEYS = ("max_links", "verbatim_copy_min_words")


def worker_policy(policy: dict) -> dict:
    """The part of `policy` the analyze worker needs, nothing more."""
    return {key: policy[key] for key in WORKER_POLICY_KEYS if key in policy}


def analyze_request(
    text: str,
    language: str | None,
    article_title: str,
    article_body: str,
    policy: dict,
    categories: Collection[str] | None = None,
) -> dict:
    """categories: score only these (None: every category). Only the policy's scoring knobs go (worker_policy)."""
    return {
        "text": text,
        "language": language,
        "article_title": article_title,
        "article_body": article_body,
        "policy": worker_policy(policy),
        "categories": sorted(categories) if categories is not None else None,
    }


def job_from_request(request: dict) -> ScoringJob:
    """The request as the scoring pipeline's job: the same scorers, the same policy knobs (links, verbatim copy)."""
    return ScoringJob(
        ANALYZE_COMMENT_ID,
        1,
        str(request["text"]),
        str(request.get("article_title") or ""),
        str(request.get("article_body") or ""),
        request.get("language"),
        dict(request["policy"]),
        frozenset(request["categories"]) if request.get("categories") is not None else None,
    )


def results_to_wire(results: list[ScoreResult]) -> dict:
    return {
        "results": [
            {
                "scorer": r.scorer,
                "model_version": r.model_version,
                "scores": {k: float(v) for k, v in r.scores.items()},
                "spans": [span.to_dict() for span in r.spans],
                "detected_language": r.detected_language,
            }
            for r in results
        ]
    }


def results_from_wire(answer: dict) -> list[ScoreResult]:
    return [
        ScoreResult(
            scorer=item["scorer"],
            model_version=item["model_version"],
            scores={k: float(v) for k, v in item["scores"].items()},
            spans=[Span(s["start"], s["end"], s["category"], s.get("label", "")) for s in item.get("spans", [])],
            detected_language=item.get("detected_language"),
        )
        for item in answer["results"]
    ]
