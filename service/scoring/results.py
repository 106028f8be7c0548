"""Turning scores into a stored decision: the rules around the scorers (terms, authors,
duplicates, pre-moderation), the decision engine, and recording the outcome.

The worker runs the models; everything here is plain data and the database, so the
review flow and tests use the same rules without torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from service.authors.rules import author_states
from service.db import insert_many
from service.decisions import content_rules
from service.decisions.engine import RuleHit, apply_policy
from service.decisions.record import NewDecision, one_by_one, record_decision, record_decisions
from service.models import PENDING, REVIEW, Comment, Publisher, Score, SenderDetails, as_utc, utcnow
from service.ops.metrics import DECISION_LATENCY
from service.scoring.jobs import ScoreResult, ScoringJob
from service.strings import WORD


@dataclass
class _RuleFacts:
    """What the non-model rules need to know about a batch, loaded in a few queries."""

    ips: dict[str, str]
    arrived: dict[str, datetime]  # comment id -> when the revision being scored was received
    author_states: dict[str, str]
    earlier_same_text: dict[str, list[str]]  # comment id -> authors of earlier comments with its text


def _rule_facts(
    session: Session, comments: list[Comment], jobs: list[ScoringJob], fingerprints: list[str | None], now: datetime
) -> _RuleFacts:
    revisions = {(c.id, j.revision) for c, j in zip(comments, jobs)}
    senders = {
        comment_id: (ip, received_at)
        for comment_id, revision, ip, received_at in session.execute(
            select(SenderDetails.comment_id, SenderDetails.revision, SenderDetails.ip, SenderDetails.received_at).where(
                SenderDetails.comment_id.in_([c.id for c in comments])
            )
        )
        if (comment_id, revision) in revisions
    }
    ips = {comment_id: ip for comment_id, (ip, _) in senders.items()}
    # When each revision was received: the duplicate window is measured between receipts, so a comment scored
    # late (a backlog, workers down) is judged as it would have been on arrival.
    arrived = {c.id: as_utc(senders[c.id][1] if c.id in senders else c.received_at) for c in comments}
    states = author_states(
        session, [(c.publisher_id, c.author_email, ips.get(c.id), j.policy) for c, j in zip(comments, jobs)], now=now
    )
    # Earlier comments are those scored before this batch (their fingerprint is stored) and those
    # ahead of it in the batch, which is in the order received; either counts when the two were received
    # within the publisher's duplicate window of each other.
    earlier_same_text: dict[str, list[str]] = {}
    wanted = {f for f in fingerprints if f}
    longest_window = timedelta(seconds=max(job.policy["duplicate_window_seconds"] for job in jobs))
    stored = (
        session.execute(
            select(
                Comment.id, Comment.publisher_id, Comment.text_fingerprint, Comment.author_email, Comment.received_at
            ).where(
                Comment.text_fingerprint.in_(wanted),
                Comment.received_at >= min(arrived.values()) - longest_window,
                Comment.received_at <= max(arrived.values()) + longest_window,
                Comment.publisher_id.in_({c.publisher_id for c in comments}),
                Comment.id.notin_([c.id for c in comments]),
            )
        ).all()
        if wanted
        else []
    )
    seen: dict[tuple[str, str], list[tuple[str, datetime]]] = {}  # (publisher, fingerprint) -> (author, received)
    for row in stored:
        seen.setdefault((row.publisher_id, row.text_fingerprint), []).append(
            (row.author_email, as_utc(row.received_at))
        )
    for comment, job, fingerprint in zip(comments, jobs, fingerprints):
        if fingerprint:
            window = timedelta(seconds=job.policy["duplicate_window_seconds"])
            copies = seen.setdefault((comment.publisher_id, fingerprint), [])
            earlier_same_text[comment.id] = [
                author for author, received in copies if abs(received - arrived[comment.id]) <= window
            ]
            copies.append((comment.author_email, arrived[comment.id]))
    return _RuleFacts(ips, arrived, dict(zip([c.id for c in comments], states)), earlier_same_text)


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
    if policy.get("premoderation") and state != "trusted":  # trusted authors skip review below the reject thresholds
        hits.append(RuleHit("premoderation", "review"))
    if state == "premoderated":
        hits.append(RuleHit("author_history", "review"))
    # Short texts are what many readers write on their own ("Well said!", "Jai Hind"): not a campaign. A policy
    # written before duplicate_min_words existed keeps counting every text.
    long_enough = len(WORD.findall(job.text)) >= policy.get("duplicate_min_words", 1)
    authors = facts.earlier_same_text.get(comment.id, []) if long_enough else []
    if comment.author_email in authors:
        hits.append(RuleHit("duplicate_text", "review", "same author"))
    if len(set(authors) - {comment.author_email}) >= 2:
        hits.append(RuleHit("duplicate_text", "review", "many authors"))
    return hits, state == "trusted"


def finish_scoring(
    session: Session,
    job: ScoringJob,
    outputs: list[ScoreResult],
    *,
    fingerprint: str | None,
    enqueue_delivery: Callable[[str], object] | None,
    now: datetime | None = None,
):
    """finish_batch for one comment."""
    return finish_batch(
        session, [job], [outputs], fingerprints=[fingerprint], enqueue_deliveries=one_by_one(enqueue_delivery), now=now
    )[0]


def finish_batch(
    session: Session,
    jobs: list[ScoringJob],
    outputs: list[list[ScoreResult]],
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
    locked = {
        c.id: c
        for c in session.scalars(
            select(Comment)
            .where(Comment.id.in_([job.comment_id for job in jobs]))
            .order_by(Comment.id)
            .with_for_update()
        )
    }
    live = [
        (index, locked[job.comment_id])
        for index, job in enumerate(jobs)
        if job.comment_id in locked
        and locked[job.comment_id].status == PENDING
        and locked[job.comment_id].current_revision == job.revision
    ]
    unchanged = still_pending(session, {comment.id: comment.current_revision for _, comment in live})
    live = [(index, comment) for index, comment in live if comment.id in unchanged]
    if not live:
        return [None] * len(jobs)
    facts = _rule_facts(
        session, [c for _, c in live], [jobs[i] for i, _ in live], [fingerprints[i] for i, _ in live], now
    )
    score_rows, new = [], []
    for index, comment in live:
        job = jobs[index]
        scores: dict[str, float] = {}
        sources: dict[str, str] = {}
        for output in outputs[index]:
            for category, value in output.scores.items():
                score_rows.append(
                    dict(
                        comment_id=comment.id,
                        revision=job.revision,
                        scorer=output.scorer,
                        model_version=output.model_version,
                        category=category,
                        score=float(value),
                        spans=[span.to_dict() for span in output.spans if span.category == category],
                        created_at=now,
                    )
                )
                if value >= scores.get(category, -1.0):
                    scores[category] = round(float(value), 6)
                    sources[category] = f"{output.scorer}@{output.model_version}"
        hits, trusted = rule_hits(comment, job, facts)
        detected = detected_language(outputs[index])
        outcome = apply_policy(
            scores=scores,
            sources=sources,
            rule_hits=hits,
            policy=job.policy,
            author_trusted=trusted,
            language=job.language,
            detected_language=detected,
        )
        comment.detected_language = detected
        comment.text_fingerprint = fingerprints[index]
        DECISION_LATENCY.observe(max(0.0, (now - facts.arrived[comment.id]).total_seconds()))
        new.append(NewDecision(comment, outcome.status, outcome.reasons, scores, job.policy["version"]))
    decisions = record_decisions(session, new, decided_by="auto", enqueue_deliveries=enqueue_deliveries, now=now)
    insert_many(session, Score.__table__, score_rows)
    results: list = [None] * len(jobs)
    for (index, _), decision in zip(live, decisions):
        results[index] = decision
    return results


def still_pending(session: Session, seen: dict[str, int]) -> set[str]:
    """Release the scoring lease of the comments still pending at the revision read (id -> revision); return their ids.

    A compare-and-set, for SQLite: it has no row locks (FOR UPDATE is left out) and reads run outside the
    transaction, so an edit or another worker's decision may have committed since the read. As a write, it also
    takes SQLite's write lock, which keeps other writers out until the commit. On PostgreSQL the rows are locked
    since the read, and it finds all of them.
    """
    if not seen:
        return set()
    return set(
        session.scalars(
            update(Comment)
            .where(Comment.status == PENDING, tuple_(Comment.id, Comment.current_revision).in_(list(seen.items())))
            .values(scoring_lease_until=None)
            .returning(Comment.id)
            .execution_options(synchronize_session=False)
        )
    )


def detected_language(outputs: list[ScoreResult]) -> str | None:
    """The language the scorers detected: the first result that names one (a tag of at most 35 characters)."""
    for output in outputs:
        tag = output.detected_language
        if isinstance(tag, str) and tag.strip():
            return tag.strip()[:35]
    return None


def give_up_scoring(
    session: Session,
    comment_id: str,
    *,
    max_attempts: int,
    defaults: dict,
    enqueue_delivery: Callable[[str], object] | None,
    error: str,
    revision: int | None = None,
    now: datetime | None = None,
):
    """After a scorer failure: send the comment to review with `scoring_failed` once its attempts are spent.

    `revision`: the one that failed; after an edit, the new revision's lease and attempts are not its to touch.
    Returns the decision, or None if it should be tried again.
    """
    comment = session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.status != PENDING:
        return None
    if revision is not None and comment.current_revision != revision:
        return None
    if not still_pending(session, {comment.id: comment.current_revision}):
        return None
    if comment.scoring_attempts < max_attempts:
        return None
    publisher = session.get_one(Publisher, comment.publisher_id)
    return record_decision(
        session,
        comment,
        status=REVIEW,
        decided_by="auto",
        reasons=[
            {
                "code": "scoring_failed",
                "score": None,
                "threshold": None,
                "source": f"attempts:{comment.scoring_attempts}",
                "detail": error[:200],
            }
        ],
        scores={},
        policy_version=publisher.policy_version,
        enqueue_delivery=enqueue_delivery,
        now=now,
    )
