"""Report the abuse model's precision of this scoring process where the API reads it.

The scorer chose its precision when it loaded (by measurement under `auto`, or from the setting), and
logged the probe. This attaches the choice to the process's heartbeat, so /metrics
(`kavalu_abuse_precision_*`) and /v1/ops/queues (`abuse_precision`) show it: service.ops.precision.
"""

from __future__ import annotations

from typing import Any

from service.ops import heartbeats, precision


def report(scorer: Any) -> str:
    """The report of a loaded abuse scorer: its precision and, if `auto` measured, the probe figures."""
    return precision.encode(str(getattr(scorer, "precision", "unknown")), getattr(scorer, "precision_probe", None))


def attach(process_name: str, scorer: Any) -> None:
    """Every heartbeat this process writes as `process_name` carries the scorer's precision report from now on."""
    heartbeats.attach_report(process_name, report(scorer))
