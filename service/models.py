"""The results store: SQLAlchemy 2 models. Schema changes go through Alembic."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements INTEGER PRIMARY KEY.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")

PENDING, REVIEW, LEGAL_REVIEW, APPROVED, REJECTED = "pending", "review", "legal_review", "approved", "rejected"
COMMENT_STATUSES = (PENDING, REVIEW, LEGAL_REVIEW, APPROVED, REJECTED)
FINAL_STATUSES = (APPROVED, REJECTED)

# An outbound event's delivery state (OutboundEvent.status); the words overlap the comment statuses above.
EVENT_PENDING, EVENT_DELIVERED, EVENT_FAILED = "pending", "delivered", "failed"
EVENT_STATUSES = (EVENT_PENDING, EVENT_DELIVERED, EVENT_FAILED)
NO_CALLBACK_URL = "no_callback_url"  # last_error of an event whose publisher reads the pull feed instead


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite (the embedded store) hands back naive ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class Publisher(Base):
    __tablename__ = "publishers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("pub"))
    name: Mapped[str] = mapped_column(String(200))
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    # HMAC is symmetric, so the service must keep the key itself: sealed (service/sealing.py), never logged or
    # shown again. service.publishers.accounts seals and opens it.
    sealed_signing_secret: Mapped[str] = mapped_column(String(400))
    # After a rotation the replaced secret still verifies and signs until previous_secret_expires_at,
    # so requests and callbacks in flight during the publisher's deploy are not refused.
    sealed_previous_signing_secret: Mapped[str | None] = mapped_column(String(400))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    policy_overrides: Mapped[dict] = mapped_column(JSONType, default=dict)
    policy_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("publisher_id", "external_id", name="uq_comments_publisher_external_id"),
        Index("ix_comments_status_enqueued", "status", "enqueued_at"),
        # The scoring rules' look-ups (service.authors.rules.author_states, service.scoring.results._rule_facts).
        Index("ix_comments_publisher_email_lower", "publisher_id", text("lower(author_email)")),
        Index("ix_comments_fingerprint_received", "text_fingerprint", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    publisher_id: Mapped[str] = mapped_column(
        ForeignKey("publishers.id")
    )  # indexed by uq_comments_publisher_external_id
    external_id: Mapped[str] = mapped_column(String(128))
    article_id: Mapped[str] = mapped_column(String(512))
    article_title: Mapped[str] = mapped_column(Text)
    article_url: Mapped[str | None] = mapped_column(Text)
    parent_comment_id: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(35))  # as the publisher sent it
    detected_language: Mapped[str | None] = mapped_column(String(35))  # as the scoring worker found it
    author_name: Mapped[str] = mapped_column(String(400))
    author_email: Mapped[str] = mapped_column(String(320), index=True)
    author_external_id: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    decided_by: Mapped[str | None] = mapped_column(String(16))
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    text_fingerprint: Mapped[str | None] = mapped_column(String(64))
    scoring_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A worker that claims a comment for scoring holds it until then; a dead worker's claim lapses.
    scoring_lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The scoring task (Celery task id) that holds the lease: its redelivery frees the rest of its batch.
    scoring_lease_holder: Mapped[str | None] = mapped_column(String(64))
    # The scoring process that holds it (its heartbeat row): once that heartbeat stops, the sweeper frees the claim.
    scoring_lease_process: Mapped[str | None] = mapped_column(String(255))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The review lease: who holds the comment and until when.
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", order_by="CommentRevision.number", lazy="raise_on_sql"
    )


class CommentRevision(Base):
    __tablename__ = "comment_revisions"
    __table_args__ = (UniqueConstraint("comment_id", "number", name="uq_revisions_comment_number"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    article_body: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # A moderator's redaction; `text` keeps the original for audit.
    redacted_text: Mapped[str | None] = mapped_column(Text)
    # An edit submitted before the revision that was current when it arrived (that revision's number): kept for
    # the audit trail, never current, scored or decided (service.intake.comments).
    overtaken_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class SenderDetails(Base):
    """Who sent a revision. Shown only to the legal role, under audit."""

    __tablename__ = "sender_details"
    __table_args__ = (UniqueConstraint("comment_id", "revision", name="uq_sender_comment_revision"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE")
    )  # indexed by the unique constraint
    revision: Mapped[int] = mapped_column(Integer)
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(400))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_comment_revision", "comment_id", "revision"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    scorer: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))
    score: Mapped[float]
    spans: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """Every decision ever made; feed_position orders the publisher's pull feed."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_feed_position", "feed_position", unique=True),
        Index("ix_decisions_publisher_id_feed_position", "publisher_id", "feed_position"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id"))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(200))
    reasons: Mapped[list] = mapped_column(JSONType, default=list)
    scores: Mapped[dict] = mapped_column(JSONType, default=dict)
    policy_version: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Given once the row is committed (service.delivery.feed.number_decisions), so that it only grows: ids are
    # taken at insert, and a transaction that commits late would put its ids behind a feed cursor already passed.
    feed_position: Mapped[int | None] = mapped_column(BigInteger)


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    publisher_id: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboundEvent(Base):
    """A decision to be called back to its publisher; delivery state lives here, not in the broker."""

    __tablename__ = "outbound_events"
    __table_args__ = (Index("ix_outbound_status_next", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evt"))
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id"), index=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    type: Mapped[str] = mapped_column(String(64), default="comment.decided")
    payload: Mapped[dict] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default=EVENT_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A worker making an attempt holds the event until then; a dead worker's claim lapses (service.delivery.attempts).
    delivery_lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("outbound_events.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[str] = mapped_column(String(40))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("mod"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # moderator | legal | admin
    # sha256 of the bearer token: tokens are long random strings, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key for the drop-in endpoints (analyze, Perspective, OpenAI moderation, Coral), one scope each."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("key"))
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # analyze | perspective | openai | coral
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the key, as for moderators
    # False (`--no-store`): requests made with this key never store the text or its scores.
    store_text: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ScoreSuggestion(Base):
    """A score a client suggested for a text (Perspective's suggestscore): a labelled example for retraining."""

    __tablename__ = "score_suggestions"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id"), index=True)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"))
    text: Mapped[str] = mapped_column(Text)
    attribute: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(35))
    client_token: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthorRule(Base):
    """A ban or trust mark on authors, by email, email domain or IP range; publisher_id None = every publisher."""

    __tablename__ = "author_rules"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # email | domain | ip_range
    value: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(16))  # ban | trust
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FeedbackExample(Base):
    """A moderator decision that overrode the automatic one: a labelled example for retraining."""

    __tablename__ = "feedback_examples"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[int] = mapped_column(Integer)  # 1 = should be rejected, 0 = acceptable
    automatic_status: Mapped[str] = mapped_column(String(16))
    moderator_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkerHeartbeat(Base):
    """Each worker process writes its heartbeat here, so readiness works with any broker."""

    __tablename__ = "worker_heartbeats"

    hostname: Mapped[str] = mapped_column(String(255), primary_key=True)
    queues: Mapped[str] = mapped_column(String(255))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A scoring process: when it last finished a task (or became ready); a frozen dispatch shows here, not in last_seen.
    last_task_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
