"""The API's port to the task queue: it sends tasks by name and never imports the workers."""

from __future__ import annotations

import logging
import time

from celery import Celery

from service.config import Settings
from service.logs import request_id
from service.task_names import DELIVER_EVENT, SCORE_COMMENT

log = logging.getLogger(__name__)

WAKE_KEY = "kavalu:scoring:wake"


def sent_at_header() -> dict:
    """Message headers: the send time lets ops read the age of the oldest waiting message straight from
    the broker, and the request id follows a comment from intake through the workers into their logs."""
    return {"kavalu_sent_at": time.time(), "kavalu_request_id": request_id.get()}


class ScoringWake:
    """Intake wakes a scoring worker only when none has been woken and not yet started: a woken
    worker drains every pending comment (workers.scoring.tasks.score_comment), so a burst of comments
    costs one task, not one each. The mark lives in the broker's Redis and expires after
    `scoring_wake_ttl_s`, so a lost task delays nothing for long (and the sweeper backs it up).
    With the filesystem broker, or a TTL of 0, every comment gets its own task.
    """

    def __init__(self, settings: Settings):
        self.ttl_ms = int(settings.scoring_wake_ttl_s * 1000)
        self.redis = None
        if self.ttl_ms > 0 and settings.broker_url.startswith("redis"):
            import redis

            self.redis = redis.Redis.from_url(
                settings.broker_url,
                socket_connect_timeout=settings.broker_connect_timeout_s,
                socket_timeout=settings.broker_connect_timeout_s,
            )

    def needs_task(self, comment_id: str) -> bool:
        if self.redis is None:
            return True
        try:
            return bool(self.redis.set(WAKE_KEY, comment_id, nx=True, px=self.ttl_ms))
        except Exception:  # Redis down: try the send anyway; if it fails too, the sweeper has the comment
            return True

    def taken(self) -> None:
        """Called by a worker before it looks for work: from now on a new comment needs a new task."""
        if self.redis is not None:
            try:
                self.redis.delete(WAKE_KEY)
            except Exception as error:
                log.warning("could not clear the scoring wake mark", extra={"error": type(error).__name__})


class KavaluCelery(Celery):
    """Kavalu's Celery application: the API's task client and the workers' app are both one of these,
    configured from the same settings."""

    _settings: Settings | None = None

    def init_settings(self, settings: Settings) -> None:
        self._settings = settings
        settings.make_broker_folders()
        self.conf.update(settings.celery_config())

    @property
    def settings(self) -> Settings:
        """The settings given to `init_settings`, or the environment's when a task runs in a process
        that did not start as a worker (a test, a shell)."""
        if self._settings is None:
            self.init_settings(Settings.from_env())
        assert self._settings is not None
        return self._settings


class TaskQueue:
    def __init__(self, settings: Settings):
        self.celery = KavaluCelery("kavalu-client", set_as_current=False)
        self.celery.init_settings(settings)
        self.wake = ScoringWake(settings)

    def send(self, task_name: str, *args) -> bool:
        """Send a task; False if the broker is unreachable.

        A failed send is not an error for the caller: the row stays pending and
        the periodic sweeper enqueues it again once the broker is back.
        """
        try:
            self.celery.send_task(task_name, args=list(args), retry=False, headers=sent_at_header())
            return True
        except Exception as error:  # kombu raises several transport-specific errors
            log.warning(
                "enqueue failed, the sweeper will retry", extra={"task": task_name, "error": type(error).__name__}
            )
            return False

    def enqueue_scoring(self, comment_id: str) -> bool:
        return self.send(SCORE_COMMENT, comment_id) if self.wake.needs_task(comment_id) else True

    def enqueue_delivery(self, event_id: str) -> bool:
        return self.send(DELIVER_EVENT, event_id)
