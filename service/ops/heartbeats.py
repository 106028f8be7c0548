"""Worker heartbeats: which processes can score, as /readyz, /metrics and the worker healthcheck see it.

Two kinds of rows live in `worker_heartbeats`:

- a **scoring process** (a pool child of a worker on the scoring queue) writes `"<worker hostname>/<pid>"`
  with queues `scoring`, from a thread in that child, once its models are loaded and warm. A child that dies
  stops writing, and the worker's main process removes its row (workers.runtime.watch_pool); a worker whose pool
  cannot score has no fresh row;
- a worker's **main process** writes `"<worker hostname>"` with the other queues it consumes (`deliveries`;
  none for a worker on the scoring queue alone). It says the worker is up, never that it can score; but while a
  scoring worker's main process has a row that is stale, its pool processes are stalled: frozen, it sends them no
  tasks while their threads go on writing their rows;
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


def _frozen_workers(session: Session, since: datetime) -> set[str]:
    """Workers whose main process has written a heartbeat, but none since `since`: frozen (SIGSTOP, a stuck VM) while
    their pool processes' threads go on writing theirs. A worker with no main-process row (an older version) is not."""
    return set(
        session.scalars(
            select(WorkerHeartbeat.hostname).where(
                ~WorkerHeartbeat.hostname.contains(PROCESS_SEPARATOR, autoescape=True),
                ~WorkerHeartbeat.hostname.startswith(SWEEPER_PREFIX, autoescape=True),
                WorkerHeartbeat.last_seen < since,
            )
        )
    )


def scoring_processes(
    session: Session, max_age_s: float, stall_s: float, now: datetime | None = None, host: str | None = None
) -> list[tuple[str, int, bool]]:
    """(name, pid, stalled) of every scoring process with a heartbeat at most max_age_s old (only those of workers on
    `host`, the part after `@` in a Celery hostname, when given). Stalled: while a comment has been pending for over
    stall_s, it finished no task within stall_s; or its worker's main process wrote no heartbeat within max_age_s."""
    now = now or utcnow()
    since = now - timedelta(seconds=max_age_s)
    progress_since = now - timedelta(seconds=stall_s)
    waiting = work_waiting_since(session, stall_s, now)
    # last_task_at only when work waits: /readyz still answers on a store migrated back before it (0013).
    columns = [WorkerHeartbeat.hostname, WorkerHeartbeat.last_task_at] if waiting else [WorkerHeartbeat.hostname]
    query = select(*columns).where(_is_scoring_process(), WorkerHeartbeat.last_seen >= since)
    if host is not None:
        query = query.where(WorkerHeartbeat.hostname.contains(f"@{host}{PROCESS_SEPARATOR}", autoescape=True))
    frozen = _frozen_workers(session, since)
    found = []
    for row in session.execute(query).all():
        name, last_task_at = row[0], row[1] if waiting else None
        worker, pid = name.rsplit(PROCESS_SEPARATOR, 1)
        if not pid.isdigit():
            continue
        no_progress = waiting and (last_task_at is None or as_utc(last_task_at) < progress_since)
        found.append((name, int(pid), no_progress or worker in frozen))
    return found


def fresh_scoring_processes(
    session: Session, max_age_s: float, stall_s: float, now: datetime | None = None, host: str | None = None
) -> int:
    """The scoring processes ready to score, the one count that /readyz, the worker healthcheck, /metrics and the
    ops overview report: those of scoring_processes that are not stalled."""
    return sum(not stalled for _, _, stalled in scoring_processes(session, max_age_s, stall_s, now, host))


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
    """Main-process heartbeats of workers with queues other than scoring (delivery workers) at most max_age_s old."""
    since = (now or utcnow()) - timedelta(seconds=max_age_s)
    query = (
        select(func.count()).select_from(WorkerHeartbeat).where(~_is_scoring_process(), WorkerHeartbeat.queues != "")
    )
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
