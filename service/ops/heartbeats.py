"""Worker heartbeats: which processes can score, as /readyz, /metrics and the worker healthcheck see it.

Two kinds of rows live in `worker_heartbeats`:

- a **scoring process** (a pool child of a worker on the scoring queue) writes `"<worker hostname>/<pid>"`
  with queues `scoring`, from a thread in that child, once its models are loaded and warm. A child that dies
  stops writing, so its row goes stale; a worker whose pool cannot score has no fresh row;
- a worker's **main process** writes `"<worker hostname>"` with the other queues it consumes (`deliveries`).
  It says the worker is up, never that it can score;
- next to a scoring process's row, the abuse model's precision report of that process
  (`"abuse-precision:<worker hostname>/<pid>"`, service.ops.precision), written and refreshed with it.

This module imports no metrics and no models: the healthcheck, a separate short-lived process, uses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.models import WorkerHeartbeat, utcnow
from service.ops.precision import REPORT_PREFIX, report_name
from service.task_names import SCORING_QUEUE

PROCESS_SEPARATOR = "/"
PRUNE_AFTER = timedelta(days=1)
# Reports this process writes with its heartbeat: heartbeat row name -> report text (service.ops.precision).
_reports: dict[str, str] = {}


def scoring_process_name(worker_hostname: str, pid: int) -> str:
    return f"{worker_hostname}{PROCESS_SEPARATOR}{pid}"


def _is_scoring_process():
    return (WorkerHeartbeat.queues == SCORING_QUEUE) & WorkerHeartbeat.hostname.contains(
        PROCESS_SEPARATOR, autoescape=True
    )


def fresh_scoring_processes(
    session: Session, max_age_s: float, now: datetime | None = None, host: str | None = None
) -> int:
    """Scoring processes whose heartbeat is at most max_age_s old; only those of workers on `host`
    (the part after `@` in a Celery hostname) when given."""
    since = (now or utcnow()) - timedelta(seconds=max_age_s)
    query = select(func.count()).select_from(WorkerHeartbeat).where(_is_scoring_process())
    query = query.where(WorkerHeartbeat.last_seen >= since)
    if host is not None:
        query = query.where(WorkerHeartbeat.hostname.contains(f"@{host}{PROCESS_SEPARATOR}", autoescape=True))
    return int(session.scalar(query) or 0)


def fresh_other_workers(session: Session, max_age_s: float, now: datetime | None = None) -> int:
    """Main-process heartbeats (delivery workers) at most max_age_s old."""
    since = (now or utcnow()) - timedelta(seconds=max_age_s)
    query = select(func.count()).select_from(WorkerHeartbeat).where(~_is_scoring_process())
    query = query.where(~WorkerHeartbeat.hostname.startswith(REPORT_PREFIX, autoescape=True))
    return int(session.scalar(query.where(WorkerHeartbeat.last_seen >= since)) or 0)


def attach_report(hostname: str, report: str) -> None:
    """From now on, every heartbeat this process writes as `hostname` also writes `report` beside it."""
    _reports[hostname] = report


def write(session: Session, hostname: str, queues: str) -> None:
    now = utcnow()
    rows = {hostname: queues}
    if hostname in _reports:
        rows[report_name(hostname)] = _reports[hostname]
    for name, value in rows.items():
        heartbeat = session.get(WorkerHeartbeat, name)
        if heartbeat is None:
            session.add(WorkerHeartbeat(hostname=name, queues=value, last_seen=now))
        else:
            heartbeat.last_seen, heartbeat.queues = now, value


def forget(session: Session, hostname: str) -> None:
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.hostname.in_([hostname, report_name(hostname)])))


def prune(session: Session, now: datetime | None = None) -> int:
    """Drop rows of processes gone for over a day (every restart leaves one behind)."""
    result = session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen < (now or utcnow()) - PRUNE_AFTER))
    return int(getattr(result, "rowcount", 0) or 0)
