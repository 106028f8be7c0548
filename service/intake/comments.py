"""Intake and status of comments: the business rules behind POST/GET /v1/comments."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.db import run_after_commit
from service.decisions.record import publisher_reasons
from service.models import (
    APPROVED,
    PENDING,
    Comment,
    CommentRevision,
    Decision,
    SenderDetails,
    as_utc,
    new_id,
    utcnow,
)
from service.policy import normalise_email

Outcome = Literal["created", "edited", "duplicate"]


class PublisherRef(Protocol):
    """What intake needs of a publisher: a Publisher row, or a cached snapshot of one (service.publishers.cache)."""

    @property
    def id(self) -> str: ...


@dataclass
class IntakeResult:
    comment_id: str
    external_id: str
    status: str
    outcome: Outcome
    comment: Comment | None = None  # loaded only for retries and edits


def content_hash(text: str) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def submit(
    session: Session,
    publisher: PublisherRef,
    data: dict,
    enqueue_scoring: Callable[[str], object],
    now: datetime | None = None,
) -> IntakeResult:
    """Store a validated submission. Retries are answered from the stored row; edits become revisions.

    A retry is the current text; a submission older than the current revision is answered like one (_order), and
    an overtaken edit among them is kept as a revision that does not become current.

    The scoring task is enqueued only after the transaction commits.
    """
    now = now or utcnow()
    author, article = data["author"], data["article"]
    digest = content_hash(data["text"])
    comment_id = new_id("cmt")
    row = dict(
        id=comment_id,
        publisher_id=publisher.id,
        external_id=data["comment_id"],
        article_id=article["id"],
        article_title=article["title"],
        article_url=article.get("url"),
        parent_comment_id=data.get("parent_comment_id"),
        language=data.get("language"),
        author_name=author["name"].strip(),
        author_email=normalise_email(author["email"]),
        author_external_id=author.get("id"),
        status=PENDING,
        current_revision=1,
        content_hash=digest,
        scoring_attempts=0,
        submitted_at=data.get("submitted_at"),
        received_at=now,
        enqueued_at=now,
        updated_at=now,
    )
    # ON CONFLICT DO NOTHING waits for a concurrent insert of the same comment_id to finish,
    # so of twenty identical concurrent posts exactly one creates the row.
    statement = (
        _insert(session)(Comment.__table__)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["publisher_id", "external_id"])
        .returning(Comment.__table__.c.id)
    )
    inserted = session.execute(statement).scalar_one_or_none()
    if inserted is not None:
        _add_revision(session, comment_id, 1, data, digest, now)
        run_after_commit(session, lambda: enqueue_scoring(comment_id))
        return IntakeResult(comment_id, data["comment_id"], PENDING, "created")

    # On SQLite, where FOR UPDATE is left out, the INSERT above took the store's write lock even though it inserted
    # nothing: no other edit commits between this read and the revision written below.
    comment = session.scalars(
        select(Comment)
        .where(Comment.publisher_id == publisher.id, Comment.external_id == data["comment_id"])
        .with_for_update()
    ).one()
    order = "retry" if comment.content_hash == digest else _order(session, comment, digest, data.get("submitted_at"))
    if order == "overtaken":  # kept for the audit trail, never current; answered like a retry
        number = _next_revision(session, comment.id)
        _add_revision(session, comment.id, number, data, digest, now, overtaken_by=comment.current_revision)
    if order != "edit":
        return IntakeResult(comment.id, comment.external_id, comment.status, "duplicate", comment)

    comment.current_revision = _next_revision(session, comment.id)
    comment.content_hash = digest
    comment.status = PENDING
    comment.decided_by = None
    comment.scoring_attempts = 0
    comment.scoring_lease_until = None  # a worker busy with the old text must not hold up the new one
    # Everything the new revision is scored and shown with: its language's thresholds, its thread, its author.
    for field in (
        "article_id",
        "article_title",
        "article_url",
        "parent_comment_id",
        "language",
        "author_name",
        "author_email",
        "author_external_id",
    ):
        setattr(comment, field, row[field])
    comment.enqueued_at = now
    comment.updated_at = now
    _add_revision(session, comment.id, comment.current_revision, data, digest, now)
    edited_id = comment.id
    run_after_commit(session, lambda: enqueue_scoring(edited_id))
    return IntakeResult(comment.id, comment.external_id, comment.status, "edited", comment)


def _order(
    session: Session, comment: Comment, digest: str, submitted_at: datetime | None
) -> Literal["edit", "retry", "overtaken"]:
    """Where a changed text stands against the current revision; only an edit may replace it.

    - retry: the text of an earlier revision, arriving after the edit that replaced it: a network retry of that
      revision. It is an edit back to that text only if it was submitted after the current revision.
    - overtaken: a new text submitted before the current revision, an edit overtaken on the way by a later one.
      Made current, the older text would be scored and called back as the latest revision, in place of the text
      on the page; it is kept as a revision that never becomes current.

    "Submitted before/after" needs `submitted_at` on both; without it the stored record wins an earlier text, and
    a new text is an edit, in the order received.
    """
    current_submitted_at = session.scalar(
        select(SenderDetails.submitted_at).where(
            SenderDetails.comment_id == comment.id, SenderDetails.revision == comment.current_revision
        )
    )
    older = False
    if submitted_at is not None and current_submitted_at is not None:
        if as_utc(submitted_at) > as_utc(current_submitted_at):
            return "edit"
        older = as_utc(submitted_at) < as_utc(current_submitted_at)
    # Overtaken revisions count too: a retry of one is not kept twice.
    known = session.scalar(
        select(CommentRevision.number)
        .where(CommentRevision.comment_id == comment.id, CommentRevision.content_hash == digest)
        .limit(1)
    )
    if known is not None:
        return "retry"
    return "overtaken" if older else "edit"


def _next_revision(session: Session, comment_id: str) -> int:
    """The next revision number: after the overtaken ones too, so the current revision may skip a number."""
    highest = session.scalar(select(func.max(CommentRevision.number)).where(CommentRevision.comment_id == comment_id))
    return (highest or 0) + 1


def _add_revision(
    session: Session,
    comment_id: str,
    number: int,
    data: dict,
    digest: str,
    now: datetime,
    overtaken_by: int | None = None,
) -> None:
    # Core inserts: intake is the hot path, and these rows need no ORM bookkeeping.
    author = data["author"]
    session.execute(
        CommentRevision.__table__.insert().values(
            comment_id=comment_id,
            number=number,
            text=data["text"],
            article_body=data["article"].get("body"),
            content_hash=digest,
            overtaken_by=overtaken_by,
            created_at=now,
        )
    )
    session.execute(
        SenderDetails.__table__.insert().values(
            comment_id=comment_id,
            revision=number,
            ip=author["ip"].strip(),
            user_agent=author.get("user_agent"),
            email=author["email"].strip(),
            name=author["name"].strip(),
            submitted_at=data.get("submitted_at"),
            received_at=now,
        )
    )


def get_for_publisher(session: Session, publisher_id: str, comment_id: str) -> Comment | None:
    """A comment by Kavalu id, visible only to the publisher that sent it."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.publisher_id != publisher_id:
        return None
    return comment


