"""Claims: a moderator's 10-minute lease on a comment, so two people don't decide the same one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.models import FINAL_STATUSES, PENDING, Comment, Moderator, as_utc, utcnow
from service.review.access import check_reach, load_comment
from service.review.audit import actor_name, audit, iso, review_state
from service.review.errors import ReviewError

LEASE = timedelta(minutes=10)


def held_by_other(comment: Comment, moderator: Moderator, now: datetime) -> bool:
    expires = as_utc(comment.claim_expires_at)
    return bool(comment.claimed_by and comment.claimed_by != moderator.id and expires and expires > now)


def claim(session: Session, comment_id: str, moderator: Moderator, now: datetime | None = None) -> dict:
    """Take (or, for the holder, extend) the 10-minute lease. SELECT ... FOR UPDATE serialises racing claims."""
    now = now or utcnow()
    comment = load_comment(session, comment_id, lock=True)
    check_reach(comment, moderator)
    if comment.status in FINAL_STATUSES:
        raise ReviewError(409, "already_decided", f"The comment is already {comment.status}.")
    if comment.status == PENDING:
        raise ReviewError(409, "not_in_review", "The comment has not been scored yet.")
    if held_by_other(comment, moderator, now):
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")
    before = review_state(comment)
    comment.claimed_by = moderator.id
    comment.claim_expires_at = now + LEASE
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
