"""The abuse model's precision, as each scoring process chose it, for /metrics and /v1/ops/queues.

`KAVALU_ABUSE_PRECISION=auto` times fp32, bf16 and int8 when a scoring process loads the model and keeps
the fastest that agrees with fp32 (workers.scoring.abuse). The API runs in other processes, often on
other machines, so the choice travels the way readiness does: through `worker_heartbeats`. Next to its
own heartbeat row a scoring process keeps a report row, named `abuse-precision:<process>`, whose `queues`
column holds the report as compact JSON; the heartbeat thread writes both rows together
(service.ops.heartbeats.write), so a report is exactly as fresh as the process that made it, and a dead
process's report goes stale, and is pruned, with its heartbeat.

This module imports no metrics and no models.
"""

from __future__ import annotations

import json
import statistics
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import WorkerHeartbeat, utcnow

REPORT_PREFIX = "abuse-precision:"
REPORT_MAX_CHARS = 255  # worker_heartbeats.queues


def report_name(process_name: str) -> str:
    return REPORT_PREFIX + process_name


def encode(precision: str, probe: dict | None) -> str:
    """The report of one process: the precision its model runs in and, when `auto` chose it, each precision's
    probe time (seconds per probe text) and largest score difference from fp32. Compact enough for the column."""
    probe = probe or {}
    report: dict = {"p": precision, "by": "measurement" if probe else "setting"}
    if probe:
        report["s"] = {name: round(float(value), 6) for name, value in probe.get("seconds_per_text", {}).items()}
        report["d"] = {name: round(float(value), 4) for name, value in probe.get("max_difference", {}).items()}
        report["t"] = probe.get("tolerance")
    text = json.dumps(report, separators=(",", ":"), sort_keys=True)
    if len(text) > REPORT_MAX_CHARS:  # never: three precisions take about 120 characters
        text = json.dumps({"p": precision, "by": report["by"]}, separators=(",", ":"))
    return text


def decode(text: str) -> dict | None:
    """A stored report as the API shows it, or None for a row that is not one."""
    try:
        raw = json.loads(text)
        precision = str(raw["p"])
    except (ValueError, KeyError, TypeError):
        return None
    return {
        "precision": precision,
        "chosen_by": raw.get("by", "setting"),
        "probe_seconds_per_text": dict(raw.get("s") or {}),
        "max_difference": dict(raw.get("d") or {}),
        "tolerance": raw.get("t"),
    }


def fresh_reports(session: Session, max_age_s: float, now: datetime | None = None) -> dict[str, dict]:
    """The reports of scoring processes whose heartbeat is at most max_age_s old, by process name."""
    since = (now or utcnow()) - timedelta(seconds=max_age_s)
    rows = session.execute(
        select(WorkerHeartbeat.hostname, WorkerHeartbeat.queues).where(
            WorkerHeartbeat.hostname.startswith(REPORT_PREFIX, autoescape=True), WorkerHeartbeat.last_seen >= since
        )
    ).all()
    reports = {}
    for name, text in rows:
        report = decode(text)
        if report is not None:
            reports[name.removeprefix(REPORT_PREFIX)] = report
    return reports


def summary(reports: dict[str, dict]) -> dict:
    """What /v1/ops/queues shows and /metrics exports: how many live processes run each precision, the median
    probe time per text of each precision measured (the processes of one kind of machine measure alike), the largest
    difference from fp32 any of them saw, and each process's own report."""
    chosen: dict[str, int] = {}
    seconds: dict[str, list[float]] = {}
    differences: dict[str, float] = {}
    for report in reports.values():
        chosen[report["precision"]] = chosen.get(report["precision"], 0) + 1
        for name, value in report["probe_seconds_per_text"].items():
            seconds.setdefault(name, []).append(float(value))
        for name, value in report["max_difference"].items():
            differences[name] = max(differences.get(name, 0.0), float(value))
    return {
        "processes_by_precision": dict(sorted(chosen.items())),
        "probe_seconds_per_text_median": {name: statistics.median(values) for name, values in sorted(seconds.items())},
        "max_difference_from_fp32": dict(sorted(differences.items())),
        "processes": dict(sorted(reports.items())),
    }
