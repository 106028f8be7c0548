"""The queue figures admins see: broker depths, backlog, workers and decision latency.

One source for GET /v1/ops/queues and the console's ops page; the figures come from the same Redis lists,
database rows and Prometheus histogram that /metrics exports.
"""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from service.config import Settings
from service.ops.metrics import DECISION_LATENCY, backlog_figures, process_registry, queue_figures


def queue_overview(session: Session, settings: Settings, celery) -> dict:
    """Broker queue depths and ages, the review backlog, and the workers Celery's inspect API sees.

    A broker that does not answer shows as `broker_error` / `inspect_error`, not as a failure.
    """
    try:
        figures: dict = {"queues": queue_figures(settings.redis_url)}
    except Exception as error:
        figures = {"queues": {}, "broker_error": type(error).__name__}
    figures.update(backlog_figures(session, heartbeat_max_age_s=settings.heartbeat_max_age_s))
    try:
        inspector = celery.control.inspect(timeout=1.0)
        active = inspector.active() or {}
        figures["workers"] = {name: {"online": True, "active_tasks": len(tasks)} for name, tasks in active.items()}
    except Exception as error:
        figures["workers"] = {}
        figures["inspect_error"] = type(error).__name__
    return figures


def decision_latency() -> dict:
    """Count, mean and bucket-estimated median and 95th percentile of kavalu_decision_latency_seconds.

    Read from the same registry /metrics renders (every process's files under PROMETHEUS_MULTIPROC_DIR,
    or this process alone); None where nothing was observed yet.
    """
    name = DECISION_LATENCY._name
    buckets: list[tuple[float, float]] = []
    count = total = 0.0
    for metric in process_registry().collect():
        if metric.name != name:
            continue
        for sample in metric.samples:
            if sample.name == f"{name}_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name == f"{name}_count":
                count += sample.value
            elif sample.name == f"{name}_sum":
                total += sample.value
    merged: dict[float, float] = {}
    for bound, value in buckets:  # several processes' series of one bucket add up
        merged[bound] = merged.get(bound, 0.0) + value
    cumulative = sorted(merged.items())

    def quantile(q: float) -> float | None:
        for bound, seen in cumulative:
            if count and seen >= q * count:
                return None if math.isinf(bound) else bound
        return None

    return {
        "count": int(count),
        "mean_seconds": total / count if count else None,
        "p50_seconds_at_most": quantile(0.5),
        "p95_seconds_at_most": quantile(0.95),
    }
