"""Feedback: moderator decisions that differ from the automatic one, kept as labelled examples for `kavalu eval`."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
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
    action: str,
    reason: str | None,
    now: datetime,
) -> None:
    """A moderator's final decision that differs from the automatic one is a labelled example.

    Label 1 = reject-worthy: a rejection, or a redaction (the original text had to be cut).
    """
    automatic = _automatic_decision(session, comment)
    if automatic is None:
        return
    label = 1 if target == REJECTED or action == "redact" else 0
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
            reason=(reason or ("redacted" if action == "redact" else None)),
            actor=actor_name(moderator),
            created_at=now,
        )
    )


def feedback_rows(session: Session) -> list[dict]:
    """The moderators' overrides, then the scores clients suggested through Perspective's suggestscore."""
    from service.analyze.suggestions import suggestion_rows

    return override_rows(session) + suggestion_rows(session)


def override_rows(session: Session) -> list[dict]:
    """The latest example per comment revision, oldest first."""
    latest: dict[tuple[str, int], FeedbackExample] = {}
    for example in session.scalars(select(FeedbackExample).order_by(FeedbackExample.id)):
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
