"""Human review: the queues, claims, decisions, redaction, audit trail, disclosure, authors and feedback.

The views in service/api/review.py and the CLI in service/cli_moderation.py are
thin wrappers around these functions. Time comes in as `now`, so lease expiry
and the author-history window are tested without sleeping.

Design choices beyond CONTRACT.md:
- Decisions: approve | reject (reason code required) | escalate (review → legal_review)
  | redact (spans replaced, original kept in CommentRevision.text; the comment is
  approved with its redacted text, a final decision the publisher is called back with).
- An approved or rejected comment can be changed again only with `overturn: true`
  by the legal or admin role; a redaction of an approved comment is allowed to any
  role (it only makes it safer). Both create a new decision and outbound event.
- `expected_revision` / `if_status` in a decision request make a stale decision 409.
- Sender IP is shown (in the item view and by /v1/legal/.../sender) to the legal role
  only, as the issue says; every such view is an audit event.
"""
from __future__ import annotations

import base64
import binascii
import csv
import html
import io
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from service.models import (
    APPROVED,
    FINAL_STATUSES,
    LEGAL_REVIEW,
    PENDING,
    REJECTED,
    REVIEW,
    AuditEvent,
    AuthorRule,
    Comment,
    CommentRevision,
    Decision,
    FeedbackExample,
    Moderator,
    OutboundEvent,
    Publisher,
    Score,
    SenderDetails,
    as_utc,
    utcnow,
)
from service.decisions.record import record_decision
from service.policy import check_email, merged_policy

