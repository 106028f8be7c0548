"""The intake hot path: a new comment from a known publisher in one database round trip.

POST /v1/comments used to cost a pooled connection's ping, a SELECT of the publisher, BEGIN, three INSERTs
and COMMIT. Now, for a publisher this process has seen (service.publishers.cache), it costs the ping and
one statement, run outside an explicit transaction (a single statement is atomic): a CTE that

1. checks the publisher still exists, the secret that verified the request is still active, and the
   policy the comment was validated against is still the stored one (the cache's guard);
2. inserts the comment (ON CONFLICT DO NOTHING on the publisher's comment_id), and, only if it was new,
   its first revision and its sender details.

The answers do not change (../shared/design/CONTRACT.md):

- guard failed (a rotated, revoked or expired secret, a new policy, a deleted publisher): the snapshot
  is dropped and the request starts over from the database, where it may now get a 401 or a 422;
- conflict (a retry or an edit of an existing comment_id): the transactional path of
  service.intake.comments.submit answers it, as before (200 with the current record, or 202 and a new
  revision);
- the store is down: the statement raises, the API answers 503, nothing was written.

SQLite (the embedded store) always takes the transactional path, and reads the publisher for every request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from service.db import run_after_commit
from service.errors import ApiError, flatten_errors
from service.intake import comments, ratelimit
from service.intake.schemas import CommentSubmissionSchema
from service.models import PENDING, Publisher, new_id, utcnow
from service.policy import normalise_email
from service.publishers.cache import GUARD_SQL, PublisherCache, PublisherSnapshot, matching_secret

_NEW_COMMENT = text(
    f"""
WITH pub AS ({GUARD_SQL}),
ins AS (
  INSERT INTO comments (id, publisher_id, external_id, article_id, article_title, article_url, parent_comment_id,
                        language, author_name, author_email, author_external_id, status, current_revision,
                        content_hash, scoring_attempts, submitted_at, received_at, enqueued_at, updated_at)
  SELECT CAST(:id AS varchar), pub.id, CAST(:external_id AS varchar), CAST(:article_id AS varchar),
         CAST(:article_title AS text), CAST(:article_url AS text), CAST(:parent_comment_id AS varchar),
         CAST(:language AS varchar), CAST(:author_name AS varchar), CAST(:author_email AS varchar),
         CAST(:author_external_id AS varchar), CAST(:status AS varchar), 1, CAST(:content_hash AS varchar), 0,
         CAST(:submitted_at AS timestamptz), CAST(:now AS timestamptz), CAST(:now AS timestamptz),
         CAST(:now AS timestamptz)
  FROM pub
  ON CONFLICT (publisher_id, external_id) DO NOTHING
  RETURNING id
),
rev AS (
  INSERT INTO comment_revisions (comment_id, number, text, article_body, content_hash, created_at)
  SELECT ins.id, 1, CAST(:text AS text), CAST(:article_body AS text), CAST(:content_hash AS varchar),
         CAST(:now AS timestamptz)
  FROM ins
),
sender AS (
  INSERT INTO sender_details (comment_id, revision, ip, user_agent, email, name, submitted_at, received_at)
  SELECT ins.id, 1, CAST(:ip AS varchar), CAST(:user_agent AS text), CAST(:email AS varchar),
         CAST(:sender_name AS varchar), CAST(:submitted_at AS timestamptz), CAST(:now AS timestamptz)
  FROM ins
)
SELECT EXISTS (SELECT 1 FROM pub) AS publisher_ok, (SELECT id FROM ins) AS inserted
"""
)
# The same statement in psycopg's placeholder style, sent as the driver's own SQL (_insert_new_comment).
_NEW_COMMENT_SQL = re.sub(r":(\w+)", r"%(\1)s", _NEW_COMMENT.text)


class PublisherChanged(Exception):
    """The stored publisher no longer matches the snapshot the request was checked against."""


@dataclass
class Caller:
    """An authenticated publisher: its snapshot, the secret that verified this request, and whether the
    snapshot was read from the database for this request (then it needs no guard)."""

    publisher: PublisherSnapshot
    secret: str
    from_store: bool


def _invalid_signature() -> ApiError:
    # One answer for unknown publisher, bad signature and stale timestamp: don't tell which.
    return ApiError.single(401, "invalid_signature", "The request signature is missing, invalid or expired.")


def authenticate(
    session: Session,
    cache: PublisherCache,
    publisher_id: str,
    header: str | None,
    body: bytes,
    tolerance_s: int,
    use_cache: bool = True,
) -> Caller:
    """The publisher that signed this request, from the cache if a cached secret verifies it, else from the
    database (a secret rotated since the snapshot verifies at once). Raises a 401 ApiError otherwise."""
    if not publisher_id or len(publisher_id) > 40 or not header:
        raise _invalid_signature()
    now_s, now = time.time(), utcnow()
    snapshot = cache.get(publisher_id) if use_cache else None
    if snapshot is not None:
        secret = matching_secret(snapshot.active_secrets(now), body, header, now_s, tolerance_s)
        if secret is not None:
            return Caller(snapshot, secret, from_store=False)
    publisher = session.get(Publisher, publisher_id)
    if publisher is None:
        cache.drop(publisher_id)
        raise _invalid_signature()
    snapshot = cache.put(publisher)
    secret = matching_secret(snapshot.active_secrets(now), body, header, now_s, tolerance_s)
    if secret is None:
        raise _invalid_signature()
    return Caller(snapshot, secret, from_store=True)


_schemas: dict[int, CommentSubmissionSchema] = {}


def validate(body: object, policy: dict) -> dict:
    """The submission, checked against the schema and the publisher's length limit; a 422 listing every rule
    broken otherwise. One schema per length limit, built once: a marshmallow Schema is reusable."""
    max_length = policy["max_length"]
    schema = _schemas.get(max_length)
    if schema is None:
        schema = _schemas[max_length] = CommentSubmissionSchema(max_length=max_length)
    if not isinstance(body, dict):
        raise ApiError.single(422, "invalid_type", "The body must be a JSON object.")
    try:
        return schema.load(body)
    except ValidationError as error:
        raise ApiError(422, flatten_errors(error.messages)) from error


def submit(
    session: Session,
    caller: Caller,
    data: dict,
    enqueue_scoring: Callable[[str], object],
    now: datetime | None = None,
) -> comments.IntakeResult:
    """Store a validated submission: one statement for a new comment on PostgreSQL; retries and edits, and
    SQLite, through service.intake.comments.submit. Raises PublisherChanged if the guard failed.

    Scoring is woken once the comment is committed: at once after the statement, which commits itself, or on
    the session's commit when the caller holds a transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return comments.submit(session, caller.publisher, data, enqueue_scoring, now)
    now = now or utcnow()
    row = _parameters(caller, data, now)
    joined = session.in_transaction()  # a caller's transaction (tests, the CLI): the statement joins it
    if joined:
        publisher_ok, inserted = session.execute(_NEW_COMMENT, row).one()
    else:
        publisher_ok, inserted = _insert_new_comment(session, row)
    if not publisher_ok:
        raise PublisherChanged(caller.publisher.id)
    if inserted is not None:
        if joined:
            run_after_commit(session, lambda: enqueue_scoring(inserted))
        else:
            enqueue_scoring(inserted)
        return comments.IntakeResult(inserted, data["comment_id"], PENDING, "created")
    # A retry or an edit: it takes row locks, in a transaction of the session's own.
    return comments.submit(session, caller.publisher, data, enqueue_scoring, now)


