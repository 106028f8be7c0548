"""Per-process resources of a worker, created after fork and reused by every task."""

from __future__ import annotations

import logging
import os

from service.db import Database
from service.models import WorkerHeartbeat, utcnow
from service.task_names import DELIVER_EVENT, DELIVER_EVENTS
from service.taskqueue import ScoringWake, sent_at_header
from workers.app import celery

log = logging.getLogger(__name__)
MODELS_LOADED = "scoring models loaded"  # logged by each scoring process once its models are in memory
_database: tuple[int, Database] | None = None
_wake: tuple[int, ScoringWake] | None = None


def database(settings) -> Database:
    global _database
    # A forked child must not reuse its parent's connections.
    if _database is None or _database[0] != os.getpid():
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


def write_heartbeat(settings, hostname: str, queues: str) -> None:
    with database(settings).session() as session:
        heartbeat = session.get(WorkerHeartbeat, hostname)
        if heartbeat is None:
            session.add(WorkerHeartbeat(hostname=hostname, queues=queues, last_seen=utcnow()))
        else:
            heartbeat.last_seen, heartbeat.queues = utcnow(), queues


def start_heartbeat(settings, hostname: str, queues: str, interval_s: float = 15.0) -> None:
    """Tell /readyz this worker is alive, from a thread in the worker's main process."""
    import threading
    import time

    def beat():
        while True:
            try:
                write_heartbeat(settings, hostname, queues)
            except Exception as error:
                log.warning("heartbeat failed", extra={"error": type(error).__name__})
            time.sleep(interval_s)

    threading.Thread(target=beat, name="kavalu-heartbeat", daemon=True).start()
