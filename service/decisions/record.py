"""Recording a decision: the comment's new status, the decision row, and the publisher's outbound event.

Both the scoring worker and the review flow call `record_decision`, so every
decision reaches the publisher the same way: an outbound event row written in
the same transaction, delivered by a task enqueued only after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.db import insert_many, run_after_commit
from service.models import (
    EVENT_FAILED,
    EVENT_PENDING,
    FINAL_STATUSES,
    NO_CALLBACK_URL,
    Comment,
    Decision,
    OutboundEvent,
    Publisher,
    as_utc,
    new_id,
    utcnow,
)
from service.ops.metrics import COMMENTS_DECIDED


def publisher_reasons(reasons: list[dict]) -> list[dict]:
    """A decision's reasons as the publisher sees them: without a moderator's note, which is written for the other
    moderators and the audit trail (and may quote what the publisher must not see, such as the sender's details)."""
    return [{key: value for key, value in reason.items() if key != "note"} for reason in reasons]


def callback_payload(event_id: str, comment: Comment, decision: Decision) -> dict:
    decided_at = as_utc(decision.decided_at).isoformat()
    return {
        "event_id": event_id,
        "type": "comment.decided",
        "created_at": decided_at,
        "data": {
            "id": comment.id,
            "comment_id": comment.external_id,
            "revision": decision.revision,
            "status": decision.status,
            "decided_by": decision.decided_by,
            "reasons": publisher_reasons(decision.reasons),
            "scores": decision.scores,
            "decided_at": decided_at,
            "language": comment.language,
            "detected_language": comment.detected_language,
        },
    }


@dataclass
class NewDecision:
    """What to record for one comment; see record_decisions."""

    comment: Comment
    status: str
    reasons: list[dict]
    scores: dict[str, float]
    policy_version: int


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
    return record_decisions(
        session,
        [NewDecision(comment, status, reasons, scores, policy_version)],
        decided_by=decided_by,
        enqueue_deliveries=one_by_one(enqueue_delivery),
        actor=actor,
        now=now,
    )[0]


def one_by_one(enqueue_delivery: Callable[[str], object] | None) -> Callable[[list[str]], object] | None:
    """An enqueue_deliveries for callers that send one task per event."""
    if enqueue_delivery is None:
        return None
    return lambda event_ids: [enqueue_delivery(event_id) for event_id in event_ids]


def record_decisions(
    session: Session,
    new: list[NewDecision],
    *,
    decided_by: str,
    enqueue_deliveries: Callable[[list[str]], object] | None,
    actor: str | None = None,
    now: datetime | None = None,
) -> list[Decision]:
    """record_decision for many comments at once: two INSERTs in all, however many there are.

    After commit, `enqueue_deliveries` gets each publisher's new event ids, in order."""
    now = now or utcnow()
    for item in new:  # before the INSERT, whose autoflush then writes all of these in one round
        comment = item.comment
        comment.status = item.status
        comment.decided_by = decided_by
        comment.updated_at = now
        comment.claimed_by = None
        comment.claim_expires_at = None
    # Bulk INSERT .. RETURNING: one statement for the batch, without the unit of work's per-object cost.
    decisions = list(
        session.scalars(
            insert(Decision).returning(Decision, sort_by_parameter_order=True),
            [
                dict(
                    comment_id=item.comment.id,
                    publisher_id=item.comment.publisher_id,
                    revision=item.comment.current_revision,
                    status=item.status,
                    decided_by=decided_by,
                    actor=actor,
                    reasons=item.reasons,
                    scores=item.scores,
                    policy_version=item.policy_version,
                    decided_at=now,
                )
                for item in new
            ],
        )
    )
    events = []
    for item, decision in zip(new, decisions):
        COMMENTS_DECIDED.labels(status=item.status, decided_by=decided_by).inc()
        if item.status in FINAL_STATUSES:
            event_id = new_id("evt")
            events.append(
                dict(
                    id=event_id,
                    publisher_id=item.comment.publisher_id,
                    comment_id=item.comment.id,
                    decision_id=decision.id,
                    payload=callback_payload(event_id, item.comment, decision),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if events:
        with_callback = set(
            session.scalars(
                select(Publisher.id).where(
                    Publisher.id.in_({event["publisher_id"] for event in events}),
                    Publisher.callback_url.is_not(None),
                    Publisher.callback_url != "",
                )
            )
        )
        for event in events:
            # Without a callback URL there is nothing to send: the event ends as a delivery attempt
            # would end it, and the publisher reads the pull feed (`redeliver` sends it once there is a URL).
            sendable = event["publisher_id"] in with_callback
            event.update(
                status=EVENT_PENDING if sendable else EVENT_FAILED, last_error=None if sendable else NO_CALLBACK_URL
            )
        insert_many(session, OutboundEvent.__table__, events)
        if enqueue_deliveries is not None:
            by_publisher: dict[str, list[str]] = {}
            for event in events:
                if event["status"] == EVENT_PENDING:
                    by_publisher.setdefault(str(event["publisher_id"]), []).append(str(event["id"]))
            run_after_commit(session, lambda: [enqueue_deliveries(ids) for ids in by_publisher.values()])
    return decisions
