"""Turning scores into a stored decision: claiming comments for scoring, the rules around the
scorers (terms, authors, duplicates, pre-moderation), and recording the outcome.

The worker runs the models; everything here is plain data and the database, so the
review flow and tests use the same rules without torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from service import content_rules
from service.decisions import RuleHit, decide
from service.observability import DECISION_LATENCY
from service.models import PENDING, REVIEW, Comment, CommentRevision, Publisher, Score, SenderDetails, utcnow
from service.outcomes import record_decision
from service.policy import merged_policy


def publisher_policy(defaults: dict, publisher: Publisher) -> dict:
    policy = merged_policy(defaults, publisher.policy_overrides)
    policy["version"] = publisher.policy_version
    return policy


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


@dataclass
class ScorerOutput:
    """One scorer's result for one comment, as plain data."""

    scorer: str
    model_version: str
    scores: dict[str, float]
    spans: list[dict] = field(default_factory=list)


def claim_for_scoring(
    session: Session,
    comment_id: str,
    *,
    defaults: dict,
    batch_size: int,
    lease_s: float,
    redelivered: bool = False,
    now: datetime | None = None,
) -> list[ScoringJob]:
    """Claim `comment_id` and, to fill a batch, other fresh pending comments.

    A claim is a lease: the attempt counter goes up and other workers leave the
    comment alone until the lease lapses. Comments that failed before are
    scored alone, so a poison comment can't drag a batch down with it.
    Returns [] when the comment is decided or another worker holds it.
    """
    now = now or utcnow()
    free = or_(Comment.scoring_lease_until.is_(None), Comment.scoring_lease_until < now)
    own = session.scalars(
        select(Comment).where(Comment.id == comment_id, Comment.status == PENDING, true() if redelivered else free)
        .with_for_update(skip_locked=True)
    ).first()
    if own is None:
        return []
    claimed = [own]
    if own.scoring_attempts == 0 and batch_size > 1:
        claimed += session.scalars(
            select(Comment)
            .where(Comment.status == PENDING, Comment.scoring_attempts == 0, Comment.id != comment_id, free)
            .order_by(Comment.received_at)
            .limit(batch_size - 1)
            .with_for_update(skip_locked=True)
        ).all()
    lease_until = now + timedelta(seconds=lease_s)
    for comment in claimed:
        comment.scoring_attempts += 1
        comment.scoring_lease_until = lease_until
    session.flush()
    return _jobs(session, claimed, defaults)


def _jobs(session: Session, claimed: list[Comment], defaults: dict) -> list[ScoringJob]:
    revisions = {
        (r.comment_id, r.number): r
        for r in session.scalars(select(CommentRevision).where(CommentRevision.comment_id.in_([c.id for c in claimed])))
    }
    publishers = {p.id: p for p in session.scalars(select(Publisher).where(Publisher.id.in_({c.publisher_id for c in claimed})))}
    jobs = []
    for comment in claimed:
        revision = revisions[(comment.id, comment.current_revision)]
        jobs.append(ScoringJob(
            comment_id=comment.id,
            revision=comment.current_revision,
            text=revision.text,
            article_title=comment.article_title,
            article_body=revision.article_body or "",
            language=comment.language,
            policy=publisher_policy(defaults, publishers[comment.publisher_id]),
        ))
    return jobs


def rule_hits(session: Session, comment: Comment, job: ScoringJob, fingerprint: str | None, now: datetime) -> tuple[list[RuleHit], bool]:
    """Rules that don't come from a model. Returns the hits and whether the author is trusted."""
    policy = job.policy
    hits: list[RuleHit] = []
    sender = session.scalars(
        select(SenderDetails).where(SenderDetails.comment_id == comment.id, SenderDetails.revision == job.revision)
    ).first()
    ip = sender.ip if sender else None

    blocked_by_policy = content_rules.author_blocked(comment.author_email, ip, policy)
    if blocked_by_policy:
        hits.append(RuleHit("author_banned", "reject", blocked_by_policy))
    state = _author_state(session, comment, ip, policy)
    if state == "banned":
        hits.append(RuleHit("author_banned", "reject", "author_rule"))
    trusted = state == "trusted"

    for hit in content_rules.match_terms(job.text, policy.get("blocked_terms") or []):
        hits.append(RuleHit("blocked_term", "reject", hit["term"]))
    for hit in content_rules.match_terms(job.text, policy.get("suspect_terms") or []):
        hits.append(RuleHit("suspect_term", "review", hit["term"]))
    if policy.get("premoderation"):
        hits.append(RuleHit("premoderation", "review"))
    if state == "premoderated":
        hits.append(RuleHit("author_history", "review"))
    if fingerprint:
        hits.extend(_duplicate_hits(session, comment, fingerprint, policy, now))
    return hits, trusted


