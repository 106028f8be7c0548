"""Turning scores into a stored decision: claiming comments for scoring, the rules around the
scorers (terms, authors, duplicates, pre-moderation), and recording the outcome.

The worker runs the models; everything here is plain data and the database, so the
review flow and tests use the same rules without torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from service import content_rules
from service.db import insert_many
from service.decisions import RuleHit, decide
from service.observability import DECISION_LATENCY
from service.models import PENDING, REVIEW, Comment, CommentRevision, Publisher, Score, SenderDetails, as_utc, utcnow
from service.outcomes import NewDecision, one_by_one, record_decision, record_decisions
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
    comment_id: str | None,
    *,
    defaults: dict,
    batch_size: int,
    lease_s: float,
    redelivered: bool = False,
    now: datetime | None = None,
) -> list[ScoringJob]:
    """Claim `comment_id` (if given and still pending) and, to fill a batch, other fresh pending comments.

    A claim is a lease: the attempt counter goes up and other workers leave the
    comment alone until the lease lapses. Comments that failed before are
    scored alone, so a poison comment can't drag a batch down with it.
    The batch is filled even when `comment_id` is gone: intake wakes one worker for
    many comments (see TaskQueue.enqueue_scoring), so a task stands for all of them.
    Returns [] when there is nothing to score.
    """
    now = now or utcnow()
    free = or_(Comment.scoring_lease_until.is_(None), Comment.scoring_lease_until < now)
    columns = (Comment.id, Comment.publisher_id, Comment.current_revision, Comment.article_title, Comment.language,
               Comment.scoring_attempts)
    claimed = []
    if comment_id is not None:
        claimed += session.execute(
            select(*columns).where(Comment.id == comment_id, Comment.status == PENDING, true() if redelivered else free)
            .with_for_update(skip_locked=True)
        ).all()
    if not (claimed and claimed[0].scoring_attempts > 0) and batch_size > len(claimed):
        fresh = (Comment.status == PENDING, Comment.scoring_attempts == 0, Comment.id != comment_id, free)
        claimed += session.execute(
            select(*columns).where(*fresh).order_by(Comment.received_at)
            .limit(_fair_share(session, fresh, batch_size - len(claimed)))
            .with_for_update(skip_locked=True)
        ).all()
    if not claimed:
        return []
    session.execute(
        update(Comment).where(Comment.id.in_([row.id for row in claimed]))
        .values(scoring_attempts=Comment.scoring_attempts + 1, scoring_lease_until=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return _jobs(session, claimed, defaults)


SMALLEST_SHARE = 16


def _fair_share(session: Session, fresh: tuple, batch_size: int) -> int:
    """How many fresh comments to claim: a full batch while the backlog is deep, and half of
    what is left once it is not, so the workers on a draining backlog finish together
    instead of one scoring a last full batch while the others sit idle."""
    waiting = session.execute(
        select(func.count()).select_from(select(Comment.id).where(*fresh).limit(2 * batch_size).subquery())
    ).scalar_one()
    if waiting >= 2 * batch_size:
        return batch_size
    return max(min(SMALLEST_SHARE, batch_size), -(-waiting // 2))


def _jobs(session: Session, claimed: list, defaults: dict) -> list[ScoringJob]:
    wanted = {(row.id, row.current_revision) for row in claimed}
    revisions = {(r.comment_id, r.number): r for r in session.execute(
        select(CommentRevision.comment_id, CommentRevision.number, CommentRevision.text, CommentRevision.article_body)
        .where(CommentRevision.comment_id.in_([row.id for row in claimed]))
    ) if (r.comment_id, r.number) in wanted}
    policies = {p.id: publisher_policy(defaults, p)
                for p in session.scalars(select(Publisher).where(Publisher.id.in_({row.publisher_id for row in claimed})))}
    return [ScoringJob(
        comment_id=row.id,
        revision=row.current_revision,
        text=revisions[(row.id, row.current_revision)].text,
        article_title=row.article_title,
        article_body=revisions[(row.id, row.current_revision)].article_body or "",
        language=row.language,
        policy=policies[row.publisher_id],
    ) for row in claimed]


@dataclass
class _RuleFacts:
    """What the non-model rules need to know about a batch, loaded in a few queries."""

    ips: dict[str, str | None]
    author_states: dict[str, str]
    earlier_same_text: dict[str, list[str]]  # comment id -> authors of earlier comments with its text


def _rule_facts(session: Session, comments: list[Comment], jobs: list[ScoringJob], fingerprints: list[str | None],
                now: datetime) -> _RuleFacts:
    from service import review  # the review module owns author bans, trust and history

    revisions = {(c.id, j.revision) for c, j in zip(comments, jobs)}
    ips = {comment_id: ip for comment_id, revision, ip in session.execute(
        select(SenderDetails.comment_id, SenderDetails.revision, SenderDetails.ip)
        .where(SenderDetails.comment_id.in_([c.id for c in comments]))
    ) if (comment_id, revision) in revisions}
    states = review.author_states(session, [(c.publisher_id, c.author_email, ips.get(c.id), j.policy) for c, j in zip(comments, jobs)], now=now)
    # Earlier comments are those scored before this batch (their fingerprint is stored) and those
    # ahead of it in the batch, which is in the order received.
    earlier_same_text: dict[str, list[str]] = {}
    wanted = {f for f in fingerprints if f}
    longest_window = max(job.policy.get("duplicate_window_seconds", 3600) for job in jobs)
    stored = session.execute(
        select(Comment.id, Comment.publisher_id, Comment.text_fingerprint, Comment.author_email, Comment.received_at)
        .where(Comment.text_fingerprint.in_(wanted), Comment.received_at >= now - timedelta(seconds=longest_window),
               Comment.publisher_id.in_({c.publisher_id for c in comments}), Comment.id.notin_([c.id for c in comments]))
    ).all() if wanted else []
    seen: dict[tuple[str, str], list[tuple[str, datetime]]] = {}  # (publisher, fingerprint) -> (author, received)
    for row in stored:
        seen.setdefault((row.publisher_id, row.text_fingerprint), []).append((row.author_email, as_utc(row.received_at)))
    for comment, job, fingerprint in zip(comments, jobs, fingerprints):
        if fingerprint:
            since = now - timedelta(seconds=job.policy.get("duplicate_window_seconds", 3600))
            copies = seen.setdefault((comment.publisher_id, fingerprint), [])
            earlier_same_text[comment.id] = [author for author, received in copies if received >= since]
            copies.append((comment.author_email, as_utc(comment.received_at)))
    return _RuleFacts(ips, dict(zip([c.id for c in comments], states)), earlier_same_text)


def rule_hits(comment: Comment, job: ScoringJob, facts: _RuleFacts) -> tuple[list[RuleHit], bool]:
    """Rules that don't come from a model. Returns the hits and whether the author is trusted."""
    policy = job.policy
    hits: list[RuleHit] = []
    blocked_by_policy = content_rules.author_blocked(comment.author_email, facts.ips.get(comment.id), policy)
    if blocked_by_policy:
        hits.append(RuleHit("author_banned", "reject", blocked_by_policy))
    state = facts.author_states[comment.id]
    if state == "banned":
        hits.append(RuleHit("author_banned", "reject", "author_rule"))
    for hit in content_rules.match_terms(job.text, policy.get("blocked_terms") or []):
        hits.append(RuleHit("blocked_term", "reject", hit["term"]))
    for hit in content_rules.match_terms(job.text, policy.get("suspect_terms") or []):
        hits.append(RuleHit("suspect_term", "review", hit["term"]))
    if policy.get("premoderation"):
        hits.append(RuleHit("premoderation", "review"))
    if state == "premoderated":
        hits.append(RuleHit("author_history", "review"))
    authors = facts.earlier_same_text.get(comment.id, [])
    if comment.author_email in authors:
        hits.append(RuleHit("duplicate_text", "review", "same author"))
    if len(set(authors) - {comment.author_email}) >= 2:
        hits.append(RuleHit("duplicate_text", "review", "many authors"))
    return hits, state == "trusted"


