"""Who may reach what: the legal queue, sender details, overturning; and loading the comment a request names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import LEGAL_REVIEW, Comment, Moderator
from service.review.errors import ReviewError, not_found

LEGAL_QUEUE_ROLES = ("legal", "admin")
# Sender details (IP, user agent) are shown to the legal role only (docs/api.md).
SENDER_ROLES = ("legal",)
OVERTURN_ROLES = ("legal", "admin")


def can_see_legal_queue(role: str) -> bool:
    return role in LEGAL_QUEUE_ROLES


def can_see_sender(role: str) -> bool:
    return role in SENDER_ROLES


def load_comment(session: Session, comment_id: str, lock: bool = False) -> Comment:
    """The comment by Kavalu id, or a 404 (also for ids no comment could have)."""
    if not comment_id or len(comment_id) > 40 or not comment_id.isprintable():
        raise not_found()
    query = select(Comment).where(Comment.id == comment_id)
    if lock:
        query = query.with_for_update()
    comment = session.scalars(query).first()
    if comment is None:
        raise not_found()
    return comment


def check_reach(comment: Comment, moderator: Moderator) -> None:
    if comment.status == LEGAL_REVIEW and not can_see_legal_queue(moderator.role):
        raise ReviewError(403, "forbidden", "This comment is in the legal queue.")
