"""The audit trail: who did what to which comment, when, before/after and why.

A comment's history also opens with the automatic decisions, built from the decision rows and the
scores of their revision rather than stored twice, merged in time order with the moderators' events.
Edits overtaken by a later one (kept as revisions that never became current) are shown the same way.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Comment, CommentRevision, Decision, Moderator, Score, as_utc, utcnow
from service.review.access import can_see_legal_queue, check_reach, load_comment


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


AUTO_DECISION = "auto_decision"
AUTOMATIC_ACTOR = "kavalu"
OVERTAKEN_EDIT = "overtaken_edit"
PUBLISHER_ACTOR = "publisher"
# Audit actions of lawful disclosure (service/review/disclosure.py): in a comment's history for the legal and admin
# roles only.
DISCLOSURE_ACTIONS = ("sender_details_viewed", "sender_details_exported")


def comment_history(session: Session, comment_id: str, moderator: Moderator) -> list[dict]:
    """Every automatic decision, overtaken edit and audit event of the comment, oldest first."""
    comment = load_comment(session, comment_id)
    check_reach(comment, moderator)
    query = select(AuditEvent).where(AuditEvent.comment_id == comment.id)
    if not can_see_legal_queue(moderator.role):  # that an authority asked, and its case reference, are legal matters
        query = query.where(AuditEvent.action.not_in(DISCLOSURE_ACTIONS))
    events = session.scalars(query.order_by(AuditEvent.id))
    # Each list is in its own order already; on a tie in time the automatic decision comes first.
    return list(
        heapq.merge(
            automatic_decisions(session, comment.id),
            overtaken_edits(session, comment.id),
            (audit_dict(e) for e in events),
            key=lambda entry: as_utc(datetime.fromisoformat(entry["created_at"])),
        )
    )


def automatic_decisions(session: Session, comment_id: str) -> list[dict]:
    """One entry per automatic decision, with the scorers' model versions for that revision."""
    decisions = session.scalars(
        select(Decision).where(Decision.comment_id == comment_id, Decision.decided_by == "auto").order_by(Decision.id)
    ).all()
    if not decisions:
        return []
    versions: dict[int, dict[str, str]] = {}
    for revision, scorer, model_version in session.execute(
        select(Score.revision, Score.scorer, Score.model_version)
        .where(Score.comment_id == comment_id, Score.revision.in_(sorted({d.revision for d in decisions})))
        .distinct()
        .order_by(Score.revision, Score.scorer)
    ):
        versions.setdefault(revision, {})[scorer] = model_version
    return [
        {
            "action": AUTO_DECISION,
            "actor": AUTOMATIC_ACTOR,
            "created_at": iso(decision.decided_at),
            "decision_id": decision.id,
            "revision": decision.revision,
            "status": decision.status,
            "reasons": decision.reasons,
            "scores": decision.scores,
            "model_versions": versions.get(decision.revision, {}),
            "policy_version": decision.policy_version,
        }
        for decision in decisions
    ]


def overtaken_edits(session: Session, comment_id: str) -> list[dict]:
    """One entry per edit that arrived after a later one: its text, kept but never current, scored or decided."""
    revisions = session.scalars(
        select(CommentRevision)
        .where(CommentRevision.comment_id == comment_id, CommentRevision.overtaken_by.is_not(None))
        .order_by(CommentRevision.number)
    )
    return [
        {
            "action": OVERTAKEN_EDIT,
            "actor": PUBLISHER_ACTOR,
            "created_at": iso(revision.created_at),
            "revision": revision.number,
            "after": {"text": revision.text, "overtaken_by": revision.overtaken_by},
        }
        for revision in revisions
    ]


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
