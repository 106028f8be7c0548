"""The audit trail: who did what to which comment, when, before/after and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Comment, Moderator, as_utc, utcnow
from service.review.access import check_reach, load_comment


def iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, the way the audit trail and every review view show times."""
    value = as_utc(value)
    return value.isoformat() if value else None


def actor_name(moderator: Moderator) -> str:
    return f"{moderator.role}:{moderator.id} ({moderator.name})"


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    comment: Comment | None = None,
    publisher_id: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        comment_id=comment.id if comment is not None else None,
        publisher_id=comment.publisher_id if comment is not None else publisher_id,
        actor=actor,
        action=action,
        before=before,
        after=after,
        reason=reason,
        created_at=now or utcnow(),
    )
    session.add(event)
    return event


def review_state(comment: Comment) -> dict:
    """What a claim or decision audit event records as `before` and `after`."""
    return {
        "status": comment.status,
        "decided_by": comment.decided_by,
        "revision": comment.current_revision,
        "claimed_by": comment.claimed_by,
        "claim_expires_at": iso(comment.claim_expires_at),
    }


def comment_history(session: Session, comment_id: str, moderator: Moderator) -> list[dict]:
    comment = load_comment(session, comment_id)
    check_reach(comment, moderator)
    events = session.scalars(select(AuditEvent).where(AuditEvent.comment_id == comment.id).order_by(AuditEvent.id))
    return [audit_dict(e) for e in events]


def audit_dict(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "actor": event.actor,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "created_at": iso(event.created_at),
    }