def _author_state(session: Session, comment: Comment, ip: str | None, policy: dict) -> str:
    from service import review  # the review module owns author bans, trust and history

    return review.author_state(session, comment.publisher_id, comment.author_email, ip, policy)


def _duplicate_hits(session: Session, comment: Comment, fingerprint: str, policy: dict, now: datetime) -> list[RuleHit]:
    since = now - timedelta(seconds=policy.get("duplicate_window_seconds", 3600))
    same_text = (
        select(Comment.author_email)
        .where(Comment.publisher_id == comment.publisher_id, Comment.text_fingerprint == fingerprint,
               Comment.id != comment.id, Comment.received_at >= since)
    )
    authors = list(session.scalars(same_text))
    hits = []
    if comment.author_email in authors:
        hits.append(RuleHit("duplicate_text", "review", "same author"))
    if len(set(authors) - {comment.author_email}) >= 2:
        hits.append(RuleHit("duplicate_text", "review", "many authors"))
    return hits


def finish_scoring(
    session: Session,
    job: ScoringJob,
    outputs: list[ScorerOutput],
    *,
    fingerprint: str | None,
    enqueue_delivery: Callable[[str], object] | None,
    now: datetime | None = None,
):
    """Store the scores and the automatic decision for one claimed revision.

    Returns the decision, or None when the comment changed meanwhile (an edit
    arrived and will be scored by its own task, or someone decided it).
    """
    now = now or utcnow()
    comment = session.get(Comment, job.comment_id, with_for_update=True)
    if comment is None or comment.status != PENDING or comment.current_revision != job.revision:
        return None
    comment.text_fingerprint = fingerprint
    scores: dict[str, float] = {}
    sources: dict[str, str] = {}
    for output in outputs:
        for category, value in output.scores.items():
            spans = [span for span in output.spans if span.get("category") == category]
            session.add(Score(comment_id=comment.id, revision=job.revision, scorer=output.scorer,
                              model_version=output.model_version, category=category, score=float(value), spans=spans, created_at=now))
            if value >= scores.get(category, -1.0):
                scores[category] = round(float(value), 6)
                sources[category] = f"{output.scorer}@{output.model_version}"
    hits, trusted = rule_hits(session, comment, job, fingerprint, now)
    outcome = decide(scores=scores, sources=sources, rule_hits=hits, policy=job.policy, author_trusted=trusted)
    comment.scoring_lease_until = None
    received = comment.received_at if comment.received_at.tzinfo else comment.received_at.replace(tzinfo=now.tzinfo)
    DECISION_LATENCY.observe(max(0.0, (now - received).total_seconds()))
    return record_decision(
        session, comment, status=outcome.status, decided_by="auto", reasons=outcome.reasons, scores=scores,
        policy_version=job.policy["version"], enqueue_delivery=enqueue_delivery, now=now,
    )


def give_up_scoring(session: Session, comment_id: str, *, max_attempts: int, defaults: dict,
                    enqueue_delivery: Callable[[str], object] | None, error: str, now: datetime | None = None):
    """After a scorer failure: send the comment to review with `scoring_failed` once its attempts are spent.

    Returns the decision, or None if it should be tried again.
    """
    comment = session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.status != PENDING:
        return None
    comment.scoring_lease_until = None
    if comment.scoring_attempts < max_attempts:
        return None
    publisher = session.get(Publisher, comment.publisher_id)
    return record_decision(
        session, comment, status=REVIEW, decided_by="auto",
        reasons=[{"code": "scoring_failed", "score": None, "threshold": None, "source": f"attempts:{comment.scoring_attempts}", "detail": error[:200]}],
        scores={}, policy_version=publisher.policy_version, enqueue_delivery=enqueue_delivery, now=now,
    )

