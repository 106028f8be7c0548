"""Celery tasks for scoring. They take ids, load state from the database, and are idempotent."""

from __future__ import annotations

import logging
import time

from service.intake import comments
from service.scoring import claims, results
from service.scoring.jobs import ScoringJob
from service.task_names import SCORE_COMMENT, SWEEP_LOCK_ID, SWEEP_PENDING
from service.taskqueue import sent_at_header
from workers import runtime
from workers.app import celery

log = logging.getLogger(__name__)


@celery.task(bind=True, name=SCORE_COMMENT, acks_late=True)
def score_comment(self, comment_id: str) -> str:
    """Score a comment and decide; then keep scoring fresh pending comments, in batches, while there are any.

    Intake wakes one worker for many comments (TaskQueue.enqueue_scoring), so a task drains
    what is waiting rather than only its own comment. A redelivered or duplicate task finds
    the comment decided or claimed and does nothing more than look for other work.
    """
    settings = self.settings
    runtime.scoring_woken(settings)  # from here on, a new comment wakes another worker
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    deadline = time.monotonic() + settings.scoring_drain_s
    scored = 0
    wanted: str | None = comment_id  # this task's own comment first, then whatever is pending
    while True:
        jobs = _claim(self, wanted, redelivered)
        if not jobs:
            break
        if not _score_and_decide(self, jobs):
            return "failed"
        scored += len(jobs)
        wanted, redelivered = None, False
        if time.monotonic() > deadline:
            # Hand over rather than hold this worker past its time limit; the next task goes on draining.
            score_comment.apply_async(args=[jobs[-1].comment_id], retry=False, headers=sent_at_header())
            break
    return "decided" if scored else "skipped"


def _claim(task, comment_id: str | None, redelivered: bool) -> list[ScoringJob]:
    settings = task.settings
    with task.session() as session:
        return claims.claim_for_scoring(
            session,
            comment_id,
            defaults=settings.default_policy,
            batch_size=settings.scoring_claim_size,
            lease_s=settings.scoring_lease_s,
            redelivered=redelivered,
        )


def _score_and_decide(task, jobs: list[ScoringJob]) -> bool:
    from workers.scoring.pipeline import fingerprint, get_pipeline

    settings = task.settings
    started = time.perf_counter()
    try:
        pipeline = get_pipeline(settings)  # inside: a model that can't load fails the batch like a crash
        outputs = pipeline.score(jobs)
    except Exception as error:
        log.exception("scoring failed", extra={"comment_id": jobs[0].comment_id, "batch": len(jobs)})
        _after_failure(task, jobs, error)
        return False
    scored = time.perf_counter()
    with task.session() as session:
        decisions = results.finish_batch(
            session,
            jobs,
            outputs,
            fingerprints=[fingerprint(job) for job in jobs],
            enqueue_deliveries=runtime.enqueue_deliveries,
        )
    log.info(
        "batch decided",
        extra={
            "batch": len(jobs),
            "scorers_s": {k: round(v, 3) for k, v in pipeline.timings.items()},
            "score_s": round(scored - started, 3),
            "store_s": round(time.perf_counter() - scored, 3),
        },
    )
    for job, decision in zip(jobs, decisions):
        if decision is not None:
            log.info("decided", extra={"comment_id": job.comment_id, "status": decision.status, "batch": len(jobs)})
    return True


def _after_failure(task, jobs, error: Exception) -> None:
    """A batch failed: release the claims. Each comment is retried alone until its attempts are spent,
    then it goes to review with `scoring_failed`."""
    settings = task.settings
    retry = []
    with task.session() as session:
        for job in jobs:
            decision = results.give_up_scoring(
                session,
                job.comment_id,
                max_attempts=settings.scoring_max_attempts,
                defaults=settings.default_policy,
                enqueue_delivery=lambda event_id: runtime.enqueue_deliveries([event_id]),
                error=f"{type(error).__name__}: {error}",
            )
            if decision is None:
                retry.append(job.comment_id)
    for comment_id in retry:
        score_comment.apply_async(args=[comment_id], countdown=2, retry=False, headers=sent_at_header())


@celery.task(bind=True, name=SWEEP_PENDING, soft_time_limit=60)
def sweep_pending(self) -> int:
    """Enqueue comments that were committed but never reached (or were lost by) the broker."""
    with self.session() as session:
        if not self.try_advisory_lock(session, SWEEP_LOCK_ID):
            return 0
        ids = comments.stranded_pending(session, self.settings.sweep_stale_after_s)
        for comment_id in ids:
            score_comment.apply_async(args=[comment_id], retry=False, headers=sent_at_header())
        if ids:
            log.info("swept %d pending comments", len(ids))
        return len(ids)
