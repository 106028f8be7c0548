"""Celery tasks for scoring. They take ids, load state from the database, and are idempotent."""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass

from service.intake import comments
from service.ops import heartbeats
from service.ops.metrics import SCORING_CLAIMS_FREED, queue_figures
from service.scoring import claims, results
from service.scoring.jobs import ScoringJob
from service.task_names import SCORE_COMMENT, SCORING_QUEUE, SWEEP_LOCK_ID, SWEEP_PENDING
from service.taskqueue import sent_at_header
from workers import runtime
from workers.app import celery

log = logging.getLogger(__name__)

# Before a worker has timed a batch of its own, it assumes this pace (slower than a CPU worker scores), and
# claims no more than one micro-batch: the first claim, warm-up and all, stays well inside its lease.
FIRST_SECONDS_PER_COMMENT = 0.5
# A claim is sized to take at most this share of the lease and of the task's soft time limit.
CLAIM_SHARE = 1 / 3


@dataclass
class ClaimSizer:
    """How many comments this worker process may claim at once, from how fast it has scored.

    Each finished batch (claim, scorers, decisions: warm-up and model loading included) gives a sample
    of seconds per comment. Slowing down is believed at once, speeding up only gradually (an
    exponentially weighted mean), so a claim sized from the estimate finishes inside its share
    of the lease even when the next comments are slower than the last.
    """

    alpha: float = 0.3
    seconds_per_comment: float | None = None

    def observe(self, comments: int, seconds: float) -> None:
        if comments <= 0 or seconds < 0:
            return
        sample = seconds / comments
        previous = self.seconds_per_comment
        if previous is None or sample >= previous:
            self.seconds_per_comment = sample
        else:
            self.seconds_per_comment = self.alpha * sample + (1 - self.alpha) * previous

    def claim_size(
        self, *, most: int, first: int, lease_s: float, soft_time_limit_s: float | None, drain_s: float
    ) -> int:
        """At most `most`; `first` (or fewer) before any sample; never fewer than one comment."""
        budget = claim_budget_s(lease_s, soft_time_limit_s, drain_s)
        pace = self.seconds_per_comment
        if pace is None:
            return max(1, min(most, first, int(budget / FIRST_SECONDS_PER_COMMENT)))
        return max(1, min(most, int(budget / max(pace, 1e-6))))


def claim_budget_s(lease_s: float, soft_time_limit_s: float | None, drain_s: float) -> float:
    """The time one claim may take: a third of the lease and of the soft time limit; and, since a task
    starts its last claim just before its drain time is up, no more than the time from then to the limit."""
    budget = lease_s * CLAIM_SHARE
    if soft_time_limit_s:
        budget = min(budget, soft_time_limit_s * CLAIM_SHARE, max(soft_time_limit_s - drain_s, 1.0))
    return budget


sizer = ClaimSizer()  # one per worker process: its own speed


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
        started = time.perf_counter()
        jobs = _claim(self, wanted, redelivered)
        if not jobs:
            break
        if not _score_and_decide(self, jobs):
            return "failed"
        sizer.observe(len(jobs), time.perf_counter() - started)
        scored += len(jobs)
        wanted, redelivered = None, False
        if time.monotonic() > deadline:
            # Hand over rather than hold this worker past its time limit; the next task goes on draining.
            _send_scoring(jobs[-1].comment_id)
            break
    return "decided" if scored else "skipped"


def _send_scoring(comment_id: str, countdown: float | None = None) -> None:
    """A scoring task for `comment_id`, sent once: a failed send leaves the comment pending for the sweeper."""
    score_comment.apply_async(args=[comment_id], countdown=countdown, retry=False, headers=sent_at_header())


def _claim(task, comment_id: str | None, redelivered: bool) -> list[ScoringJob]:
    settings = task.settings
    if redelivered and task.request.id:
        _release_lost_batch(task, comment_id)
    if comment_id is not None:
        _give_up_exhausted(task, comment_id=comment_id, redelivered=redelivered)
    batch_size = claim_size(task)
    with task.session() as session:
        return claims.claim_for_scoring(
            session,
            comment_id,
            defaults=settings.default_policy,
            batch_size=batch_size,
            lease_s=settings.scoring_lease_s,
            max_attempts=settings.scoring_max_attempts,
            redelivered=redelivered,
            holder=task.request.id,
            process=_process_name(task),
        )


def _process_name(task) -> str | None:
    """The name of this scoring process's heartbeat row (workers.celery_app), None where none is written."""
    hostname = task.request.hostname
    return heartbeats.scoring_process_name(hostname, os.getpid()) if hostname and not task.request.is_eager else None


