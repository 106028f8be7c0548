"""Claiming pending comments for scoring: a lease per comment, batches filled fairly between workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, func, or_, select, true, tuple_, update
from sqlalchemy.orm import Session

from service.models import PENDING, Comment, CommentRevision, Publisher, WorkerHeartbeat, utcnow
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
    max_attempts: int | None = None,
    redelivered: bool = False,
    holder: str | None = None,
    process: str | None = None,
    now: datetime | None = None,
) -> list[ScoringJob]:
    """Claim `comment_id` (if given and still pending) and, to fill a batch, other fresh pending comments.

    A claim is a lease, held by `holder` (the scoring task's id) in `process` (the name of the scoring process's
    heartbeat row): the attempt counter goes up and other workers leave the comment alone until the lease lapses, the
    holder's task is redelivered (release_lost_batch) or the process's heartbeat stops (release_silent_processes).
    Comments that failed before are scored alone, so a poison comment can't drag a batch down with it.
    A comment whose attempts have reached `max_attempts` is never claimed again, on any path
    (a redelivered task included): `exhausted_for_scoring` finds it, and the caller sends it to review.
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
            .where(
                Comment.id == comment_id,
                Comment.status == PENDING,
                true() if redelivered else free,
                true() if max_attempts is None else Comment.scoring_attempts < max_attempts,
            )
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
    # A compare-and-set, for SQLite: it has no row locks (SKIP LOCKED is left out), so another worker may have
    # claimed a row, or an edit replaced its revision, since the read; every claim and every edit changes
    # (revision, attempts). On PostgreSQL the rows are locked since the read, and all of them are taken.
    taken = set(
        session.scalars(
            update(Comment)
            .where(
                Comment.status == PENDING,
                tuple_(Comment.id, Comment.current_revision, Comment.scoring_attempts).in_(
                    [(row.id, row.current_revision, row.scoring_attempts) for row in claimed]
                ),
            )
            .values(
                scoring_attempts=Comment.scoring_attempts + 1,
                scoring_lease_until=now + timedelta(seconds=lease_s),
                scoring_lease_holder=holder,
                scoring_lease_process=process,
            )
            .returning(Comment.id)
            .execution_options(synchronize_session=False)
        )
    )
    claimed = [row for row in claimed if row.id in taken]
    if not claimed:
        return []
    return _jobs(session, claimed, defaults)


def release_lost_batch(session: Session, holder: str, *, keep: str | None, now: datetime | None = None) -> list[str]:
    """Free the comments that `holder` still holds under a live lease, but `keep` (the task's own comment, which it
    claims again itself); return their ids, for a task each.

    The broker redelivers a scoring task only when the worker process that ran it is gone (a killed pool child, a
    killed or lost worker), so its lease on the rest of its batch would otherwise keep those comments waiting until
    the lease lapsed (`scoring_lease_s`, 120 s by default). Each is claimed by a task of its own: their attempts have
    gone up, so each is scored alone, and a comment that kills its worker cannot take the others down with it again.
    """
    now = now or utcnow()
    return list(
        session.scalars(
            update(Comment)
            .where(
                Comment.status == PENDING,
                Comment.scoring_lease_holder == holder,
                Comment.scoring_lease_until >= now,
                Comment.id != keep if keep is not None else true(),
            )
            .values(scoring_lease_until=None)
            .returning(Comment.id)
            .execution_options(synchronize_session=False)
        )
    )


def release_silent_processes(session: Session, max_age_s: float, now: datetime | None = None) -> list[str]:
    """Free the comments held under a live lease by a scoring process whose heartbeat is over `max_age_s` old; return
    their ids, for a task each.

    A whole worker killed (a container's processes die together) or frozen: the broker redelivers none of its tasks
    before its visibility timeout (an hour), so its batches would otherwise wait out their lease. If a frozen worker
    wakes up, the first decision written stands (results.finish_batch). A process that never wrote a heartbeat (a
    solo pool, a task run in place) is left to the lease.
    """
    now = now or utcnow()
    silent = select(WorkerHeartbeat.hostname).where(WorkerHeartbeat.last_seen < now - timedelta(seconds=max_age_s))
    ids = list(
        session.scalars(
            select(Comment.id)
            .where(
                Comment.status == PENDING,
                Comment.scoring_lease_until >= now,
                Comment.scoring_lease_process.in_(silent),
            )
            # A frozen process may be frozen inside its transaction, its batch's rows locked: waiting on them would
            # stop every sweep. Those rows are left until PostgreSQL ends its session (db_idle_in_transaction_timeout_s).
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(ids))
            .values(scoring_lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return ids


def exhausted_for_scoring(
    session: Session,
    max_attempts: int,
    *,
    comment_id: str | None = None,
    redelivered: bool = False,
    now: datetime | None = None,
    limit: int = 100,
) -> list[str]:
    """Pending comments whose scoring attempts are spent and that no live lease holds: `comment_id` alone,
    or (without it) any, for the sweeper. A redelivered task's own comment counts even under a live lease:
    the broker only redelivers when the worker that held it is gone.

    Locked (SKIP LOCKED) for the rest of the transaction; the caller gives each one up
    (service.scoring.results.give_up_scoring) in the same session.
    """
    now = now or utcnow()
    free = or_(Comment.scoring_lease_until.is_(None), Comment.scoring_lease_until < now)
    query = select(Comment.id).where(Comment.status == PENDING, Comment.scoring_attempts >= max_attempts)
    if comment_id is not None:
        query = query.where(Comment.id == comment_id, true() if redelivered else free)
    else:
        query = query.where(free).order_by(Comment.received_at).limit(limit)
    return list(session.scalars(query.with_for_update(skip_locked=True)))


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
