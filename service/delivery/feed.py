"""The publisher's pull feed: every final decision, oldest first, paged by an opaque cursor."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.decisions.record import publisher_reasons
from service.models import FINAL_STATUSES, Comment, CommentRevision, Decision, as_utc


class InvalidCursor(ValueError):
    pass


MAX_CURSOR = 2**63 - 1
# One request numbers at most this many decisions (the API's statement timeout is short); the next polls go on.
NUMBER_AT_ONCE = 5000
FEED_NUMBERING_LOCK_ID = 4242003  # beside service/task_names.py's advisory locks

_NUMBER_DECISIONS = text(
    """
    UPDATE decisions SET feed_position = numbered.position
    FROM (
        SELECT id, (SELECT COALESCE(MAX(feed_position), 0) FROM decisions) + ROW_NUMBER() OVER (ORDER BY id) AS position
        FROM decisions WHERE feed_position IS NULL ORDER BY id LIMIT :limit
    ) AS numbered
    WHERE decisions.id = numbered.id
    """
)


def number_decisions(session: Session, limit: int = NUMBER_AT_ONCE) -> bool:
    """Give the committed decisions that have no feed position the next ones, oldest first; True if more wait.

    A decision is numbered only once its transaction has committed (a statement sees no other rows), after every
    position given before, so a publisher's cursor never passes a decision the feed has not listed yet. One
    numbering at a time: an advisory lock on PostgreSQL (a request that finds it taken reads what is numbered, and
    the other's rows show at its next poll), the single writer's lock on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        taken = session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": FEED_NUMBERING_LOCK_ID})
        if not taken.scalar():
            return False
    return session.execute(_NUMBER_DECISIONS, {"limit": limit}).rowcount >= limit  # type: ignore[attr-defined]


def parse_cursor(raw: str | None) -> int:
    """The feed cursor is the last decision's sequence number, as a decimal string (clients treat it as opaque)."""
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > MAX_CURSOR:
        raise InvalidCursor("after must be a cursor returned as `next` by this feed")
    return int(raw)


def decision_view(decision: Decision, comment: Comment, redacted_text: str | None = None) -> dict:
    """The same fields as a callback's `data`, plus the feed sequence and the revision's redacted text."""
    return {
        "sequence": str(decision.feed_position),
        "id": decision.comment_id,
        "comment_id": comment.external_id,
        "revision": decision.revision,
        "status": decision.status,
        "decided_by": decision.decided_by,
        "reasons": publisher_reasons(decision.reasons),
        "scores": decision.scores,
        "decided_at": as_utc(decision.decided_at),
        "language": comment.language,
        "detected_language": comment.detected_language,
        # A moderator's redaction: the text to show instead of the original (null when there is none).
        "redacted_text": redacted_text if decision.status == "approved" else None,
    }


def decision_feed(session: Session, publisher_id: str, after: str | None, limit: int) -> dict:
    """Final decisions of one publisher after the cursor, oldest first: {"data", "next", "has_more"}.

    `next` is always set (to the incoming cursor when the page is empty), so a
    client simply polls with the `next` it last got.
    """
    position = parse_cursor(after)
    more_to_number = number_decisions(session)
    session.commit()  # before the page is read: a position shown to a publisher is one kept
    rows = session.execute(
        select(Decision, Comment, CommentRevision.redacted_text)
        .join(Comment, Comment.id == Decision.comment_id)
        .outerjoin(
            CommentRevision,
            (CommentRevision.comment_id == Decision.comment_id) & (CommentRevision.number == Decision.revision),
        )
        .where(
            Decision.publisher_id == publisher_id,
            Decision.feed_position > position,
            Decision.status.in_(FINAL_STATUSES),
        )
        .order_by(Decision.feed_position)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit or more_to_number
    rows = rows[:limit]
    items = [decision_view(decision, comment, redacted) for decision, comment, redacted in rows]
    return {"data": items, "next": items[-1]["sequence"] if items else str(position), "has_more": has_more}
