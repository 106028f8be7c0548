"""The publisher's pull feed: every final decision, oldest first, paged by an opaque cursor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import FINAL_STATUSES, Comment, Decision, as_utc


class InvalidCursor(ValueError):
    pass


MAX_CURSOR = 2**63 - 1


def parse_cursor(raw: str | None) -> int:
    """The feed cursor is the last decision's sequence number, as a decimal string (clients treat it as opaque)."""
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > MAX_CURSOR:
        raise InvalidCursor("after must be a cursor returned as `next` by this feed")
    return int(raw)


def decision_view(decision: Decision, comment: Comment) -> dict:
    """The same fields as a callback's `data`, plus the feed sequence."""
    return {
        "sequence": str(decision.id),
        "id": decision.comment_id,
        "comment_id": comment.external_id,
        "revision": decision.revision,
        "status": decision.status,
        "decided_by": decision.decided_by,
        "reasons": decision.reasons,
        "scores": decision.scores,
        "decided_at": as_utc(decision.decided_at),
        "language": comment.language,
        "detected_language": comment.detected_language,
    }


def decision_feed(session: Session, publisher_id: str, after: str | None, limit: int) -> dict:
    """Final decisions of one publisher after the cursor, oldest first: {"data", "next", "has_more"}.

    `next` is always set (to the incoming cursor when the page is empty), so a
    client simply polls with the `next` it last got.
    """
    position = parse_cursor(after)
    rows = session.execute(
        select(Decision, Comment)
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Decision.publisher_id == publisher_id, Decision.id > position, Decision.status.in_(FINAL_STATUSES))
        .order_by(Decision.id)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [decision_view(decision, comment) for decision, comment in rows]
    return {"data": items, "next": items[-1]["sequence"] if items else str(position), "has_more": has_more}
