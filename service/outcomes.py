"""Recording a decision: the comment's new status, the decision row, and the publisher's outbound event.

Both the scoring worker and the review flow call `record_decision`, so every
decision reaches the publisher the same way: an outbound event row written in
the same transaction, delivered by a task enqueued only after commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session

from service.db import run_after_commit
from service.models import FINAL_STATUSES, Comment, Decision, OutboundEvent, new_id, utcnow
from service.observability import COMMENTS_DECIDED


def callback_payload(event_id: str, comment: Comment, decision: Decision) -> dict:
    return {
        "event_id": event_id,
        "type": "comment.decided",
        "created_at": decision.decided_at.isoformat(),
        "data": {
            "id": comment.id,
            "comment_id": comment.external_id,
            "revision": decision.revision,
            "status": decision.status,
            "decided_by": decision.decided_by,
            "reasons": decision.reasons,
            "scores": decision.scores,
            "decided_at": decision.decided_at.isoformat(),
        },
    }


def record_decision(
    session: Session,
    comment: Comment,
    *,
    status: str,
    decided_by: str,
    reasons: list[dict],
    scores: dict[str, float],
    policy_version: int,
    enqueue_delivery: Callable[[str], object] | None,
    actor: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Set the comment's status and append a decision; a final one (approved/rejected) also gets an outbound event."""
    now = now or utcnow()
    decision = Decision(
        comment_id=comment.id,
        publisher_id=comment.publisher_id,
        revision=comment.current_revision,
        status=status,
        decided_by=decided_by,
        actor=actor,
        reasons=reasons,
        scores=scores,
        policy_version=policy_version,
        decided_at=now,
    )
    session.add(decision)
    comment.status = status
    comment.decided_by = decided_by
    comment.updated_at = now
    comment.claimed_by = None
    comment.claim_expires_at = None
    session.flush()
    COMMENTS_DECIDED.labels(status=status, decided_by=decided_by).inc()
    if status in FINAL_STATUSES:
        # The id is made here so the payload (NOT NULL) is complete on the first INSERT.
        event = OutboundEvent(id=new_id("evt"), publisher_id=comment.publisher_id, comment_id=comment.id,
                              decision_id=decision.id, next_attempt_at=now, created_at=now)
        event.payload = callback_payload(event.id, comment, decision)
        session.add(event)
        session.flush()
        if enqueue_delivery is not None:
            event_id = event.id
            run_after_commit(session, lambda: enqueue_delivery(event_id))
    return decision
