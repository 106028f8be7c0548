"""Claiming pending comments for scoring: a lease per comment, batches filled fairly between workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, func, or_, select, true, update
from sqlalchemy.orm import Session

from service.models import PENDING, Comment, CommentRevision, Publisher, utcnow
from service.policy import merged_policy
from service.scoring.jobs import ScoringJob


def publisher_policy(defaults: dict, publisher: Publisher) -> dict:
    policy = merged_policy(defaults, publisher.policy_overrides)
    policy["version"] = publisher.policy_version
    return policy


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
    columns = (
        Comment.id,
        Comment.publisher_id,
        Comment.current_revision,
        Comment.article_title,
        Comment.language,
        Comment.scoring_attempts,
    )
    claimed: list[Row] = []
    if comment_id is not None:
        claimed += session.execute(
            select(*columns)
            .where(Comment.id == comment_id, Comment.status == PENDING, true() if redelivered else free)
            .with_for_update(skip_locked=True)
        ).all()
    if not (claimed and claimed[0].scoring_attempts > 0) and batch_size > len(claimed):
        fresh = (Comment.status == PENDING, Comment.scoring_attempts == 0, Comment.id != comment_id, free)
        claimed += session.execute(
            select(*columns)
            .where(*fresh)
            .order_by(Comment.received_at)
            .limit(_fair_share(session, fresh, batch_size - len(claimed)))
            .with_for_update(skip_locked=True)
        ).all()
    if not claimed:
        return []
    session.execute(
        update(Comment)
        .where(Comment.id.in_([row.id for row in claimed]))
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
    revisions = {
        (r.comment_id, r.number): r
        for r in session.execute(
            select(
                CommentRevision.comment_id, CommentRevision.number, CommentRevision.text, CommentRevision.article_body
            ).where(CommentRevision.comment_id.in_([row.id for row in claimed]))
        )
        if (r.comment_id, r.number) in wanted
    }
    policies = {
        p.id: publisher_policy(defaults, p)
        for p in session.scalars(select(Publisher).where(Publisher.id.in_({row.publisher_id for row in claimed})))
    }
    return [
        ScoringJob(
            comment_id=row.id,
            revision=row.current_revision,
            text=revisions[(row.id, row.current_revision)].text,
            article_title=row.article_title,
            article_body=revisions[(row.id, row.current_revision)].article_body or "",
            language=row.language,
            policy=policies[row.publisher_id],
        )
        for row in claimed
    ]
