"""The API's port to the task queue: it sends tasks by name and never imports the workers."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from celery import Celery, signals

from service.breaker import CircuitBreaker
from service.config import Settings
from service.logs import request_id
from service.task_names import ANALYZE_BATCH, ANALYZE_TEXT, DELIVER_EVENT, SCORE_COMMENT

log = logging.getLogger(__name__)

WAKE_KEY = "kavalu:scoring:wake"


@signals.before_task_publish.connect
def _stamp_send_time(headers: dict | None = None, **_kwargs) -> None:
    """Every message carries its send time, whoever sends it (beat, a retry sent without sent_at_header()): a
    queue's oldest-message age is read from it, and one without it read as 0 s old."""
    if headers is not None:
        headers.setdefault("kavalu_sent_at", time.time())


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
            return self.mark(comment_id)
        except Exception:  # Redis down: try the send anyway; if it fails too, the sweeper has the comment
            return True

    def mark(self, comment_id: str) -> bool:
        """Set the mark unless it is set: True if this comment must send the task. Raises if Redis fails."""
        return self.redis is None or bool(self.redis.set(WAKE_KEY, comment_id, nx=True, px=self.ttl_ms))

    def taken(self) -> None:
        """Called by a worker before it looks for work: from now on a new comment needs a new task."""
        if self.redis is not None:
            try:
                self.redis.delete(WAKE_KEY)
            except Exception as error:
                log.warning("could not clear the scoring wake mark", extra={"error": type(error).__name__})


class DeferredWake:
    """An API process's scoring wake-ups, one per `delay_s` window instead of one per comment.

    Intake notes each stored comment here and answers; a thread of this process, woken by the first note of a
    window, waits `delay_s` and then wakes scoring once (`wake_now`: the mark, and the task if no worker is
    woken) for every comment noted meanwhile. Under load that saves most of a Redis round trip per comment (the
    whole machine's CPU per intake answer 1.59 -> 1.46 ms, docs/benchmarks.md). It is as safe as a wake per
    comment: the wake is sent after every noted comment was committed, so a worker that takes it drains them all.
    A process that exits sends what it holds (flush_deferred_wakes, at exit); one that is killed leaves those
    comments to the sweeper, as a lost task would.
    """

    def __init__(self, wake_now: Callable[[str], object], delay_s: float):
        self.wake_now = wake_now
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._sending = threading.Lock()  # held while a window is sent: a flush waits for one in flight
        # The first comment noted in this window and its request's id: the task's argument and header, as if
        # that request had sent it (the worker logs the id with the comments the task drains).
        self._noted: tuple[str, str | None] | None = None
        self._due = threading.Event()
        self._pid: int | None = None
        _deferred_wakes.add(self)

    def note(self, comment_id: str) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first note in this process (gunicorn forks after loading the app)
                self._pid = os.getpid()
                self._due = threading.Event()
                self._noted = None
                threading.Thread(target=self._run, args=(self._due,), name="kavalu-scoring-wake", daemon=True).start()
            if self._noted is None:
                self._noted = (comment_id, request_id.get())
                self._due.set()

    def flush(self) -> None:
        """Wake scoring now for the comments noted so far, if any; returns once any window in flight is sent."""
        with self._sending:
            with self._lock:
                noted, self._noted = self._noted, None
                self._due.clear()
            if noted is not None:
                comment_id, noted_request_id = noted
                token = request_id.set(noted_request_id)
                try:
                    self.wake_now(comment_id)
                finally:
                    request_id.reset(token)

    def _run(self, due: threading.Event) -> None:
        while True:
            due.wait()
            time.sleep(self.delay_s)
            try:
                self.flush()
            except Exception as error:  # never let the thread die: the next window must still be sent
                log.warning("scoring wake failed; the sweeper will enqueue", extra={"error": type(error).__name__})


_deferred_wakes: weakref.WeakSet[DeferredWake] = weakref.WeakSet()


@atexit.register
def flush_deferred_wakes() -> None:
    """Send every wake this process holds, now (at exit, and for tests that must not leave one behind)."""
    for deferred in list(_deferred_wakes):
        deferred.flush()