LEASE = timedelta(minutes=10)
QUEUES = {"general": REVIEW, "legal": LEGAL_REVIEW}
LEGAL_QUEUE_ROLES = ("legal", "admin")
# The issue: "It shows the IP to the legal role only"; CONTRACT: sender details are "Legal role only".
SENDER_ROLES = ("legal",)
OVERTURN_ROLES = ("legal", "admin")
ACTIONS = ("approve", "reject", "escalate", "redact")
SORTS = ("risk", "oldest")
MAX_PAGE = 100
MAX_BULK = 100
REDACTION_MODES = {"block": None, "label": "[redacted]"}
# Author history: at least this many decided comments in the window before the rate counts.
AUTHOR_HISTORY_WINDOW = timedelta(days=30)
AUTHOR_HISTORY_MIN_DECISIONS = 3
REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class ReviewError(Exception):
    """A refusal the API maps to an HTTP status and an error code."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _not_found() -> ReviewError:
    return ReviewError(404, "not_found", "No such comment.")


def can_see_legal_queue(role: str) -> bool:
    return role in LEGAL_QUEUE_ROLES


def can_see_sender(role: str) -> bool:
    return role in SENDER_ROLES


def _iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def audit(session: Session, *, actor: str, action: str, comment: Comment | None = None, publisher_id: str | None = None,
          before: dict | None = None, after: dict | None = None, reason: str | None = None,
          now: datetime | None = None) -> AuditEvent:
    event = AuditEvent(
        comment_id=comment.id if comment is not None else None,
        publisher_id=comment.publisher_id if comment is not None else publisher_id,
        actor=actor, action=action, before=before, after=after, reason=reason, created_at=now or utcnow(),
    )
    session.add(event)
    return event


def actor_name(moderator: Moderator) -> str:
    return f"{moderator.role}:{moderator.id} ({moderator.name})"


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
        raise ReviewError(400, "invalid_age", "Give seconds or an ISO 8601 date-time.", field)
    return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("s") != sort or not isinstance(data.get("id"), str):
            raise ValueError
        if sort == "risk" and not isinstance(data.get("k"), (int, float)):
            raise ValueError
        if sort == "oldest":
            data["k"] = datetime.fromisoformat(data["k"])
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise ReviewError(400, "invalid_cursor", "The cursor is not one this endpoint gave (or the sort changed).", "cursor")
    return data


# -- highlighting -------------------------------------------------------------------------------


def merge_spans(spans: Iterable[dict], length: int) -> list[dict]:
    """Clip spans to the text and merge overlapping ones; each keeps the categories that cover it."""
    clean = []
    for span in spans:
        try:
            start, end = int(span["start"]), int(span["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(length, end)
        if start < end:
            clean.append((start, end, str(span.get("category") or span.get("label") or "")))
    clean.sort()
    merged: list[dict] = []
    for start, end, category in clean:
        if merged and start < merged[-1]["end"]:
            merged[-1]["end"] = max(merged[-1]["end"], end)
            if category and category not in merged[-1]["categories"]:
                merged[-1]["categories"].append(category)
        else:
            merged.append({"start": start, "end": end, "categories": [category] if category else []})
    return merged


def highlight(text: str, spans: Iterable[dict]) -> str:
    """The text, HTML-escaped, with each evidence span wrapped in <mark>."""
    out, position = [], 0
    for span in merge_spans(spans, len(text)):
        out.append(html.escape(text[position:span["start"]]))
        categories = html.escape(" ".join(span["categories"]), quote=True)
        out.append(f'<mark data-categories="{categories}">{html.escape(text[span["start"]:span["end"]])}</mark>')
        position = span["end"]
    out.append(html.escape(text[position:]))
    return "".join(out)


def redact_text(text: str, spans: list[dict], mode: str = "block") -> str:
    """Replace each [start, end) with "█" per character ("block", keeps offsets) or "[redacted]" ("label")."""
    label = REDACTION_MODES[mode]
    out, position = [], 0
    for span in merge_spans(spans, len(text)):
        out.append(text[position:span["start"]])
        out.append("█" * (span["end"] - span["start"]) if label is None else label)
        position = span["end"]
    out.append(text[position:])
    return "".join(out)


# -- loading ------------------------------------------------------------------------------------


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
        threshold = case(*whens, else_=default_threshold if default_threshold is not None else 2.0) if whens else default_threshold
        conditions.append(exists().where(
            Score.comment_id == Comment.id, Score.revision == Comment.current_revision,
            Score.category == category, Score.score >= threshold,
        ))
    return or_(*conditions)


@dataclass
class _Bundle:
    revision: CommentRevision | None
    scores: list[Score]
    decision: Decision | None


def _bundles(session: Session, comments: list[Comment]) -> dict[str, _Bundle]:
    if not comments:
        return {}
    ids = [c.id for c in comments]
    current = {c.id: c.current_revision for c in comments}
    bundles = {c.id: _Bundle(None, [], None) for c in comments}
    for revision in session.scalars(select(CommentRevision).where(CommentRevision.comment_id.in_(ids))):
        if revision.number == current[revision.comment_id]:
            bundles[revision.comment_id].revision = revision
    for score in session.scalars(select(Score).where(Score.comment_id.in_(ids)).order_by(Score.id)):
        if score.revision == current[score.comment_id]:
            bundles[score.comment_id].scores.append(score)
    for decision in session.scalars(select(Decision).where(Decision.comment_id.in_(ids)).order_by(Decision.id)):
        if decision.revision == current[decision.comment_id]:
            bundles[decision.comment_id].decision = decision  # the latest wins
    return bundles


def _reasons_and_scores(bundle: _Bundle) -> tuple[list[dict], dict[str, float]]:
    scores: dict[str, float] = {}
    for score in bundle.scores:
        scores[score.category] = max(score.score, scores.get(score.category, float("-inf")))
    reasons = list(bundle.decision.reasons) if bundle.decision else []
    return reasons, scores


def _item(comment: Comment, bundle: _Bundle) -> dict:
    reasons, scores = _reasons_and_scores(bundle)
    text = bundle.revision.text if bundle.revision else ""
    spans = []
    for score in bundle.scores:
        for span in score.spans or []:
            if isinstance(span, dict):
                spans.append({"start": span.get("start"), "end": span.get("end"),
                              "category": span.get("category") or score.category, "label": span.get("label")})
    for reason in reasons:  # term hits may carry their own spans
        for span in reason.get("spans") or []:
            if isinstance(span, dict):
                spans.append({"start": span.get("start"), "end": span.get("end"), "category": reason.get("code"),
                              "label": span.get("label") or span.get("term")})
    spans = [s for s in spans if isinstance(s["start"], int) and isinstance(s["end"], int)]
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {
        "id": comment.id,
        "comment_id": comment.external_id,
        "publisher_id": comment.publisher_id,
        "status": comment.status,
        "decided_by": comment.decided_by,
        "revision": comment.current_revision,
        "received_at": _iso(comment.received_at),
        "article": {"id": comment.article_id, "title": comment.article_title, "url": comment.article_url},
        "author": {"name": comment.author_name, "email": comment.author_email},
        "text": text,
        "redacted_text": bundle.revision.redacted_text if bundle.revision else None,
        "highlighted": highlight(text, spans),
        "spans": spans,
        "scores": scores,
        "risk": max(scores.values(), default=0.0),
        "reasons": reasons,
        "claimed_by": comment.claimed_by,
        "claim_expires_at": _iso(comment.claim_expires_at),
    }


# -- queue --------------------------------------------------------------------------------------


def list_queue(
    session: Session,
    moderator: Moderator,
    *,
    default_policy: dict,
    queue: str = "general",
    publisher_id: str | None = None,
    category: str | None = None,
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
            query = query.where(or_(Comment.received_at > after["k"], and_(Comment.received_at == after["k"], Comment.id > after["id"])))
    order = (risk.desc(), Comment.id) if sort == "risk" else (Comment.received_at, Comment.id)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    comments = [row[0] for row in rows]
    bundles = _bundles(session, comments)
    items = [_item(c, bundles[c.id]) for c in comments]
    next_cursor = None
    if more and rows:
        last, last_risk = rows[-1]
        key = float(last_risk) if sort == "risk" else as_utc(last.received_at).isoformat()
        next_cursor = encode_cursor({"s": sort, "k": key, "id": last.id})
    return items, next_cursor


# -- one comment -------------------------------------------------------------------------------


def _get(session: Session, comment_id: str, lock: bool = False) -> Comment:
    if not comment_id or len(comment_id) > 40 or not comment_id.isprintable():
        raise _not_found()
    query = select(Comment).where(Comment.id == comment_id)
    if lock:
        query = query.with_for_update()
    comment = session.scalars(query).first()
    if comment is None:
        raise _not_found()
    return comment


def _check_reach(comment: Comment, moderator: Moderator) -> None:
    if comment.status == LEGAL_REVIEW and not can_see_legal_queue(moderator.role):
        raise ReviewError(403, "forbidden", "This comment is in the legal queue.")


def author_history(session: Session, publisher_id: str, email: str) -> dict:
    rows = dict(session.execute(
        select(Comment.status, func.count()).where(Comment.publisher_id == publisher_id, Comment.author_email == email)
        .group_by(Comment.status)
    ).all())
    return {"comments": sum(rows.values()), "approved": rows.get(APPROVED, 0), "rejected": rows.get(REJECTED, 0)}


def comment_view(session: Session, comment_id: str, moderator: Moderator, now: datetime | None = None) -> dict:
    """The item view. Only the legal role sees the sender's IP, and that view is audited."""
    comment = _get(session, comment_id)
    _check_reach(comment, moderator)
    item = _item(comment, _bundles(session, [comment])[comment.id])
    item["author"]["history"] = author_history(session, comment.publisher_id, comment.author_email)
    if can_see_sender(moderator.role):
        sender = session.scalars(select(SenderDetails).where(
            SenderDetails.comment_id == comment.id, SenderDetails.revision == comment.current_revision)).first()
        item["author"]["ip"] = sender.ip if sender else None
        audit(session, actor=actor_name(moderator), action="sender_details_viewed", comment=comment,
              after={"fields": ["ip"], "revision": comment.current_revision, "via": "review_item"},
              reason="review item view", now=now)
    return item


