"""Sidecar of the worker pods: serve the counters and histograms that this pod's Celery processes write to
the shared emptyDir (PROMETHEUS_MULTIPROC_DIR), merged, on :9808/metrics.

In compose, the workers share one metrics volume with the API and its /metrics merges everything. Pods cannot
share an emptyDir, so every worker pod exposes its own; Prometheus scrapes them (the pod annotations) and the
rules and dashboard aggregate across pods with sum. This process creates no metrics of its own."""

import os
import time

from prometheus_client import CollectorRegistry, multiprocess, start_http_server

registry = CollectorRegistry()
multiprocess.MultiProcessCollector(registry, path=os.environ["KAVALU_METRICS_DIR"])
start_http_server(int(os.environ.get("KAVALU_METRICS_PORT", "9808")), registry=registry)
while True:
    time.sleep(3600)