def _insert_new_comment(session: Session, row: dict) -> tuple[bool, str | None]:
    """Run the statement on a pooled connection in autocommit: one round trip, no BEGIN or COMMIT.

    It goes around the ORM session, whose bookkeeping cost more CPU than the rest of the request's database work
    (py-spy on a loaded API worker), and sends the statement as the driver's SQL, with no compilation. The
    engine still pings the connection on checkout, bounds every wait (service.db) and raises driver errors as
    SQLAlchemy's (a lost store invalidates the pool), so the API answers them with its 503."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)  # the app's sessions are bound to its engine
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        publisher_ok, inserted = autocommit.exec_driver_sql(_NEW_COMMENT_SQL, row).one()
    return publisher_ok, inserted


def _parameters(caller: Caller, data: dict, now: datetime) -> dict:
    author, article = data["author"], data["article"]
    return {
        "publisher_id": caller.publisher.id,
        "sealed_secret": caller.publisher.sealed(caller.secret),
        "policy_version": caller.publisher.policy_version,
        "now": now,
        "id": new_id("cmt"),
        "external_id": data["comment_id"],
        "article_id": article["id"],
        "article_title": article["title"],
        "article_url": article.get("url"),
        "parent_comment_id": data.get("parent_comment_id"),
        "language": data.get("language"),
        "author_name": author["name"].strip(),
        "author_email": normalise_email(author["email"]),
        "author_external_id": author.get("id"),
        "status": PENDING,
        "content_hash": comments.content_hash(data["text"]),
        "submitted_at": data.get("submitted_at"),
        "text": data["text"],
        "article_body": article.get("body"),
        "ip": author["ip"].strip(),
        "user_agent": author.get("user_agent"),
        "email": author["email"].strip(),
        "sender_name": author["name"].strip(),
    }


@dataclass
class SignedRequest:
    """What intake reads off the HTTP request before anything else: who claims to send it, and the raw body."""

    publisher_id: str
    signature: str | None
    raw: bytes


def accept(
    session: Session,
    cache: PublisherCache,
    limits: ratelimit.IntakeLimits,
    request: SignedRequest,
    tolerance_s: int,
    peek_body: Callable[[], object | None],
    read_body: Callable[[], object],
    enqueue_scoring: Callable[[str], object],
) -> comments.IntakeResult:
    """POST /v1/comments up to the commit: the signature (401), both rate limits (429), the body (400, 413, 415),
    the rules (422), then the store. `peek_body` gives the parsed body or None and never raises; `read_body`
    raises the body's 4xx. The caller commits the session (which enqueues the scoring wake)."""
    # Only PostgreSQL's statement re-checks a cached publisher (the guard); SQLite reads it for every request.
    guarded = session.get_bind().dialect.name == "postgresql"
    caller = authenticate(
        session, cache, request.publisher_id, request.signature, request.raw, tolerance_s, use_cache=guarded
    )
    # Only signed requests count against the limits; both are counted in one round trip.
    limits.check(caller.publisher.id, ratelimit.author_ip_key(peek_body()))
    body = read_body()
    data = validate(body, caller.publisher.policy)
    try:
        return submit(session, caller, data, enqueue_scoring)
    except PublisherChanged:
        # A rotated, revoked or expired secret, or a new policy, since this process cached the publisher:
        # start over from the database, which may now answer 401 or 422.
        cache.drop(request.publisher_id)
        session.close()
        caller = authenticate(
            session, cache, request.publisher_id, request.signature, request.raw, tolerance_s, use_cache=False
        )
        return submit(session, caller, validate(body, caller.publisher.policy), enqueue_scoring)
