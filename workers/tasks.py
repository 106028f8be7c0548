"""Celery tasks. They take ids, load state from the database, and are idempotent."""
from __future__ import annotations

import logging

from sqlalchemy import text

from service import comments
from service.models import PENDING, Comment
from workers import runtime
from workers.celery_app import celery, settings

log = logging.getLogger(__name__)


@celery.task(name="kavalu.score_comment", acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def score_comment(comment_id: str) -> str:
    with runtime.database(settings).session() as session:
        comment = session.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            log.warning("score_comment: no such comment", extra={"comment_id": comment_id})
            return "missing"
        if comment.status != PENDING:
            return "already_decided"
        # Scoring arrives with the scoring issue; until then record that the task ran and decide nothing.
        comment.scoring_attempts += 1
        return "recorded"


@celery.task(name="kavalu.sweep_pending", ignore_result=True, soft_time_limit=60)
def sweep_pending() -> int:
    """Enqueue comments that were committed but never reached (or were lost by) the broker."""
    with runtime.database(settings).session() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Two beats (or a slow sweep overlapping the next) must not sweep at once.
            if not session.execute(text("SELECT pg_try_advisory_xact_lock(4242001)")).scalar():
                return 0
        ids = comments.stranded_pending(session, settings.sweep_stale_after_s)
        for comment_id in ids:
            score_comment.apply_async(args=[comment_id], retry=False)
        if ids:
            log.info("swept %d pending comments", len(ids))
        return len(ids)