def history(session: Session, comment_id: str, moderator: Moderator) -> list[dict]:
    comment = _get(session, comment_id)
    _check_reach(comment, moderator)
    events = session.scalars(select(AuditEvent).where(AuditEvent.comment_id == comment.id).order_by(AuditEvent.id))
    return [audit_dict(e) for e in events]


def audit_dict(event: AuditEvent) -> dict:
    return {"id": event.id, "actor": event.actor, "action": event.action, "before": event.before,
            "after": event.after, "reason": event.reason, "created_at": _iso(event.created_at)}


# -- claims and decisions -------------------------------------------------------------------------


def _state(comment: Comment) -> dict:
    return {"status": comment.status, "decided_by": comment.decided_by, "revision": comment.current_revision,
            "claimed_by": comment.claimed_by, "claim_expires_at": _iso(comment.claim_expires_at)}


def _held_by_other(comment: Comment, moderator: Moderator, now: datetime) -> bool:
    expires = as_utc(comment.claim_expires_at)
    return bool(comment.claimed_by and comment.claimed_by != moderator.id and expires and expires > now)


def claim(session: Session, comment_id: str, moderator: Moderator, now: datetime | None = None) -> dict:
    """Take (or, for the holder, extend) the 10-minute lease. SELECT ... FOR UPDATE serialises racing claims."""
    now = now or utcnow()
    comment = _get(session, comment_id, lock=True)
    _check_reach(comment, moderator)
    if comment.status in FINAL_STATUSES:
        raise ReviewError(409, "already_decided", f"The comment is already {comment.status}.")
    if comment.status == PENDING:
        raise ReviewError(409, "not_in_review", "The comment has not been scored yet.")
    if _held_by_other(comment, moderator, now):
        raise ReviewError(409, "claimed", "Another moderator holds this comment.")
    before = _state(comment)
    comment.claimed_by = moderator.id
    comment.claim_expires_at = now + LEASE
    audit(session, actor=actor_name(moderator), action="claim", comment=comment, before=before, after=_state(comment), now=now)
    return {"id": comment.id, "claimed_by": moderator.id, "claim_expires_at": _iso(comment.claim_expires_at),
            "status": comment.status, "revision": comment.current_revision}