def _release_lost_batch(task, comment_id: str | None) -> None:
    """A redelivered task's process died with a batch in hand: the rest of that batch goes back to the workers now,
    a task each, not when its lease lapses."""
    with task.session() as session:
        lost = claims.release_lost_batch(session, task.request.id, keep=comment_id)
    # Sent once the rows are committed and unlocked, as the sweeper does.
    for lost_id in lost:
        _send_scoring(lost_id)
    if lost:
        SCORING_CLAIMS_FREED.labels(reason="task_redelivered").inc(len(lost))
        log.warning("scoring task redelivered: its lost batch freed", extra={"comment_ids": lost, "batch": len(lost)})


def claim_size(task) -> int:
    settings = task.settings
    return sizer.claim_size(
        most=settings.scoring_claim_size,
        first=settings.scoring_batch_size,
        lease_s=settings.scoring_lease_s,
        soft_time_limit_s=getattr(task, "soft_time_limit", None),
        drain_s=settings.scoring_drain_s,
    )


def _give_up_exhausted(task, *, comment_id: str | None = None, redelivered: bool = False) -> int:
    """Comments whose scoring attempts are spent, yet still pending (their worker was killed mid-batch,
    time after time): to review with `scoring_failed`, never claimed again. `comment_id` alone, or
    (without it, for the sweeper) every such comment that no live lease holds."""
    settings = task.settings
    with task.session() as session:
        ids = claims.exhausted_for_scoring(
            session, settings.scoring_max_attempts, comment_id=comment_id, redelivered=redelivered
        )
        for exhausted in ids:
            results.give_up_scoring(
                session,
                exhausted,
                max_attempts=settings.scoring_max_attempts,
                defaults=settings.default_policy,
                enqueue_delivery=lambda event_id: runtime.enqueue_deliveries([event_id]),
                error="scoring attempts spent: the worker was lost while scoring it",
            )
    for exhausted in ids:
        log.warning(
            "scoring failed: attempts spent",
            extra={"comment_id": exhausted, "attempts": settings.scoring_max_attempts, "status": "review"},
        )
    return len(ids)


def _score_and_decide(task, jobs: list[ScoringJob]) -> bool:
    from workers.scoring.pipeline import fingerprint, get_pipeline

    settings = task.settings
    started = time.perf_counter()
    try:
        pipeline = get_pipeline(settings)  # inside: a model that can't load fails the batch like a crash
        outputs = pipeline.score(jobs)
    except Exception as error:
        log.exception(
            "scoring failed",
            extra={
                "comment_id": jobs[0].comment_id,
                "comment_ids": [job.comment_id for job in jobs],
                "batch": len(jobs),
            },
        )
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
                revision=job.revision,
            )
            if decision is None:
                retry.append(job.comment_id)
    for comment_id in retry:
        _send_scoring(comment_id, countdown=2)


def _record_sweep(task) -> None:
    try:
        with task.session() as session:
            heartbeats.record_sweep(session, socket.gethostname())
    except Exception as error:  # the sweep itself goes on; a store that is down fails it below anyway
        log.warning("sweep not recorded", extra={"error": type(error).__name__})


def _queued_for_scoring(settings) -> int:
    try:
        figures = queue_figures(settings.broker_redis_url, broker_folder=settings.broker_folder)
    except Exception:  # the broker is away: the sends fail the same way, and the next sweep tries again
        return 0
    return int(figures.get(SCORING_QUEUE, {}).get("depth") or 0)


@celery.task(bind=True, name=SWEEP_PENDING, soft_time_limit=60)
def sweep_pending(self) -> int:
    """Enqueue comments that were committed but never reached (or were lost by) the broker; first send to
    review the ones whose scoring attempts are spent, which no path claims again.

    It runs on the `maintenance` queue (service/task_names.py), so a drain task that holds the scoring
    workers for a minute does not hold it up. Each run first records that it ran (service/ops/heartbeats.py): /readyz
    and `kavalu run` see when beat stops scheduling it."""
    _record_sweep(self)
    _give_up_exhausted(self)
    with self.session() as session:
        if not self.try_advisory_lock(session, SWEEP_LOCK_ID):
            return 0
        freed = claims.release_silent_processes(session, self.settings.heartbeat_max_age_s)
        ids = comments.stranded_pending(session, self.settings.sweep_stale_after_s)
    # While the scoring queue already holds as many messages (workers stalled or far behind), more would only grow it
    # window after window, to thousands to drain: each message wakes a worker that claims a batch of them. A freed
    # comment has been tried before, so only a task of its own claims it: each is sent.
    ids = ids[: max(0, len(ids) - _queued_for_scoring(self.settings))]
    ids = list(dict.fromkeys(freed + ids))
    # Sent once the rows are committed and unlocked: a worker that takes a message at once would otherwise skip its
    # comment (claims skip locked rows), which would then wait for another sweep, and again.
    for comment_id in ids:
        _send_scoring(comment_id)
    if freed:
        SCORING_CLAIMS_FREED.labels(reason="heartbeat_stopped").inc(len(freed))
        log.warning("scoring claims of stopped processes freed", extra={"comment_ids": freed, "batch": len(freed)})
    if ids:
        log.info("swept %d pending comments", len(ids))
    return len(ids)
