"""Celery tasks for scoring. They take ids, load state from the database, and are idempotent."""
from __future__ import annotations

import logging

from sqlalchemy import text

from service import comments, scoring
from service.taskqueue import sent_at_header
from workers import runtime
from workers.celery_app import celery, settings

log = logging.getLogger(__name__)


@celery.task(bind=True, name="kavalu.score_comment", acks_late=True, ignore_result=True,
             soft_time_limit=120, time_limit=180, max_retries=None)
def score_comment(self, comment_id: str) -> str:
    """Score a comment (and, to fill a batch, other fresh pending ones) and decide.

    A redelivered or duplicate task finds the comment decided or claimed and does nothing.
    """
    database = runtime.database(settings)
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    with database.session() as session:
        jobs = scoring.claim_for_scoring(
            session, comment_id, defaults=settings.default_policy, batch_size=settings.scoring_claim_size,
            lease_s=settings.scoring_lease_s, redelivered=redelivered,
        )
    if not jobs:
        return "skipped"
    from workers.pipeline import fingerprint, get_pipeline

    try:
        outputs = get_pipeline(settings).score(jobs)
    except Exception as error:
        log.exception("scoring failed", extra={"comment_id": comment_id, "batch": len(jobs)})
        return _after_failure(self, jobs, error)
    with database.session() as session:
        for job, job_outputs in zip(jobs, outputs):
            decision = scoring.finish_scoring(session, job, job_outputs, fingerprint=fingerprint(job),
                                              enqueue_delivery=runtime.enqueue_delivery)
            if decision is not None:
                log.info("decided", extra={"comment_id": job.comment_id, "status": decision.status, "batch": len(jobs)})
    return "decided"


def _after_failure(task, jobs, error: Exception) -> str:
    """A batch failed: release the claims. Each comment is retried alone until its attempts are spent,
    then it goes to review with `scoring_failed`."""
    database = runtime.database(settings)
    retry = []
    with database.session() as session:
        for job in jobs:
            decision = scoring.give_up_scoring(
                session, job.comment_id, max_attempts=settings.scoring_max_attempts, defaults=settings.default_policy,
                enqueue_delivery=runtime.enqueue_delivery, error=f"{type(error).__name__}: {error}",
            )
            if decision is None:
                retry.append(job.comment_id)
    for comment_id in retry:
        score_comment.apply_async(args=[comment_id], countdown=2, retry=False, headers=sent_at_header())
    return "failed"


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
            score_comment.apply_async(args=[comment_id], retry=False, headers=sent_at_header())
        if ids:
            log.info("swept %d pending comments", len(ids))
        return len(ids)