def _automatic_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.comment_id == comment.id, Decision.revision == comment.current_revision,
                               Decision.decided_by == "auto").order_by(Decision.id.desc()).limit(1)
    ).first()


def _latest_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.comment_id == comment.id, Decision.revision == comment.current_revision)
        .order_by(Decision.id.desc()).limit(1)
    ).first()


def _check_spans(spans, length: int) -> list[dict]:
    if not isinstance(spans, list) or not spans:
        raise ReviewError(422, "spans_required", "Give the spans to redact: [{\"start\", \"end\"}, ...].", "spans")
    clean = []
    for index, span in enumerate(spans):
        start, end = (span.get("start"), span.get("end")) if isinstance(span, dict) else (None, None)
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool) \
                or not 0 <= start < end <= length:
            raise ReviewError(422, "invalid_span", f"Each span needs 0 <= start < end <= {length}.", f"spans.{index}")
        clean.append({"start": start, "end": end})
    return clean


def decide(
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
    """Apply one moderator decision; raises ReviewError (403/404/409/422) instead of deciding."""
    now = now or utcnow()
    if action not in ACTIONS:
        raise ReviewError(422, "invalid_action", f"action is one of {', '.join(ACTIONS)}.", "action")
    if reason is not None and not REASON_CODE.match(reason):
        raise ReviewError(422, "invalid_reason", "reason is a code: lower-case letters, digits and _.", "reason")
    if action == "reject" and not reason:
        raise ReviewError(422, "reason_required", "A rejection needs a reason code.", "reason")
    if redaction not in REDACTION_MODES:
        raise ReviewError(422, "invalid_redaction", "redaction is block or label.", "redaction")

    comment = _get(session, comment_id, lock=True)
    _check_reach(comment, moderator)
    if expected_revision is not None and expected_revision != comment.current_revision:
        raise ReviewError(409, "stale_revision", f"The comment is at revision {comment.current_revision}.")
    if if_status is not None and if_status != comment.status:
        raise ReviewError(409, "stale_status", f"The comment is {comment.status}, not {if_status}.")
    if comment.status == PENDING:
        raise ReviewError(409, "not_in_review", "The comment has not been scored yet.")
    if _held_by_other(comment, moderator, now):
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

    revision = session.scalars(select(CommentRevision).where(
        CommentRevision.comment_id == comment.id, CommentRevision.number == comment.current_revision)).one()
    before = _state(comment)
    redacted_before = revision.redacted_text
    if action == "redact":
        clean = _check_spans(spans, len(revision.text))
        revision.redacted_text = redact_text(revision.text, clean, redaction)

    previous = _latest_decision(session, comment)
    reasons = [{"code": reason or ("redacted" if action == "redact" else "moderator_" + {"approve": "approved",
                "escalate": "escalated"}.get(action, action)), "score": None, "threshold": None,
                "source": "moderator"}]
    if note:
        reasons[0]["note"] = note
    scores = dict(previous.scores) if previous else {}
    publisher = session.get(Publisher, comment.publisher_id)
    decision = record_decision(
        session, comment, status=target, decided_by="moderator", reasons=reasons, scores=scores,
        policy_version=publisher.policy_version if publisher else 1, enqueue_delivery=enqueue_delivery,
        actor=actor_name(moderator), now=now,
    )
    if action == "redact":
        # The publisher needs the text to show instead of the original.
        for event in session.scalars(select(OutboundEvent).where(OutboundEvent.decision_id == decision.id)):
            payload = dict(event.payload)
            payload["data"] = {**payload["data"], "redacted_text": revision.redacted_text}
            event.payload = payload

    after = _state(comment)
    common = dict(actor=actor_name(moderator), comment=comment, now=now,
                  reason=" | ".join(x for x in (reason, note) if x) or None)
    if action == "redact":
        audit(session, action="redaction", before={**before, "redacted_text": redacted_before},
              after={**after, "redacted_text": revision.redacted_text, "spans": clean, "decision_id": decision.id}, **common)
    elif action == "escalate":
        audit(session, action="escalation", before=before, after={**after, "decision_id": decision.id}, **common)
    else:
        audit(session, action="overturn" if is_change else "decision", before=before,
              after={**after, "decision_id": decision.id}, **common)

    if target in FINAL_STATUSES:
        _record_feedback(session, comment, revision, moderator, target, action, reason, now)
    return {"id": comment.id, "status": comment.status, "decided_by": comment.decided_by,
            "revision": comment.current_revision, "decision_id": decision.id, "reasons": reasons,
            "redacted_text": revision.redacted_text}


def _record_feedback(session, comment, revision, moderator, target, action, reason, now) -> None:
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
    session.add(FeedbackExample(
        comment_id=comment.id, revision=revision.number, text=revision.text, label=label,
        automatic_status=automatic.status, moderator_status=target,
        reason=(reason or ("redacted" if action == "redact" else None)), actor=actor_name(moderator), created_at=now,
    ))


def bulk_decide(session: Session, ids: list[str], moderator: Moderator, *, action: str,
                enqueue_delivery, reason: str | None = None, note: str | None = None,
                now: datetime | None = None) -> list[dict]:
    """approve/reject each id with the same checks as one decision; one failure does not undo the others."""
    if action not in ("approve", "reject"):
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
            results.append({"id": comment_id, "ok": False, "status": None,
                            "error": {"code": "duplicate_id", "message": "Listed twice."}})
            continue
        seen.add(comment_id)
        savepoint = session.begin_nested()
        try:
            outcome = decide(session, comment_id, moderator, action=action, reason=reason, note=note,
                             enqueue_delivery=enqueue_delivery, now=now)
            savepoint.commit()
            results.append({"id": comment_id, "ok": True, "status": outcome["status"], "error": None})
        except ReviewError as error:
            savepoint.rollback()
            results.append({"id": comment_id, "ok": False, "status": None,
                            "error": {"code": error.code, "message": error.message, "http_status": error.status}})
    return results


# -- lawful disclosure ----------------------------------------------------------------------------


def _check_reference(reference: str | None) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ReviewError(400, "request_reference_required", "Give the authority's request reference.", "request_reference")
    if len(reference) > 200 or any(ord(ch) < 32 for ch in reference):
        raise ReviewError(400, "invalid_request_reference", "At most 200 printable characters.", "request_reference")
    return reference


def _sender_rows(session: Session, comment: Comment) -> list[dict]:
    rows = session.scalars(select(SenderDetails).where(SenderDetails.comment_id == comment.id).order_by(SenderDetails.revision))
    return [{"revision": s.revision, "ip": s.ip, "user_agent": s.user_agent, "email": s.email, "name": s.name,
             "submitted_at": _iso(s.submitted_at), "received_at": _iso(s.received_at)} for s in rows]


def sender_details(session: Session, comment_id: str, moderator: Moderator, request_reference: str | None,
                   now: datetime | None = None) -> dict:
    """Sender details of every revision, for the legal role, with the authority's reference; audited."""
    if not can_see_sender(moderator.role):
        raise ReviewError(403, "forbidden", "Sender details are for the legal role only.")
    reference = _check_reference(request_reference)
    comment = _get(session, comment_id)
    return _disclose(session, comment, actor_name(moderator), reference, "sender_details_viewed", now)


def _disclose(session, comment, actor, reference, action, now) -> dict:
    rows = _sender_rows(session, comment)
    current = next((r for r in rows if r["revision"] == comment.current_revision), rows[-1] if rows else {})
    audit(session, actor=actor, action=action, comment=comment, reason=reference, now=now,
          after={"request_reference": reference, "revisions": [r["revision"] for r in rows]})
    return {"id": comment.id, "comment_id": comment.external_id, "publisher_id": comment.publisher_id,
            "request_reference": reference, "revision": comment.current_revision,
            **{k: current.get(k) for k in ("ip", "user_agent", "email", "name", "submitted_at", "received_at")},
            "revisions": rows}


def legal_export(session: Session, comment_ids: list[str], request_reference: str, actor: str,
                 now: datetime | None = None) -> dict:
    """Sender details of several comments for an authority's request; one audit event per comment."""
    now = now or utcnow()
    reference = _check_reference(request_reference)
    actor = (actor or "").strip()
    if not actor:
        raise ReviewError(400, "actor_required", "Say who is exporting.", "actor")
    comments = []
    for comment_id in dict.fromkeys(comment_ids):
        comments.append(_get(session, comment_id))
    return {
        "request_reference": reference,
        "exported_at": now.isoformat(),
        "exported_by": actor,
        "comments": [_disclose(session, c, actor, reference, "sender_details_exported", now) for c in comments],
    }


# -- authors --------------------------------------------------------------------------------------


RULE_KINDS = ("email", "domain", "ip_range")
RULE_ACTIONS = ("ban", "trust")


def normalise_rule_value(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "email":
        if check_email(value):
            raise ReviewError(422, "invalid_email", "Not an email address.", "value")
        return value.lower()
    if kind == "domain":
        domain = value.lstrip("@").rstrip(".").lower()
        if not re.fullmatch(r"[^\s@/]+\.[^\s@/]+", domain) or len(domain) > 253:
            raise ReviewError(422, "invalid_domain", "Not an email domain.", "value")
        return domain
    if kind == "ip_range":
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ReviewError(422, "invalid_ip_range", "Not an IPv4 or IPv6 address or CIDR range.", "value")
    raise ReviewError(422, "invalid_kind", "kind is email, domain or ip_range.", "kind")


def add_author_rule(session: Session, *, kind: str, value: str, action: str, actor: str,
                    publisher_id: str | None = None, reason: str | None = None,
                    now: datetime | None = None) -> AuthorRule:
    if action not in RULE_ACTIONS:
        raise ReviewError(422, "invalid_action", "action is ban or trust.", "action")
    value = normalise_rule_value(kind, value)
    if publisher_id is not None and session.get(Publisher, publisher_id) is None:
        raise ReviewError(422, "unknown_publisher", "No such publisher.", "publisher_id")
    now = now or utcnow()
    rule = AuthorRule(publisher_id=publisher_id, kind=kind, value=value, action=action, reason=reason,
                      created_by=actor, created_at=now)
    session.add(rule)
    session.flush()
    audit(session, actor=actor, action=f"author_{action}", publisher_id=publisher_id, before=None,
          after=rule_dict(rule), reason=reason, now=now)
    return rule


def revoke_author_rule(session: Session, rule_id: int, actor: str, reason: str | None = None,
                       now: datetime | None = None) -> AuthorRule:
    rule = session.get(AuthorRule, rule_id)
    if rule is None:
        raise ReviewError(404, "not_found", "No such author rule.")
    if rule.revoked_at is None:
        now = now or utcnow()
        before = rule_dict(rule)
        rule.revoked_at = now
        audit(session, actor=actor, action="author_rule_revoked", publisher_id=rule.publisher_id,
              before=before, after=rule_dict(rule), reason=reason, now=now)
    return rule


def list_author_rules(session: Session, publisher_id: str | None = None, include_revoked: bool = False) -> list[AuthorRule]:
    query = select(AuthorRule).order_by(AuthorRule.id)
    if publisher_id is not None:
        query = query.where(or_(AuthorRule.publisher_id == publisher_id, AuthorRule.publisher_id.is_(None)))
    if not include_revoked:
        query = query.where(AuthorRule.revoked_at.is_(None))
    return list(session.scalars(query))


def rule_dict(rule: AuthorRule) -> dict:
    return {"id": rule.id, "publisher_id": rule.publisher_id, "kind": rule.kind, "value": rule.value,
            "action": rule.action, "reason": rule.reason, "created_by": rule.created_by,
            "created_at": _iso(rule.created_at), "revoked_at": _iso(rule.revoked_at)}


def _rule_matches(rule: AuthorRule, email: str, ip) -> bool:
    if rule.kind == "email":
        return bool(email) and email == rule.value
    if rule.kind == "domain":
        domain = email.rpartition("@")[2] if "@" in email else ""
        return bool(domain) and (domain == rule.value or domain.endswith("." + rule.value))
    if rule.kind == "ip_range" and ip is not None:
        try:
            network = ipaddress.ip_network(rule.value, strict=False)
        except ValueError:
            return False
        candidate = ip
        if network.version == 4 and ip.version == 6 and ip.ipv4_mapped:
            candidate = ip.ipv4_mapped
        return candidate.version == network.version and candidate in network
    return False


BANNED, TRUSTED, PREMODERATED, NORMAL = "banned", "trusted", "premoderated", "normal"
STATE_REASONS = {BANNED: "author_banned", PREMODERATED: "author_history"}


def author_state(session: Session, publisher_id: str, email: str | None, ip: str | None, policy: dict,
                 now: datetime | None = None) -> str:
    """"banned" | "trusted" | "premoderated" | "normal" for an author of this publisher.

    - banned: an active AuthorRule(action=ban) for this publisher or for all, matching the email
      exactly (case-insensitive), the email's domain or a parent domain of it, or the IP in a CIDR range.
      A ban beats a trust mark.
    - trusted: an active trust rule matches (and no ban).
    - premoderated: in the last 30 days at least 3 of this author's comments (same email, same
      publisher) were decided, and the share rejected is over policy["author_rejection_rate_threshold"].
      The reason code for it is "author_history" (STATE_REASONS).
    - normal: otherwise.
    Policy-level blocked_emails/domains/ip_ranges are not looked at here (service.decisions.content_rules does that).
    """
    return author_states(session, [(publisher_id, email, ip, policy)], now=now)[0]


def author_states(session: Session, authors: list[tuple[str, str | None, str | None, dict]],
                  now: datetime | None = None) -> list[str]:
    """author_state for many (publisher_id, email, ip, policy) at once, in two queries."""
    now = now or utcnow()
    keys = []
    for publisher_id, email, ip, policy in authors:
        try:
            ip_value = ipaddress.ip_address((ip or "").strip()) if ip else None
        except ValueError:
            ip_value = None
        keys.append((publisher_id, (email or "").strip().lower(), ip_value, policy))
    publisher_ids = {key[0] for key in keys}
    rules = list(session.scalars(select(AuthorRule).where(
        AuthorRule.revoked_at.is_(None),
        or_(AuthorRule.publisher_id.in_(publisher_ids), AuthorRule.publisher_id.is_(None)),
    )))
    history = _rejection_history(session, {(key[0], key[1]) for key in keys
                                           if key[1] and key[3].get("author_rejection_rate_threshold") is not None}, now)
    states = []
    for publisher_id, email_key, ip_value, policy in keys:
        matched = {rule.action for rule in rules
                   if rule.publisher_id in (None, publisher_id) and _rule_matches(rule, email_key, ip_value)}
        counts = history.get((publisher_id, email_key), {})
        decided = counts.get(APPROVED, 0) + counts.get(REJECTED, 0)
        threshold = policy.get("author_rejection_rate_threshold")
        if "ban" in matched:
            states.append(BANNED)
        elif "trust" in matched:
            states.append(TRUSTED)
        elif (threshold is not None and decided >= AUTHOR_HISTORY_MIN_DECISIONS
              and counts.get(REJECTED, 0) / decided > float(threshold)):
            states.append(PREMODERATED)
        else:
            states.append(NORMAL)
    return states


def _rejection_history(session: Session, authors: set[tuple[str, str]], now: datetime) -> dict[tuple[str, str], dict[str, int]]:
    """Final decisions in the history window, counted by status, per (publisher_id, lower-case email)."""
    if not authors:
        return {}
    email = func.lower(Comment.author_email)
    rows = session.execute(
        select(Comment.publisher_id, email, Comment.status, func.count()).where(
            Comment.publisher_id.in_({publisher_id for publisher_id, _ in authors}),
            email.in_({email_key for _, email_key in authors}),
            Comment.status.in_(FINAL_STATUSES),
            Comment.updated_at >= now - AUTHOR_HISTORY_WINDOW,
        ).group_by(Comment.publisher_id, email, Comment.status)
    ).all()
    history: dict[tuple[str, str], dict[str, int]] = {}
    for publisher_id, email_key, status, count in rows:
        history.setdefault((publisher_id, email_key), {})[status] = count
    return history


# -- feedback -------------------------------------------------------------------------------------


def feedback_rows(session: Session) -> list[dict]:
    """The latest example per comment revision, oldest first."""
    latest: dict[tuple[str, int], FeedbackExample] = {}
    for example in session.scalars(select(FeedbackExample).order_by(FeedbackExample.id)):
        latest[(example.comment_id, example.revision)] = example
    return [{"text": e.text, "label": e.label, "source": "moderator"} for e in sorted(latest.values(), key=lambda e: e.id)]


def rows_to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["text", "label", "source"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def feedback_csv(session: Session) -> str:
    return rows_to_csv(feedback_rows(session))