def finish_scoring(session: Session, job: ScoringJob, outputs: list[ScorerOutput], *, fingerprint: str | None,
                   enqueue_delivery: Callable[[str], object] | None, now: datetime | None = None):
    """finish_batch for one comment."""
    return finish_batch(session, [job], [outputs], fingerprints=[fingerprint], enqueue_deliveries=one_by_one(enqueue_delivery),
                        now=now)[0]


def finish_batch(
    session: Session,
    jobs: list[ScoringJob],
    outputs: list[list[ScorerOutput]],
    *,
    fingerprints: list[str | None],
    enqueue_deliveries: Callable[[list[str]], object] | None,
    now: datetime | None = None,
) -> list:
    """Store the scores and the automatic decisions for claimed revisions, in one transaction
    and a fixed number of statements however large the batch.

    Returns each job's decision, or None where the comment changed meanwhile (an edit
    arrived and will be scored by its own task, or someone decided it).
    """
    now = now or utcnow()
    locked = {c.id: c for c in session.scalars(
        select(Comment).where(Comment.id.in_([job.comment_id for job in jobs])).order_by(Comment.id).with_for_update()
    )}
    live = [(index, locked[job.comment_id]) for index, job in enumerate(jobs)
            if job.comment_id in locked and locked[job.comment_id].status == PENDING
            and locked[job.comment_id].current_revision == job.revision]
    if not live:
        return [None] * len(jobs)
    facts = _rule_facts(session, [c for _, c in live], [jobs[i] for i, _ in live], [fingerprints[i] for i, _ in live], now)
    score_rows, new = [], []
    for index, comment in live:
        job = jobs[index]
        scores: dict[str, float] = {}
        sources: dict[str, str] = {}
        for output in outputs[index]:
            for category, value in output.scores.items():
                score_rows.append(dict(comment_id=comment.id, revision=job.revision, scorer=output.scorer,
                                       model_version=output.model_version, category=category, score=float(value),
                                       spans=[span for span in output.spans if span.get("category") == category], created_at=now))
                if value >= scores.get(category, -1.0):
                    scores[category] = round(float(value), 6)
                    sources[category] = f"{output.scorer}@{output.model_version}"
        hits, trusted = rule_hits(comment, job, facts)
        outcome = decide(scores=scores, sources=sources, rule_hits=hits, policy=job.policy, author_trusted=trusted)
        comment.text_fingerprint = fingerprints[index]
        comment.scoring_lease_until = None
        DECISION_LATENCY.observe(max(0.0, (now - as_utc(comment.received_at)).total_seconds()))
        new.append(NewDecision(comment, outcome.status, outcome.reasons, scores, job.policy["version"]))
    decisions = record_decisions(session, new, decided_by="auto", enqueue_deliveries=enqueue_deliveries, now=now)
    insert_many(session, Score.__table__, score_rows)
    results: list = [None] * len(jobs)
    for (index, _), decision in zip(live, decisions):
        results[index] = decision
    return results


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

