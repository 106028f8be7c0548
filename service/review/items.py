"""The review item: a comment with its current text, scores, reasons and highlighted evidence, as moderators see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import APPROVED, LEGAL_REVIEW, REJECTED, Comment, CommentRevision, Decision, Moderator, Score
from service.review.access import can_see_legal_queue, check_reach, load_comment
from service.review.audit import iso
from service.review.highlighting import highlight


@dataclass
class ItemBundle:
    """What the item view shows of a comment's current revision."""

    revision: CommentRevision | None
    scores: list[Score]
    decision: Decision | None


def load_bundles(session: Session, comments: list[Comment]) -> dict[str, ItemBundle]:
    """The current revision, scores and latest decision of each comment, in three queries for a whole page."""
    if not comments:
        return {}
    ids = [c.id for c in comments]
    current = {c.id: c.current_revision for c in comments}
    bundles = {c.id: ItemBundle(None, [], None) for c in comments}
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


def _reasons_and_scores(bundle: ItemBundle) -> tuple[list[dict], dict[str, float]]:
    scores: dict[str, float] = {}
    for score in bundle.scores:
        scores[score.category] = max(score.score, scores.get(score.category, float("-inf")))
    reasons = list(bundle.decision.reasons) if bundle.decision else []
    return reasons, scores


def review_item(comment: Comment, bundle: ItemBundle) -> dict:
    reasons, scores = _reasons_and_scores(bundle)
    text = bundle.revision.text if bundle.revision else ""
    spans = []
    for score in bundle.scores:
        for span in score.spans or []:
            if isinstance(span, dict):
                spans.append(
                    {
                        "start": span.get("start"),
                        "end": span.get("end"),
                        "category": span.get("category") or score.category,
                        "label": span.get("label"),
                    }
                )
    for reason in reasons:  # term hits may carry their own spans
        for span in reason.get("spans") or []:
            if isinstance(span, dict):
                spans.append(
                    {
                        "start": span.get("start"),
                        "end": span.get("end"),
                        "category": reason.get("code"),
                        "label": span.get("label") or span.get("term"),
                    }
                )
    spans = [s for s in spans if isinstance(s["start"], int) and isinstance(s["end"], int)]
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {
        "id": comment.id,
        "comment_id": comment.external_id,
        "publisher_id": comment.publisher_id,
        "status": comment.status,
        "decided_by": comment.decided_by,
        "revision": comment.current_revision,
        "received_at": iso(comment.received_at),
        "article": {"id": comment.article_id, "title": comment.article_title, "url": comment.article_url},
        "author": {"name": comment.author_name, "email": comment.author_email},
        "language": comment.language,
        "detected_language": comment.detected_language,
        "text": text,
        "redacted_text": bundle.revision.redacted_text if bundle.revision else None,
        "highlighted": highlight(text, spans),
        "spans": spans,
        "scores": scores,
        "risk": max(scores.values(), default=0.0),
        "reasons": reasons,
        "claimed_by": comment.claimed_by,
        "claim_expires_at": iso(comment.claim_expires_at),
    }


def author_history(session: Session, publisher_id: str, email: str, moderator: Moderator) -> dict:
    """How many comments this author sent to this publisher, and how many were approved and rejected: of those this
    moderator may open, as recent_by_author lists them."""
    query = (
        select(Comment.status, func.count())
        .where(Comment.publisher_id == publisher_id, Comment.author_email == email)
        .group_by(Comment.status)
    )
    if not can_see_legal_queue(moderator.role):
        query = query.where(Comment.status != LEGAL_REVIEW)
    rows = dict(session.execute(query).all())
    return {"comments": sum(rows.values()), "approved": rows.get(APPROVED, 0), "rejected": rows.get(REJECTED, 0)}


def recent_by_author(session: Session, item: dict, moderator: Moderator, limit: int) -> list[Comment]:
    """The latest other comments of a review item's author to the same publisher, newest first: only those this
    moderator may open (a comment in the legal queue is for the legal and admin roles, as in check_reach)."""
    query = (
        select(Comment)
        .where(
            Comment.publisher_id == item["publisher_id"],
            Comment.author_email == item["author"]["email"],
            Comment.id != item["id"],
        )
        .order_by(Comment.received_at.desc(), Comment.id)
        .limit(limit)
    )
    if not can_see_legal_queue(moderator.role):
        query = query.where(Comment.status != LEGAL_REVIEW)
    return list(session.scalars(query))


def comment_view(session: Session, comment_id: str, moderator: Moderator) -> dict:
    """The item view, the same for every role: no sender IP or user agent.

    Sender details are disclosed only against an authority's request reference
    (service.review.disclosure: /v1/legal/comments/<id>/sender and `kavalu legal export`).
    """
    comment = load_comment(session, comment_id)
    check_reach(comment, moderator)
    item = review_item(comment, load_bundles(session, [comment])[comment.id])
    item["author"]["history"] = author_history(session, comment.publisher_id, comment.author_email, moderator)
    return item
