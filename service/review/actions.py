"""Moderator actions on a comment: approve, reject, escalate, redact, overturn; and the bulk approve/reject.

- approve | reject (reason code required) | escalate (review → legal_review)
  | redact (spans replaced, original kept in CommentRevision.text; the comment is
  approved with its redacted text, a final decision the publisher is called back with).
- An approved or rejected comment can be changed again only with `overturn: true`
  by the legal or admin role; a redaction of an approved comment is allowed to any
  role (it only makes it safer). Both create a new decision and outbound event.
- `expected_revision` / `if_status` in a decision request make a stale decision 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.decisions.record import record_decision
from service.models import (
    APPROVED,
    FINAL_STATUSES,
    LEGAL_REVIEW,
    PENDING,
    REJECTED,
    Comment,
    CommentRevision,
    Decision,
    Moderator,
    OutboundEvent,
    Publisher,
    utcnow,
)
from service.review.access import OVERTURN_ROLES, check_reach, load_comment
from service.review.audit import actor_name, audit, review_state
from service.review.claims import free_for, held_by_other
from service.review.errors import ReviewError
from service.review.feedback import record_feedback
from service.review.redaction import REDACTION_MODES, check_spans, redact_text

ACTIONS = ("approve", "reject", "escalate", "redact")
BULK_ACTIONS = ("approve", "reject")
MAX_BULK = 100
REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _latest_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(Decision.comment_id == comment.id, Decision.revision == comment.current_revision)
        .order_by(Decision.id.desc())
        .limit(1)
    ).first()


def _unchanged_since_read(session: Session, comment: Comment, moderator: Moderator, now: datetime) -> None:
    """Refuse the action (409) if an edit, another decision or another moderator's claim changed the comment since
    it was read and checked.

    A compare-and-set, for SQLite: it has no row locks (FOR UPDATE is left out) and reads run outside the
    transaction, so without it a decision made on one revision could land on the next, which nobody has seen
    or scored, or on a comment another moderator has just claimed. As a write, it also keeps other writers out
    until the commit. On PostgreSQL the row is locked since the read, and it always succeeds.
    """
    seen_revision, seen_status = comment.current_revision, comment.status
    result = session.execute(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.current_revision == seen_revision,
            Comment.status == seen_status,
            free_for(moderator, now),
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return
    session.refresh(comment)
    if comment.current_revision != seen_revision:
        raise ReviewError(
            409, "stale_revision", f"The comment was edited meanwhile: it is at revision {comment.current_revision}."
        )
    if held_by_other(comment, moderator, now):
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")
    raise ReviewError(409, "stale_status", f"The comment changed meanwhile: it is {comment.status} now.")


def take_action(
    session: Session,
    comment_id: str,
    moderator: Moderator,
    *,
    action: str,
    enqueue_delivery: Callable[[str], object] | None,
    reason: str | None = None,
    note: str | None = None,
    spans: list[dict] | None = None,
    redaction: str = "block",
    expected_revision: int | None = None,
    if_status: str | None = None,
    overturn: bool = False,
    now: datetime | None = None,
) -> dict:
    """Apply one moderator action; raises ReviewError (403/404/409/422) instead of acting."""
    now = now or utcnow()
    if action not in ACTIONS:
        raise ReviewError(422, "invalid_action", f"action is one of {', '.join(ACTIONS)}.", "action")
    if reason is not None and not REASON_CODE.match(reason):
        raise ReviewError(422, "invalid_reason", "reason is a code: lower-case letters, digits and _.", "reason")
    if action == "reject" and not reason:
        raise ReviewError(422, "reason_required", "A rejection needs a reason code.", "reason")
    if redaction not in REDACTION_MODES:
        raise ReviewError(422, "invalid_redaction", "redaction is block or label.", "redaction")

    comment = load_comment(session, comment_id, lock=True)
    check_reach(comment, moderator)
    if expected_revision is not None and expected_revision != comment.current_revision:
        raise ReviewError(409, "stale_revision", f"The comment is at revision {comment.current_revision}.")
    if if_status is not None and if_status != comment.status:
        raise ReviewError(409, "stale_status", f"The comment is {comment.status}, not {if_status}.")
    if comment.status == PENDING:
        raise ReviewError(409, "not_in_review", "The comment has not been scored yet.")
    if held_by_other(comment, moderator, now):
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")

    target = {"approve": APPROVED, "reject": REJECTED, "escalate": LEGAL_REVIEW, "redact": APPROVED}[action]
    is_change = comment.status in FINAL_STATUSES
    if is_change:
        redacting_approved = action == "redact" and comment.status == APPROVED
        if not redacting_approved:
            if not overturn:
                raise ReviewError(409, "already_decided", f"The comment is already {comment.status}.")
            if moderator.role not in OVERTURN_ROLES:
                raise ReviewError(403, "forbidden", "Only the legal and admin roles may overturn a decision.")
            if action == "escalate" or target == comment.status:
                raise ReviewError(409, "already_decided", f"The comment is already {comment.status}.")
    elif overturn:
        raise ReviewError(409, "not_decided", "Nothing to overturn: the comment is not decided yet.")
    if action == "escalate" and comment.status == LEGAL_REVIEW:
        raise ReviewError(409, "already_escalated", "The comment is already in the legal queue.")
    _unchanged_since_read(session, comment, moderator, now)

    revision = session.scalars(
        select(CommentRevision).where(
            CommentRevision.comment_id == comment.id, CommentRevision.number == comment.current_revision
        )
    ).one()
    before = review_state(comment)
    redacted_before = revision.redacted_text
    if action == "redact":
        clean = check_spans(spans, len(revision.text))
        revision.redacted_text = redact_text(revision.text, clean, redaction)

    previous = _latest_decision(session, comment)
    reasons = [
        {
            "code": reason
            or (
                "redacted"
                if action == "redact"
                else "moderator_" + {"approve": "approved", "escalate": "escalated"}.get(action, action)
            ),
            "score": None,
            "threshold": None,
            "source": "moderator",
        }
    ]
    if note:
        reasons[0]["note"] = note
    scores = dict(previous.scores) if previous else {}
    publisher = session.get(Publisher, comment.publisher_id)
    decision = record_decision(
        session,
        comment,
        status=target,
        decided_by="moderator",
        reasons=reasons,
        scores=scores,
        policy_version=publisher.policy_version if publisher else 1,
        enqueue_delivery=enqueue_delivery,
        actor=actor_name(moderator),
        now=now,
    )
    if action == "redact":
        # The publisher needs the text to show instead of the original.
        for event in session.scalars(select(OutboundEvent).where(OutboundEvent.decision_id == decision.id)):
            payload = dict(event.payload)
            payload["data"] = {**payload["data"], "redacted_text": revision.redacted_text}
            event.payload = payload

    after = review_state(comment)
    common: dict[str, Any] = dict(
        actor=actor_name(moderator), comment=comment, now=now, reason=" | ".join(x for x in (reason, note) if x) or None
    )
    if action == "redact":
        audit(
            session,
            action="redaction",
            before={**before, "redacted_text": redacted_before},
            after={**after, "redacted_text": revision.redacted_text, "spans": clean, "decision_id": decision.id},
            **common,
        )
    elif action == "escalate":
        audit(session, action="escalation", before=before, after={**after, "decision_id": decision.id}, **common)
    else:
        audit(
            session,
            action="overturn" if is_change else "decision",
            before=before,
            after={**after, "decision_id": decision.id},
            **common,
        )

    if target in FINAL_STATUSES:
        record_feedback(session, comment, revision, moderator, target, reason, now)
    return {
        "id": comment.id,
        "status": comment.status,
        "decided_by": comment.decided_by,
        "revision": comment.current_revision,
        "decision_id": decision.id,
        "reasons": reasons,
        "redacted_text": revision.redacted_text,
    }


def take_bulk_action(
    session: Session,
    ids: list[str],
    moderator: Moderator,
    *,
    action: str,
    enqueue_delivery,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """approve/reject each id with the same checks as one action; one failure does not undo the others."""
    if action not in BULK_ACTIONS:
        raise ReviewError(422, "invalid_action", "Bulk action is approve or reject.", "action")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_BULK:
        raise ReviewError(422, "invalid_ids", f"Give 1 to {MAX_BULK} comment ids.", "ids")
    if action == "reject" and not reason:
        raise ReviewError(422, "reason_required", "A rejection needs a reason code.", "reason")
    now = now or utcnow()
    results = []
    seen = set()
    for comment_id in ids:
        if comment_id in seen:
            results.append(
                {
                    "id": comment_id,
                    "ok": False,
                    "status": None,
                    "error": {"code": "duplicate_id", "message": "Listed twice.", "http_status": 422},
                }
            )
            continue
        seen.add(comment_id)
        savepoint = session.begin_nested()
        try:
            outcome = take_action(
                session,
                comment_id,
                moderator,
                action=action,
                reason=reason,
                note=note,
                enqueue_delivery=enqueue_delivery,
                now=now,
            )
            savepoint.commit()
            results.append({"id": comment_id, "ok": True, "status": outcome["status"], "error": None})
        except ReviewError as error:
            savepoint.rollback()
            results.append(
                {
                    "id": comment_id,
                    "ok": False,
                    "status": None,
                    "error": {"code": error.code, "message": error.message, "http_status": error.status},
                }
            )
    return results
