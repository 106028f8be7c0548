"""Worker heartbeats: which processes can score, as /readyz, /metrics and the worker healthcheck see it.

Two kinds of rows live in `worker_heartbeats`:

- a **scoring process** (a pool child of a worker on the scoring queue) writes `"<worker hostname>/<pid>"`
  with queues `scoring`, from a thread in that child, once its models are loaded and warm. A child that dies
  stops writing, and the worker's main process removes its row (workers.runtime.watch_pool); a worker whose pool
  cannot score has no fresh row;
- a worker's **main process** writes `"<worker hostname>"` with the other queues it consumes (`deliveries`).
  It says the worker is up, never that it can score;
- a scoring process's row also says when it last finished a task (`last_task_at`; set to its start when it
  becomes ready). Its heartbeat thread proves the process is alive, not that tasks reach it (a frozen main process,
  a job lost with a dead pool child): a process is **stalled** when a comment has been pending for over
  KAVALU_SCORING_STALL_S and the process finished no task in that time. A stalled process does not count as ready;
- the sweeper (`"sweeper@<host>"`, queues `sweeper`) is written by each run of the periodic sweep: its age says
  whether beat still schedules the sweeps and callback retries;
- next to a scoring process's row, the abuse model's precision report of that process
  (`"abuse-precision:<worker hostname>/<pid>"`, service.ops.precision), written and refreshed with it.

This module imports no metrics and no models: the healthcheck, a separate short-lived process, uses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from service.models import PENDING, Comment, WorkerHeartbeat, as_utc, utcnow
from service.ops.precision import REPORT_PREFIX, report_name
from service.task_names import SCORING_QUEUE

PROCESS_SEPARATOR = "/"
SWEEPER_PREFIX = "sweeper@"
SWEEPER_QUEUES = "sweeper"
PRUNE_AFTER = timedelta(days=1)
# Reports this process writes with its heartbeat: heartbeat row name -> report text (service.ops.precision).
_reports: dict[str, str] = {}


def scoring_process_name(worker_hostname: str, pid: int) -> str:
    return f"{worker_hostname}{PROCESS_SEPARATOR}{pid}"


def _is_scoring_process():
    return (WorkerHeartbeat.queues == SCORING_QUEUE) & WorkerHeartbeat.hostname.contains(
        PROCESS_SEPARATOR, autoescape=True
    )


def work_waiting_since(session: Session, stall_s: float, now: datetime | None = None) -> bool:
    """Whether a comment has been pending for over stall_s (work a scoring process should have taken by now)."""
    cutoff = (now or utcnow()) - timedelta(seconds=stall_s)
    return bool(session.scalar(select(exists().where(Comment.status == PENDING, Comment.received_at < cutoff))))


def fresh_scoring_processes(
    session: Session, max_age_s: float, stall_s: float, now: datetime | None = None, host: str | None = None
) -> int:
    """The scoring processes ready to score, the one count that /readyz, the worker healthcheck, /metrics and the
    ops overview report: a heartbeat at most max_age_s old, and not stalled (while a comment has been pending for
    over stall_s, only a process that finished a task within stall_s counts, as in scoring_processes). Only those
    of workers on `host` (the part after `@` in a Celery hostname) when given."""
    now = now or utcnow()
    since = now - timedelta(seconds=max_age_s)
    query = select(func.count()).select_from(WorkerHeartbeat).where(_is_scoring_process())
    query = query.where(WorkerHeartbeat.last_seen >= since)
    if host is not None:
        query = query.where(WorkerHeartbeat.hostname.contains(f"@{host}{PROCESS_SEPARATOR}", autoescape=True))
    # last_task_at only when work waits: /readyz still answers on a store migrated back before it (0013).
    if work_waiting_since(session, stall_s, now):
        query = query.where(WorkerHeartbeat.last_task_at >= now - timedelta(seconds=stall_s))
    return int(session.scalar(query) or 0)


def scoring_processes(
    session: Session, max_age_s: float, stall_s: float, now: datetime | None = None
) -> list[tuple[str, int, bool]]:
    """(name, pid, stalled) of every scoring process with a heartbeat at most max_age_s old: for `kavalu run`."""
    now = now or utcnow()
    waiting = work_waiting_since(session, stall_s, now)
    progress_since = now - timedelta(seconds=stall_s)
    rows = session.execute(
        select(WorkerHeartbeat.hostname, WorkerHeartbeat.last_task_at).where(
            _is_scoring_process(), WorkerHeartbeat.last_seen >= now - timedelta(seconds=max_age_s)
        )
    ).all()
    found = []
    for name, last_task_at in rows:
        pid = name.rsplit(PROCESS_SEPARATOR, 1)[1]
        if not pid.isdigit():
            continue
        stalled = waiting and (last_task_at is None or as_utc(last_task_at) < progress_since)
        found.append((name, int(pid), stalled))
    return found


def record_sweep(session: Session, host: str) -> None:
    """The periodic sweep ran on `host` (and so beat schedules it, and a worker takes the maintenance queue)."""
    write(session, f"{SWEEPER_PREFIX}{host}", SWEEPER_QUEUES)


def last_sweep_age(session: Session, now: datetime | None = None) -> float | None:
    """Seconds since the last sweep on any host; None when none has been recorded (a new store)."""
    last = session.scalar(
        select(func.max(WorkerHeartbeat.last_seen)).where(
            WorkerHeartbeat.hostname.startswith(SWEEPER_PREFIX, autoescape=True)
        )
    )
    if last is None:
        return None
    return max(0.0, ((now or utcnow()) - as_utc(last)).total_seconds())


def fresh_other_workers(session: Session, max_age_s: float, now: datetime | None = None) -> int:
    """Main-process heartbeats (delivery workers) at most max_age_s old."""
    since = (now or utcnow()) - timedelta(seconds=max_age_s)
    query = select(func.count()).select_from(WorkerHeartbeat).where(~_is_scoring_process())
    query = query.where(~WorkerHeartbeat.hostname.startswith(REPORT_PREFIX, autoescape=True))
    query = query.where(~WorkerHeartbeat.hostname.startswith(SWEEPER_PREFIX, autoescape=True))
    return int(session.scalar(query.where(WorkerHeartbeat.last_seen >= since)) or 0)


def attach_report(hostname: str, report: str) -> None:
    """From now on, every heartbeat this process writes as `hostname` also writes `report` beside it."""
    _reports[hostname] = report


def write(session: Session, hostname: str, queues: str, last_task_at: datetime | None = None) -> None:
    """Write `hostname`'s heartbeat now; with last_task_at (a scoring process), when it last finished a task."""
    now = utcnow()
    rows = {hostname: queues}
    if hostname in _reports:
        rows[report_name(hostname)] = _reports[hostname]
    for name, value in rows.items():
        heartbeat = session.get(WorkerHeartbeat, name)
        if heartbeat is None:
            heartbeat = WorkerHeartbeat(hostname=name, queues=value, last_seen=now)
            session.add(heartbeat)
        else:
            heartbeat.last_seen, heartbeat.queues = now, value
        if name == hostname and last_task_at is not None:
            heartbeat.last_task_at = last_task_at


def forget(session: Session, hostname: str) -> None:
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.hostname.in_([hostname, report_name(hostname)])))


def prune(session: Session, now: datetime | None = None) -> int:
    """Drop rows of processes gone for over a day (every restart leaves one behind)."""
    result = session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen < (now or utcnow()) - PRUNE_AFTER))
    return int(getattr(result, "rowcount", 0) or 0)
