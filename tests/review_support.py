"""Helpers for the review, legal and moderator CLI tests: tokens and comments waiting for review."""

from __future__ import annotations

from datetime import datetime

from service.decisions.record import record_decision
from service.models import Comment, Score
from service.review import moderators
from tests.helpers import comment, post_comment


def make_moderator(database, role: str = "moderator", name: str | None = None) -> tuple[str, str]:
    """(moderator id, token)."""
    with database.session() as session:
        moderator, token = moderators.create(session, name or f"{role} person", role)
        return moderator.id, token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def make_review_comment(
    client,
    database,
    publisher,
    external_id: str,
    text: str = "You are all idiots and liars.",
    *,
    scores: dict[str, float] | None = None,
    spans: list[dict] | None = None,
    status: str = "review",
    email: str = "ravi@example.in",
    ip: str = "203.0.113.7",
    received_at: datetime | None = None,
    reasons: list[dict] | None = None,
) -> str:
    """Post a comment through the intake API, then score it and send it to `status` as the worker would."""
    response = post_comment(
        client, publisher, comment(comment_id=external_id, text=text, author__email=email, author__ip=ip)
    )
    assert response.status_code == 202, response.get_json()
    comment_id = response.get_json()["id"]
    scores = {"toxicity": 0.7} if scores is None else scores
    with database.session() as session:
        row = session.get(Comment, comment_id)
        for category, value in scores.items():
            session.add(
                Score(
                    comment_id=comment_id,
                    revision=1,
                    scorer="test",
                    model_version="test-1",
                    category=category,
                    score=value,
                    spans=[s for s in (spans or []) if s.get("category", category) == category],
                )
            )
        if received_at is not None:
            row.received_at = received_at
        record_decision(
            session,
            row,
            status=status,
            decided_by="auto",
            reasons=reasons
            if reasons is not None
            else [{"code": c, "score": v, "threshold": 0.5, "source": "test"} for c, v in scores.items() if v >= 0.5],
            scores=scores,
            policy_version=1,
            enqueue_delivery=None,
        )
    return comment_id
