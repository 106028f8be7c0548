"""Lawful disclosure: sender details (IP, user agent, email, name, times) for an authority's request, always audited.

Read by the legal role through /v1/legal/.../sender, or exported with `kavalu legal export`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Comment, Moderator, SenderDetails, utcnow
from service.review.access import can_see_sender, load_comment
from service.review.audit import DISCLOSURE_ACTIONS, actor_name, audit, iso
from service.review.errors import ReviewError

SENDER_DETAILS_VIEWED, SENDER_DETAILS_EXPORTED = DISCLOSURE_ACTIONS


def _check_reference(reference: str | None) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ReviewError(
            400, "request_reference_required", "Give the authority's request reference.", "request_reference"
        )
    if len(reference) > 200 or any(ord(ch) < 32 for ch in reference):
        raise ReviewError(400, "invalid_request_reference", "At most 200 printable characters.", "request_reference")
    return reference


def _sender_rows(session: Session, comment: Comment) -> list[dict]:
    rows = session.scalars(
        select(SenderDetails).where(SenderDetails.comment_id == comment.id).order_by(SenderDetails.revision)
    )
    return [
        {
            "revision": s.revision,
            "ip": s.ip,
            "user_agent": s.user_agent,
            "email": s.email,
            "name": s.name,
            "submitted_at": iso(s.submitted_at),
            "received_at": iso(s.received_at),
        }
        for s in rows
    ]


def sender_details(
    session: Session, comment_id: str, moderator: Moderator, request_reference: str | None, now: datetime | None = None
) -> dict:
    """Sender details of every revision, for the legal role, with the authority's reference; audited."""
    if not can_see_sender(moderator.role):
        raise ReviewError(403, "forbidden", "Sender details are for the legal role only.")
    reference = _check_reference(request_reference)
    comment = load_comment(session, comment_id)
    return _disclose(session, comment, actor_name(moderator), reference, SENDER_DETAILS_VIEWED, now)


def _disclose(
    session: Session, comment: Comment, actor: str, reference: str, action: str, now: datetime | None
) -> dict:
    rows = _sender_rows(session, comment)
    current = next((r for r in rows if r["revision"] == comment.current_revision), rows[-1] if rows else {})
    audit(
        session,
        actor=actor,
        action=action,
        comment=comment,
        reason=reference,
        now=now,
        after={"request_reference": reference, "revisions": [r["revision"] for r in rows]},
    )
    return {
        "id": comment.id,
        "comment_id": comment.external_id,
        "publisher_id": comment.publisher_id,
        "request_reference": reference,
        "revision": comment.current_revision,
        **{k: current.get(k) for k in ("ip", "user_agent", "email", "name", "submitted_at", "received_at")},
        "revisions": rows,
    }


def legal_export(
    session: Session, comment_ids: list[str], request_reference: str, actor: str, now: datetime | None = None
) -> dict:
    """Sender details of several comments for an authority's request; one audit event per comment."""
    now = now or utcnow()
    reference = _check_reference(request_reference)
    actor = (actor or "").strip()
    if not actor:
        raise ReviewError(400, "actor_required", "Say who is exporting.", "actor")
    comments = []
    for comment_id in dict.fromkeys(comment_ids):
        comments.append(load_comment(session, comment_id))
    return {
        "request_reference": reference,
        "exported_at": now.isoformat(),
        "exported_by": actor,
        "comments": [_disclose(session, c, actor, reference, SENDER_DETAILS_EXPORTED, now) for c in comments],
    }
