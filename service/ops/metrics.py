"""Prometheus metrics, and the live queue figures shared by /metrics and /v1/ops/queues.

Counters and histograms are recorded where things happen (intake, worker,
delivery). Under gunicorn and Celery prefork, every process writes to
PROMETHEUS_MULTIPROC_DIR and /metrics merges them. Queue and backlog figures
are read live at scrape time from the broker (Redis, or the embedded broker's folder) and the database.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess, values
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.config import Settings, metrics_dir
from service.filesystem_broker import arrival_order, is_message_of
from service.models import LEGAL_REVIEW, PENDING, REVIEW, Comment, WorkerHeartbeat, as_utc, utcnow
from service.ops.heartbeats import fresh_scoring_processes
from service.ops.precision import fresh_reports, summary
from service.task_names import ANALYZE_QUEUE, DELIVERIES_QUEUE, MAINTENANCE_QUEUE, SCORING_QUEUE

if metrics_dir():
    # Containers sharing one metrics volume all number their processes from 1: name files by host too.
    import socket

    values.ValueClass = values.MultiProcessValue(lambda: f"{socket.gethostname()}-{os.getpid()}")

INTAKE_REQUESTS = Counter(
    "kavalu_intake_requests_total", "Intake (POST /v1/comments) answers by status code", ["status"]
)
COMMENTS_DECIDED = Counter(
    "kavalu_comments_decided_total", "Decisions by resulting status and who decided", ["status", "decided_by"]
)
DECISION_LATENCY = Histogram(
    "kavalu_decision_latency_seconds",
    "From intake to the final automatic decision",
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300),
)
SCORER_LATENCY = Histogram(
    "kavalu_scorer_latency_seconds",
    "Time one scorer took for one batch",
    ["scorer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SCORER_BATCH_SIZE = Histogram(
    "kavalu_scorer_batch_size",
    "Comments per scoring batch",
    ["scorer"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
SCORING_CLAIMS_FREED = Counter(
    "kavalu_scoring_claims_freed_total",
    "Scoring claims freed before their lease lapsed: the holding task redelivered, or the holding process's heartbeat "
    "stopped",
    ["reason"],
)
TASK_OUTCOMES = Counter("kavalu_tasks_total", "Celery task runs by task and outcome", ["task", "outcome"])
DELIVERY_ATTEMPTS = Counter("kavalu_delivery_attempts_total", "Callback delivery attempts", ["publisher"])
DELIVERY_FAILURES = Counter("kavalu_delivery_failures_total", "Callback delivery attempts that failed", ["publisher"])

# The analyze queue too: a backlog of synchronous /v1/analyze and drop-in requests is one that users wait on.
QUEUES = (SCORING_QUEUE, DELIVERIES_QUEUE, MAINTENANCE_QUEUE, ANALYZE_QUEUE)


def queue_figures(
    broker_redis_url: str | None, now: float | None = None, broker_folder: Path | None = None
) -> dict[str, dict]:
    """Depth and oldest-message age per Celery queue, read from the filesystem broker's folder (embedded mode,
    Settings.broker_folder), or else from the broker's Redis lists (Settings.broker_redis_url, not REDIS_URL)."""
    now = now or time.time()
    if broker_folder is not None:
        return _folder_figures(broker_folder, now)
    if not broker_redis_url:
        return {}
    import redis

    client = redis.Redis.from_url(broker_redis_url, socket_connect_timeout=1, socket_timeout=2)
    figures = {}
    for queue in QUEUES:
        depth = client.llen(queue)
        oldest = client.lindex(queue, -1) if depth else None  # kombu pushes left and pops right
        figures[queue] = {"depth": depth, "oldest_age_seconds": _message_age(oldest, now)}
    return figures


def _folder_figures(folder: Path, now: float) -> dict[str, dict]:
    names = sorted(os.listdir(folder), key=arrival_order)  # the order workers take them in
    figures = {}
    for queue in QUEUES:
        waiting = [name for name in names if is_message_of(name, queue)]
        figures[queue] = {"depth": len(waiting), "oldest_age_seconds": _first_file_age(folder, waiting, now)}
    return figures


def _first_file_age(folder: Path, names: list[str], now: float) -> float | None:
    for name in names:  # the first may be taken by a worker while we look
        try:
            raw = (folder / name).read_bytes()
            modified = (folder / name).stat().st_mtime
        except FileNotFoundError:
            continue
        return _message_age(raw, now) or max(0.0, now - modified)
    return None


def _message_age(raw: bytes | str | None, now: float) -> float | None:
    if not raw:
        return None
    try:
        sent_at = json.loads(raw)["headers"].get("kavalu_sent_at")
    except (ValueError, KeyError, TypeError):
        return None
    return max(0.0, now - float(sent_at)) if sent_at else None


