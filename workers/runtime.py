"""Per-process resources of a worker, created after fork and reused by every task."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime

from service.db import Database
from service.models import utcnow
from service.ops import heartbeats
from service.task_names import DELIVER_EVENT, DELIVER_EVENTS
from service.taskqueue import ScoringWake, sent_at_header
from workers.app import celery

log = logging.getLogger(__name__)
MODELS_LOADED = "scoring models loaded"  # logged by each scoring process once its models are in memory
_database: tuple[int, Database] | None = None
_wake: tuple[int, ScoringWake] | None = None
_heartbeat: tuple[str, threading.Event, threading.Thread] | None = None  # this process's row, its stop, its thread
# A scoring process: when it last finished a task (its start, before the first); its heartbeat writes it.
_last_task_at: datetime | None = None
PRUNE_EVERY_S = 3600.0
POOL_WATCH_INTERVAL_S = 1.0


def database(settings) -> Database:
    global _database
    # A forked child must not reuse its parent's connections.
    if _database is None or _database[0] != os.getpid():
        if _database is not None:
            # The parent's pooled connections: drop them here without closing them under the parent.
            _database[1].engine.dispose(close=False)
        _database = (os.getpid(), Database(settings))
    return _database[1]


def connect_database(settings) -> None:
    """Open this process's first database connection now rather than on its first comment."""
    try:
        with database(settings).engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # the database may be down at start; the tasks retry on their own
        log.warning("database not reachable at start", extra={"error": type(error).__name__})


def scoring_woken(settings) -> None:
    global _wake
    if _wake is None or _wake[0] != os.getpid():
        _wake = (os.getpid(), ScoringWake(settings))
    _wake[1].taken()


def enqueue_deliveries(event_ids: list[str]) -> None:
    """Send one delivery task for one publisher's new events; if the broker is down, the periodic
    dispatcher finds them later."""
    try:
        if len(event_ids) == 1:
            celery.send_task(DELIVER_EVENT, args=[event_ids[0]], retry=False, headers=sent_at_header())
        else:
            celery.send_task(DELIVER_EVENTS, args=[event_ids], retry=False, headers=sent_at_header())
    except Exception as error:
        log.warning(
            "delivery enqueue failed; the dispatcher will retry",
            extra={"events": len(event_ids), "error": type(error).__name__},
        )


def task_finished() -> None:
    """A task ended in this process (any outcome): it still gets work. Written with the next heartbeat."""
    global _last_task_at
    if _last_task_at is not None:
        _last_task_at = utcnow()


def write_heartbeat(settings, hostname: str, queues: str) -> None:
    with database(settings).session() as session:
        heartbeats.write(session, hostname, queues, last_task_at=_last_task_at)


def write_first_heartbeat(settings, hostname: str, queues: str) -> None:
    """Once, from a worker's main process before its pool forks (no thread yet: a fork copies no threads)."""
    try:
        write_heartbeat(settings, hostname, queues)
    except Exception as error:  # the heartbeat thread writes it once the database is back
        log.warning("heartbeat failed", extra={"worker": hostname, "error": type(error).__name__})


def prune_heartbeats(settings) -> None:
    with database(settings).session() as session:
        heartbeats.prune(session)


def _forget_parent_heartbeat() -> None:
    # A forked pool process must not stop, or remove the row of, its parent's heartbeat (stop_heartbeat on a clean
    # exit before it has started its own).
    global _heartbeat
    _heartbeat = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_heartbeat)


def start_heartbeat(
    settings, hostname: str, queues: str, interval_s: float | None = None, tracks_tasks: bool = False
) -> None:
    """Write this process's heartbeat row now and every interval_s from a daemon thread of this process.

    A scoring pool process calls it once its models are loaded (its row is what /readyz counts); a delivery
    worker's main process calls it for its queues. The thread dies with the process, and the row goes stale.
    With tracks_tasks (a scoring process), the row also says when this process last finished a task, from now on.
    """
    global _heartbeat, _last_task_at
    if tracks_tasks:
        _last_task_at = utcnow()  # a new process has had no chance to finish one yet (a reused row is reset too)
    interval_s = settings.heartbeat_interval_s if interval_s is None else interval_s
    stop = threading.Event()

    def beat():
        failing = False
        pruned_at = float("-inf")
        while not stop.is_set():
            try:
                write_heartbeat(settings, hostname, queues)
                if time.monotonic() - pruned_at >= PRUNE_EVERY_S:
                    pruned_at = time.monotonic()
                    prune_heartbeats(settings)
                if failing:
                    log.info("heartbeat written again", extra={"worker": hostname})
                failing = False
            except Exception as error:
                if not failing:  # one line per outage, not one per beat
                    log.warning("heartbeat failed", extra={"worker": hostname, "error": type(error).__name__})
                failing = True
            stop.wait(interval_s)

    thread = threading.Thread(target=beat, name="kavalu-heartbeat", daemon=True)
    _heartbeat = (hostname, stop, thread)
    thread.start()


def stop_heartbeat(settings) -> None:
    """On a clean exit: stop beating and remove the row, so /readyz stops counting this process at once."""
    global _heartbeat
    if _heartbeat is None:
        return
    hostname, stop, thread = _heartbeat
    _heartbeat = None
    stop.set()
    thread.join(timeout=5)  # a write in flight would put the row back
    try:
        with database(settings).session() as session:
            heartbeats.forget(session, hostname)
    except Exception as error:  # the row goes stale on its own
        log.warning("heartbeat not removed", extra={"worker": hostname, "error": type(error).__name__})


def _has_exited(pid: int) -> bool:
    """Whether a child process of this one has exited, without reaping it: the pool reaps its own and reads the exit."""
    if not hasattr(os, "waitid"):  # the pool's own list is all there is
        return False
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # reaped already
        return True


def watch_pool(settings, hostname: str, pool_pids, interval_s: float = POOL_WATCH_INTERVAL_S) -> threading.Event:
    """From the worker's main process: remove the heartbeat row of each pool process that leaves the pool.

    A pool process killed by the OS (SIGKILL, the OOM killer) writes no goodbye, and its row would count as ready until
    it is heartbeat_max_age_s old while nothing can score. A process is gone when it left `pool_pids()` (the pool's
    process ids) or has exited: its row is removed within interval_s. The pool's event loop reaps a dead process only
    when the main thread gets to it, seconds late on a busy host, so this thread does not wait for that.
    Setting the returned event stops the watch.
    """

    stop = threading.Event()

    def watch() -> None:
        known: set[int] = set()
        while not stop.is_set():
            try:
                current = {pid for pid in pool_pids() if not _has_exited(pid)}
            except Exception:  # the pool is being torn down
                current = known
            if gone := known - current:
                try:
                    with database(settings).session() as session:
                        for pid in gone:
                            heartbeats.forget(session, heartbeats.scoring_process_name(hostname, pid))
                except Exception as error:  # the row goes stale on its own
                    log.warning("heartbeat not removed", extra={"worker": hostname, "error": type(error).__name__})
            known = current
            stop.wait(interval_s)

    threading.Thread(target=watch, name="kavalu-pool-watch", daemon=True).start()
    return stop
