"""The queue figures admins see: broker depths, backlog, workers and decision latency.

One source for GET /v1/ops/queues and the console's ops page; the figures come from the same broker queues
(Redis lists, or the embedded broker's folder) and database rows that /metrics exports.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.config import Settings
from service.models import CommentRevision, Decision, as_utc, utcnow
from service.ops.metrics import backlog_figures, queue_figures

LATENCY_WINDOW = timedelta(hours=1)
RECENT_DECISIONS = 10_000


def queue_overview(session: Session, settings: Settings, celery) -> dict:
    """Broker queue depths and ages, the review backlog, and the workers Celery's inspect API sees.

    A broker that does not answer shows as `broker_error` / `inspect_error`, not as a failure.
    """
    try:
        figures: dict = {"queues": queue_figures(settings.broker_redis_url, broker_folder=settings.broker_folder)}
    except Exception as error:
        figures = {"queues": {}, "broker_error": type(error).__name__}
    figures.update(
        backlog_figures(
            session, heartbeat_max_age_s=settings.heartbeat_max_age_s, scoring_stall_s=settings.scoring_stall_s
        )
    )
    try:
        inspector = celery.control.inspect(timeout=1.0)
        active = inspector.active() or {}
        figures["workers"] = {name: {"online": True, "active_tasks": len(tasks)} for name, tasks in active.items()}
    except Exception as error:
        figures["workers"] = {}
        figures["inspect_error"] = type(error).__name__
    return figures


def decision_latency(session: Session, now: datetime | None = None) -> dict:
    """Count, mean, median and 95th percentile of the automatic decisions of the last hour, from receipt of the
    revision to its decision (the figure `kavalu_decision_latency_seconds` holds).

    Read from the database, not the histogram: on Kubernetes the workers' metric files are in other pods, and
    the API's own registry has observed nothing. At most the newest RECENT_DECISIONS are read, by primary key;
    None where there were none.
    """
    now = now or utcnow()
    rows = session.execute(
        select(Decision.decided_at, CommentRevision.created_at)
        .join(
            CommentRevision,
            (CommentRevision.comment_id == Decision.comment_id) & (CommentRevision.number == Decision.revision),
        )
        .where(Decision.decided_by == "auto")
        .order_by(Decision.id.desc())
        .limit(RECENT_DECISIONS)
    ).all()
    since = now - LATENCY_WINDOW
    seconds = sorted(
        max(0.0, (as_utc(decided) - as_utc(received)).total_seconds())
        for decided, received in rows
        if as_utc(decided) >= since
    )

    def quantile(q: float) -> float | None:
        return seconds[min(len(seconds) - 1, math.ceil(q * len(seconds)) - 1)] if seconds else None

    return {
        "window_seconds": int(LATENCY_WINDOW.total_seconds()),
        "count": len(seconds),
        "mean_seconds": sum(seconds) / len(seconds) if seconds else None,
        "p50_seconds": quantile(0.5),
        "p95_seconds": quantile(0.95),
    }