class KavaluCelery(Celery):
    """Kavalu's Celery application: the API's task client and the workers' app are both one of these,
    configured from the same settings."""

    _settings: Settings | None = None

    def init_settings(self, settings: Settings, publisher: bool = False) -> None:
        """`publisher`: this app only sends tasks (the API's client), with a short, bounded connection retry."""
        self._settings = settings
        settings.make_broker_folders()
        self.conf.update(settings.celery_config(publisher=publisher))
        if settings.broker_url.startswith("redis"):
            guard_redis_restore()

    @property
    def settings(self) -> Settings:
        """The settings given to `init_settings`, or the environment's when a task runs in a process
        that did not start as a worker (a test, a shell)."""
        if self._settings is None:
            self.init_settings(Settings.from_env())
        assert self._settings is not None
        return self._settings


class TaskQueue:
    """Sends tasks for the API. The broker costs a request milliseconds even when it is down: one connection
    attempt and one quick retry, then a circuit breaker skips the broker for `broker_pause_s`. A skipped or
    failed send is not an error: the row is in the database, and the sweeper (scoring) or the dispatcher
    (deliveries) enqueues it once the broker is back."""

    def __init__(self, settings: Settings):
        self.celery = KavaluCelery("kavalu-client", set_as_current=False)
        self.celery.init_settings(settings, publisher=True)
        self.wake = ScoringWake(settings)
        self.breaker = CircuitBreaker(settings.broker_pause_s)
        # With the filesystem broker (no wake mark) every comment keeps its own task, sent at once.
        self.deferred_wake = (
            DeferredWake(self.wake_scoring, settings.scoring_wake_delay_s)
            if self.wake.redis is not None and settings.scoring_wake_delay_s > 0
            else None
        )
        # With a Redis broker, analyze requests are batched through Redis lists (service.analyze.batching).
        self.analyze_redis = None
        if settings.broker_url.startswith("redis"):
            import redis

            self.analyze_redis = redis.Redis.from_url(
                settings.broker_url,
                socket_connect_timeout=settings.broker_connect_timeout_s,
                socket_timeout=settings.analyze_timeout_s + 2,  # longer than the BLPOP it waits in
            )

    def send(self, task_name: str, *args) -> bool:
        """Send a task; False if the broker is unreachable, or was a moment ago."""
        if self.breaker.is_open():
            return False
        try:
            self.celery.send_task(task_name, args=list(args), retry=False, headers=sent_at_header())
            return True
        except Exception as error:  # kombu raises several transport-specific errors
            self._broker_failed(task_name, error)
            return False

    def _broker_failed(self, task_name: str, error: Exception) -> None:
        self.breaker.trip()
        log.warning(
            "enqueue failed; the broker is skipped for a while and the sweeper will retry",
            extra={"task": task_name, "error": type(error).__name__, "pause_s": self.breaker.pause_s},
        )

    def enqueue_scoring(self, comment_id: str) -> bool:
        """Have a committed comment scored: noted for this process's next wake-up (DeferredWake), or woken now.
        False if the broker is known to be down (the sweeper will enqueue it)."""
        if self.deferred_wake is None:
            return self.wake_scoring(comment_id)
        if self.breaker.is_open():
            return False
        self.deferred_wake.note(comment_id)
        return True

    def wake_scoring(self, comment_id: str) -> bool:
        if self.breaker.is_open():
            return False
        try:
            needed = self.wake.mark(comment_id)
        except Exception as error:  # the wake mark lives in the broker's Redis: the send would fail too
            self._broker_failed(SCORE_COMMENT, error)
            return False
        return self.send(SCORE_COMMENT, comment_id) if needed else True

    def enqueue_delivery(self, event_id: str) -> bool:
        return self.send(DELIVER_EVENT, event_id)


class AnalyzeUnavailable(Exception):
    """No analyze worker answered in time (none running, all busy, or the broker is down): a 503 with Retry-After."""


class AnalyzeFailed(Exception):
    """The analyze worker raised: the scorers failed on this text."""