def latest_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(Decision.comment_id == comment.id, Decision.revision == comment.current_revision)
        .order_by(Decision.id.desc())
        .limit(1)
    ).first()


def status_view(session: Session, comment: Comment) -> dict:
    decision = latest_decision(session, comment) if comment.status != PENDING else None
    return {
        "id": comment.id,
        "comment_id": comment.external_id,
        "status": comment.status,
        "decided_by": comment.decided_by,
        "revision": comment.current_revision,
        "language": comment.language,
        "detected_language": comment.detected_language,
        "reasons": publisher_reasons(decision.reasons) if decision else [],
        "scores": decision.scores if decision else {},
        # Aware UTC times (SQLite gives naive ones): the schema writes them with "+00:00".
        "received_at": as_utc(comment.received_at),
        "decided_at": as_utc(decision.decided_at) if decision else None,
        "redacted_text": _redacted_text(session, comment),
        "links": {"self_": f"/v1/comments/{comment.id}"},
    }


def _redacted_text(session: Session, comment: Comment) -> str | None:
    if comment.status != APPROVED or comment.decided_by != "moderator":  # only a moderator redacts
        return None
    return session.scalar(
        select(CommentRevision.redacted_text).where(
            CommentRevision.comment_id == comment.id, CommentRevision.number == comment.current_revision
        )
    )


def stranded_pending(
    session: Session, stale_after_s: float, now: datetime | None = None, limit: int = 1000
) -> list[str]:
    """Pending comments whose last enqueue is older than `stale_after_s`: the broker was down, or lost the message.

    Marks them as enqueued now, so the next sweep leaves them alone for another window.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=stale_after_s)
    ids = list(
        session.scalars(
            select(Comment.id)
            .where(Comment.status == PENDING, or_(Comment.enqueued_at.is_(None), Comment.enqueued_at < cutoff))
            .order_by(Comment.received_at)
            .limit(limit)
            # A row another transaction holds is being claimed, edited or decided: not stranded, and waiting on it
            # would stop every sweep while that process is frozen.
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(update(Comment).where(Comment.id.in_(ids)).values(enqueued_at=now))
    return ids
