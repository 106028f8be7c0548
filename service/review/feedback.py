"""Feedback: moderator decisions that differ from the automatic one, kept as labelled examples for `kavalu eval`.

A redacted revision is no example: what the moderator cut out must not be kept in a training file, and the rest,
approved, says nothing about what had to be cut. Its examples go when it is redacted (record_feedback runs after
every final decision, a redaction included), and the export leaves out any that an older version kept.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import APPROVED, REJECTED, Comment, CommentRevision, Decision, FeedbackExample, Moderator
from service.review.audit import actor_name


def _automatic_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(
            Decision.comment_id == comment.id,
            Decision.revision == comment.current_revision,
            Decision.decided_by == "auto",
        )
        .order_by(Decision.id.desc())
        .limit(1)
    ).first()


def record_feedback(
    session: Session,
    comment: Comment,
    revision: CommentRevision,
    moderator: Moderator,
    target: str,
    reason: str | None,
    now: datetime,
) -> None:
    """A moderator's final decision that differs from the automatic one is a labelled example.

    Label 1 = reject-worthy: a rejection. A redacted revision gives none, and loses those it had.
    """
    if revision.redacted_text is not None:
        session.execute(
            delete(FeedbackExample).where(
                FeedbackExample.comment_id == comment.id, FeedbackExample.revision == revision.number
            )
        )
        return
    automatic = _automatic_decision(session, comment)
    if automatic is None:
        return
    label = 1 if target == REJECTED else 0
    automatic_label = 1 if automatic.status == REJECTED else 0 if automatic.status == APPROVED else None
    if automatic_label == label:  # the machine said the same; a "review" always counts as differing
        return
    session.add(
        FeedbackExample(
            comment_id=comment.id,
            revision=revision.number,
            text=revision.text,
            label=label,
            automatic_status=automatic.status,
            moderator_status=target,
            reason=reason,
            actor=actor_name(moderator),
            created_at=now,
        )
    )


def feedback_rows(session: Session) -> list[dict]:
    """The moderators' overrides, then the scores clients suggested through Perspective's suggestscore."""
    from service.analyze.suggestions import suggestion_rows

    return override_rows(session) + suggestion_rows(session)


def override_rows(session: Session) -> list[dict]:
    """The latest example per comment revision, oldest first; none of a redacted revision."""
    latest: dict[tuple[str, int], FeedbackExample] = {}
    examples = session.scalars(
        select(FeedbackExample)
        .join(
            CommentRevision,
            (CommentRevision.comment_id == FeedbackExample.comment_id)
            & (CommentRevision.number == FeedbackExample.revision),
        )
        .where(CommentRevision.redacted_text.is_(None))
        .order_by(FeedbackExample.id)
    )
    for example in examples:
        latest[(example.comment_id, example.revision)] = example
    return [
        {"text": e.text, "label": e.label, "source": "moderator"} for e in sorted(latest.values(), key=lambda e: e.id)
    ]


def rows_to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["text", "label", "source"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def feedback_csv(session: Session) -> str:
    return rows_to_csv(feedback_rows(session))