def analyze_text(queue: TaskQueue, request: dict, timeout_s: float) -> dict:
    """Send one text to an analyze worker and wait at most `timeout_s` for its answer (plain data both ways).

    The message expires with the wait, so a worker that starts later does not score texts nobody waits for."""
    from celery.exceptions import TimeoutError as ResultTimeout

    if queue.breaker.is_open():
        raise AnalyzeUnavailable("the broker is unreachable")
    if queue.analyze_redis is not None:
        return _analyze_batched(queue, request, timeout_s)
    try:
        result = queue.celery.send_task(
            ANALYZE_TEXT, args=[request], retry=False, expires=timeout_s, headers=sent_at_header()
        )
    except Exception as error:
        queue._broker_failed(ANALYZE_TEXT, error)
        raise AnalyzeUnavailable("the broker is unreachable") from error
    try:
        answer = result.get(timeout=timeout_s, propagate=False, interval=0.005)
        succeeded = result.successful()
    except ResultTimeout as error:
        raise AnalyzeUnavailable(f"no analyze worker answered within {timeout_s:g} s") from error
    except Exception as error:  # the result backend is unreachable
        raise AnalyzeUnavailable(f"the result backend failed: {type(error).__name__}") from error
    finally:
        with contextlib.suppress(Exception):  # it expires anyway (result_expires)
            result.forget()
    if not succeeded or not isinstance(answer, dict):
        raise AnalyzeFailed(f"the analyze worker failed: {type(answer).__name__}")
    return answer


def _analyze_batched(queue: TaskQueue, request: dict, timeout_s: float) -> dict:
    from service.analyze import batching

    try:
        request_id = batching.push_request(queue.analyze_redis, request, timeout_s)
        queue.celery.send_task(ANALYZE_BATCH, retry=False, expires=timeout_s, headers=sent_at_header())
    except Exception as error:
        queue._broker_failed(ANALYZE_BATCH, error)
        raise AnalyzeUnavailable("the broker is unreachable") from error
    try:
        answer = batching.wait_answer(queue.analyze_redis, request_id, timeout_s)
    except Exception as error:
        raise AnalyzeUnavailable(f"the broker failed: {type(error).__name__}") from error
    if answer is None:
        raise AnalyzeUnavailable(f"no analyze worker answered within {timeout_s:g} s")
    if "error" in answer:
        raise AnalyzeFailed(f"the analyze worker failed: {answer['error']}")
    return answer


def guard_redis_restore() -> None:
    """Work around a kombu crash on a Redis restart (issue 17: a delivery worker died once in seven outages
    with `Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")`).

    When the connection is lost, Celery collects it: kombu closes the transport and clears its `client`.
    A channel that was not closed then (its close raised the connection error first) is closed later,
    when the consumer restarts; closing it drops its Redis pool, and restoring its unacknowledged
    messages builds a new pool from the cleared client, which raises AttributeError. Celery treats that
    as unrecoverable and the worker exits. With no broker connection left to restore them through,
    skip the restore instead: the messages stay in Redis's unacked set (restored after the visibility
    timeout) or, after a Redis restart without persistence, are gone, and the database has the truth:
    the sweeper enqueues pending comments again and the dispatcher due deliveries.
    """
    from kombu.transport import redis as kombu_redis

    restore = kombu_redis.QoS.restore_unacked
    if getattr(restore, "kavalu_guarded", False):
        return

    def restore_unacked(qos, client=None):
        transport = getattr(qos.channel, "connection", None)
        if client is None and qos.channel._pool is None and getattr(transport, "client", None) is None:
            if qos._delivered:
                log.warning(
                    "broker connection gone: %d unacknowledged message(s) left to the visibility timeout"
                    " and the sweeper",
                    len(qos._delivered),
                )
            qos._delivered.clear()
            return None
        return restore(qos, client)

    restore_unacked.kavalu_guarded = True  # type: ignore[attr-defined]
    kombu_redis.QoS.restore_unacked = restore_unacked  # type: ignore[method-assign]
