"""The review queues: which comments wait, filtered by publisher, category and age, one keyset page at a time."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from service.models import LEGAL_REVIEW, REVIEW, Comment, Decision, Moderator, Publisher, Score, utcnow
from service.policy import merged_policy
from service.review.access import can_see_legal_queue
from service.review.audit import iso
from service.review.errors import ReviewError
from service.review.items import load_bundles, review_item

QUEUES = {"general": REVIEW, "legal": LEGAL_REVIEW}
SORTS = ("risk", "oldest")
MAX_PAGE = 100


# -- age filters and cursors ------------------------------------------------------------------


def parse_age(value: str | int | float | None, now: datetime, field: str) -> datetime | None:
    """`older_than`/`newer_than`: seconds before now, or an ISO 8601 instant."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+(\.\d+)?", str(value).strip()):
        seconds = float(value)
        if seconds > 10 * 365 * 86400:
            raise ReviewError(400, "invalid_age", "At most ten years in seconds.", field)
        return now - timedelta(seconds=seconds)
    try:
        instant = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ReviewError(400, "invalid_age", "Give seconds or an ISO 8601 date-time.", field) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("s") != sort or not _is_comment_id(data.get("id")):
            raise ValueError
        if sort == "risk" and not (
            isinstance(data.get("k"), (int, float)) and not isinstance(data["k"], bool) and 0 <= data["k"] <= 1
        ):
            raise ValueError  # a risk is a score, 0 to 1 (NaN fails too)
        if sort == "oldest":
            data["k"] = datetime.fromisoformat(data["k"])
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise ReviewError(
            400, "invalid_cursor", "The cursor is not one this endpoint gave (or the sort changed).", "cursor"
        ) from None
    return data


def _is_comment_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40 and value.isprintable()


# -- filters --------------------------------------------------------------------------------------


def _risk_expression():
    return func.coalesce(
        select(func.max(Score.score))
        .where(Score.comment_id == Comment.id, Score.revision == Comment.current_revision)
        .correlate(Comment)
        .scalar_subquery(),
        0.0,
    )


def _reason_has_code(session: Session, code: str):
    if session.get_bind().dialect.name == "postgresql":
        matches = cast(Decision.reasons, JSONB).contains([{"code": code}])
    else:
        matches = cast(Decision.reasons, String).like(f'%"code": "{code}"%')
    return exists().where(Decision.comment_id == Comment.id, Decision.revision == Comment.current_revision, matches)


def _category_condition(session: Session, category: str, default_policy: dict):
    default_threshold = (default_policy.get("thresholds", {}).get(category) or {}).get("review")
    overrides = {}
    for pid, ovr in session.execute(select(Publisher.id, Publisher.policy_overrides)):
        threshold = (merged_policy(default_policy, ovr).get("thresholds", {}).get(category) or {}).get("review")
        if threshold != default_threshold:
            overrides[pid] = threshold
    conditions = [_reason_has_code(session, category)]
    whens = [(Comment.publisher_id == pid, thr) for pid, thr in overrides.items() if thr is not None]
    if default_threshold is not None or whens:
        threshold = (
            case(*whens, else_=default_threshold if default_threshold is not None else 2.0)
            if whens
            else default_threshold
        )
        conditions.append(
            exists().where(
                Score.comment_id == Comment.id,
                Score.revision == Comment.current_revision,
                Score.category == category,
                Score.score >= threshold,
            )
        )
    return or_(*conditions)


def _language_condition(language: str):
    """The language the publisher sent, or else the one scoring detected; `en` also matches `en-GB`."""
    tag = func.lower(func.coalesce(Comment.language, Comment.detected_language))
    language = language.strip().lower()
    return or_(tag == language, tag.like(language.replace("%", "").replace("_", "") + "-%"))


# -- listing --------------------------------------------------------------------------------------


def list_queue(
    session: Session,
    moderator: Moderator,
    *,
    default_policy: dict,
    queue: str = "general",
    publisher_id: str | None = None,
    category: str | None = None,
    language: str | None = None,
    older_than=None,
    newer_than=None,
    sort: str = "risk",
    limit: int = 50,
    cursor: str | None = None,
    now: datetime | None = None,
) -> tuple[list[dict], str | None]:
    """One page of a queue and the cursor of the next (None at the end).

    Keyset pagination on (sort key, id): a comment that arrives while someone
    pages never shifts the rows still to come, so nothing is skipped or repeated.
    """
    now = now or utcnow()
    if queue not in QUEUES:
        raise ReviewError(400, "invalid_queue", "queue is general or legal.", "queue")
    if queue == "legal" and not can_see_legal_queue(moderator.role):
        raise ReviewError(403, "forbidden", "The legal queue is for the legal and admin roles.")
    if sort not in SORTS:
        raise ReviewError(400, "invalid_sort", "sort is risk or oldest.", "sort")
    limit = max(1, min(int(limit), MAX_PAGE))
    risk = _risk_expression()
    query = select(Comment, risk.label("risk")).where(Comment.status == QUEUES[queue])
    if publisher_id:
        query = query.where(Comment.publisher_id == publisher_id)
    if category:
        query = query.where(_category_condition(session, category, default_policy))
    if language:
        query = query.where(_language_condition(language))
    older = parse_age(older_than, now, "older_than")
    newer = parse_age(newer_than, now, "newer_than")
    if older is not None:
        query = query.where(Comment.received_at <= older)
    if newer is not None:
        query = query.where(Comment.received_at >= newer)
    if cursor:
        after = decode_cursor(cursor, sort)
        if sort == "risk":
            query = query.where(or_(risk < after["k"], and_(risk == after["k"], Comment.id > after["id"])))
        else:
            query = query.where(
                or_(Comment.received_at > after["k"], and_(Comment.received_at == after["k"], Comment.id > after["id"]))
            )
    order = (risk.desc(), Comment.id) if sort == "risk" else (Comment.received_at, Comment.id)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    comments = [row[0] for row in rows]
    bundles = load_bundles(session, comments)
    items = [review_item(c, bundles[c.id]) for c in comments]
    next_cursor = None
    if more and rows:
        last, last_risk = rows[-1]
        key = float(last_risk) if sort == "risk" else iso(last.received_at)
        next_cursor = encode_cursor({"s": sort, "k": key, "id": last.id})
    return items, next_cursor
