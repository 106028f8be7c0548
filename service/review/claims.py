"""Claims: a moderator's 10-minute lease on a comment, so two people don't decide the same one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.models import FINAL_STATUSES, LEGAL_REVIEW, PENDING, REVIEW, Comment, Moderator, as_utc, utcnow
from service.review.access import can_see_legal_queue, check_reach, load_comment
from service.review.audit import actor_name, audit, iso, review_state
from service.review.errors import ReviewError

LEASE = timedelta(minutes=10)


def held_by_other(comment: Comment, moderator: Moderator, now: datetime) -> bool:
    expires = as_utc(comment.claim_expires_at)
    return bool(comment.claimed_by and comment.claimed_by != moderator.id and expires and expires > now)


def free_for(moderator: Moderator, now: datetime):
    """SQL: no other moderator holds the comment's lease (held_by_other, as a compare-and-set condition)."""
    return or_(
        Comment.claimed_by.is_(None),
        Comment.claimed_by == moderator.id,
        Comment.claim_expires_at.is_(None),
        Comment.claim_expires_at <= now,
    )


def _check_claimable(comment: Comment, moderator: Moderator, now: datetime) -> None:
    check_reach(comment, moderator)
    if comment.status in FINAL_STATUSES:
        raise ReviewError(409, "already_decided", f"The comment is already {comment.status}.")
    if comment.status == PENDING:
        raise ReviewError(409, "not_in_review", "The comment has not been scored yet.")
    if held_by_other(comment, moderator, now):
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")


def _take_lease(session: Session, comment: Comment, moderator: Moderator, now: datetime) -> bool:
    """Take the lease unless, since the read, another moderator took it or the comment left the queues it can be
    claimed in. A compare-and-set, for SQLite, which has no row locks; on PostgreSQL the row is locked since the
    read, and it always succeeds."""
    statuses = (REVIEW, LEGAL_REVIEW) if can_see_legal_queue(moderator.role) else (REVIEW,)
    expires = now + LEASE
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status.in_(statuses), free_for(moderator, now))
        .values(claimed_by=moderator.id, claim_expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(comment, "claimed_by", moderator.id)
    set_committed_value(comment, "claim_expires_at", expires)
    return True


def claim(session: Session, comment_id: str, moderator: Moderator, now: datetime | None = None) -> dict:
    """Take (or, for the holder, extend) the 10-minute lease. FOR UPDATE, or on SQLite _take_lease, serialises racing
    claims."""
    now = now or utcnow()
    comment = load_comment(session, comment_id, lock=True)
    _check_claimable(comment, moderator, now)
    before = review_state(comment)
    if not _take_lease(session, comment, moderator, now):
        session.refresh(comment)
        _check_claimable(comment, moderator, now)  # says what changed meanwhile
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")
    audit(
        session,
        actor=actor_name(moderator),
        action="claim",
        comment=comment,
        before=before,
        after=review_state(comment),
        now=now,
    )
    return {
        "id": comment.id,
        "claimed_by": moderator.id,
        "claim_expires_at": iso(comment.claim_expires_at),
        "status": comment.status,
        "revision": comment.current_revision,
    }