def backlog_figures(
    session: Session,
    now: datetime | None = None,
    heartbeat_max_age_s: float = Settings.heartbeat_max_age_s,
    scoring_stall_s: float = Settings.scoring_stall_s,
) -> dict:
    now = now or utcnow()
    oldest_pending = session.scalar(select(func.min(Comment.received_at)).where(Comment.status == PENDING))
    sizes = dict(
        session.execute(
            select(Comment.status, func.count())
            .where(Comment.status.in_([REVIEW, LEGAL_REVIEW]))
            .group_by(Comment.status)
        ).all()
    )
    heartbeat = session.scalar(select(func.max(WorkerHeartbeat.last_seen)))
    return {
        "oldest_pending_age_seconds": _age(oldest_pending, now),
        "review_queue_size": {"general": sizes.get(REVIEW, 0), "legal": sizes.get(LEGAL_REVIEW, 0)},
        "last_worker_heartbeat_age_seconds": _age(heartbeat, now),
        # As /readyz counts them: models loaded, a heartbeat fresher than the bound, and not stalled.
        "scoring_processes_ready": fresh_scoring_processes(session, heartbeat_max_age_s, scoring_stall_s, now),
        # The abuse model's precision in each of those processes, and what `auto` measured to choose it.
        "abuse_precision": summary(fresh_reports(session, heartbeat_max_age_s, now)),
    }


def _age(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    return max(0.0, (now - as_utc(moment)).total_seconds())


class LiveFigures:
    """A collector that reads the queue and backlog figures at scrape time."""

    def __init__(
        self,
        broker_redis_url: str | None,
        session_factory,
        heartbeat_max_age_s: float = Settings.heartbeat_max_age_s,
        broker_folder: Path | None = None,
        scoring_stall_s: float = Settings.scoring_stall_s,
    ):
        self.broker_redis_url = broker_redis_url
        self.broker_folder = broker_folder
        self.session_factory = session_factory
        self.heartbeat_max_age_s = heartbeat_max_age_s
        self.scoring_stall_s = scoring_stall_s

    def collect(self):
        depth = GaugeMetricFamily("kavalu_queue_depth", "Messages waiting in each Celery queue", labels=["queue"])
        age = GaugeMetricFamily(
            "kavalu_queue_oldest_message_age_seconds", "Age of the oldest waiting message", labels=["queue"]
        )
        try:
            for queue, figures in queue_figures(self.broker_redis_url, broker_folder=self.broker_folder).items():
                depth.add_metric([queue], figures["depth"])
                age.add_metric([queue], figures["oldest_age_seconds"] or 0.0)
        except Exception:
            pass  # a down broker shows as missing series; /readyz reports it
        yield depth
        yield age
        pending = GaugeMetricFamily(
            "kavalu_oldest_pending_comment_age_seconds", "Age of the oldest comment not yet scored"
        )
        review = GaugeMetricFamily("kavalu_review_queue_size", "Comments waiting for a person", labels=["queue"])
        scoring_ready = GaugeMetricFamily(
            "kavalu_scoring_workers_ready",
            "Scoring processes with their models loaded, a fresh heartbeat, and not stalled (0: nothing can score)",
        )
        try:
            with self.session_factory() as session:
                figures = backlog_figures(
                    session, heartbeat_max_age_s=self.heartbeat_max_age_s, scoring_stall_s=self.scoring_stall_s
                )
        except Exception:
            # A down store shows as these series missing, not as a failed scrape that takes every other series
            # (the workers' counters, the queues) with it; /readyz reports it.
            figures = None
        if figures is not None:
            pending.add_metric([], figures["oldest_pending_age_seconds"] or 0.0)
            for queue, size in figures["review_queue_size"].items():
                review.add_metric([queue], size)
            scoring_ready.add_metric([], figures["scoring_processes_ready"])
        yield pending
        yield review
        yield scoring_ready
        if figures is not None:
            yield from precision_families(figures["abuse_precision"])


PRECISION_FAMILIES = (
    (
        "kavalu_abuse_precision_info",
        "Scoring processes whose abuse model runs in this precision (chosen by measurement or set)",
        "processes_by_precision",
    ),
    (
        "kavalu_abuse_precision_probe_seconds",
        "Time of the abuse model per fixed probe text in each precision, when `auto` measured it"
        " (median over the scoring processes)",
        "probe_seconds_per_text_median",
    ),
    (
        "kavalu_abuse_precision_max_difference",
        "Largest difference from fp32's score on the probe texts, per precision (`auto` keeps one only within"
        " its tolerance)",
        "max_difference_from_fp32",
    ),
)


def precision_families(precision: dict):
    """The abuse model's precision per live scoring process, and the probe figures `auto` chose it by."""
    for name, description, key in PRECISION_FAMILIES:
        family = GaugeMetricFamily(name, description, labels=["precision"])
        for label, value in precision[key].items():
            family.add_metric([label], value)
        yield family


class _ThisProcess:
    """Single-process mode (tests, the embedded run): this process's own counters."""

    def collect(self):
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def process_registry() -> CollectorRegistry:
    """The counters and histograms of every process (PROMETHEUS_MULTIPROC_DIR), or of this one alone."""
    registry = CollectorRegistry()
    if metrics_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    return registry


def render_metrics(settings: Settings, session_factory) -> bytes:
    registry = process_registry()
    registry.register(
        LiveFigures(
            settings.broker_redis_url,
            session_factory,
            settings.heartbeat_max_age_s,
            settings.broker_folder,
            settings.scoring_stall_s,
        )
    )
    return generate_latest(registry)
