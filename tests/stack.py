"""The whole Kavalu stack as real processes on this machine: gunicorn, scoring and delivery
workers, and beat, against a given PostgreSQL and Redis. Used by the reliability tests and the
load benchmark.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from tests.processes import REPO_ROOT, free_port, start_celery_worker, stop_process, wait_for_http


class Stack:
    def __init__(
        self,
        workdir: Path,
        database_url: str,
        broker_url: str,
        env: dict | None = None,
        api_workers: int = 2,
        scoring_workers: int = 1,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        metrics_dir = self.workdir / "metrics"
        metrics_dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_workers = api_workers
        self.scoring_workers = scoring_workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BROKER_URL": broker_url,
            "REDIS_URL": broker_url,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "KAVALU_SWEEP_INTERVAL_S": "2",
            "KAVALU_SWEEP_STALE_AFTER_S": "5",
            "KAVALU_SCORING_LEASE_S": "10",
            "KAVALU_DELIVERY_BASE_DELAY_S": "0.5",
            "KAVALU_DELIVERY_MAX_DELAY_S": "2",
            "KAVALU_DELIVERY_DISPATCH_INTERVAL_S": "1",
            "KAVALU_BLOCK_PRIVATE_CALLBACKS": "false",
            "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "100000/minute",
            "KAVALU_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.api = None
        self.scoring: list[subprocess.Popen] = []
        self.deliveries = None
        self.beat = None

    def start(self) -> Stack:
        self.start_api()
        for _ in range(self.scoring_workers):
            self.start_scoring_worker()
        self.deliveries = start_celery_worker(
            {**self.env, "KAVALU_PRELOAD_MODELS": "false"}, self.workdir / "deliveries.log", queues="deliveries"
        )
        self.start_beat()
        return self

    def start_api(self) -> None:
        with open(self.workdir / "api.log", "a") as log:  # the child writes to its own copy of the descriptor
            self.api = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(REPO_ROOT / "config/gunicorn.conf.py"),
                    "--workers",
                    str(self.api_workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "service.wsgi:app",
                ],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_http(self.base_url + "/healthz", timeout=60)

    def start_scoring_worker(self) -> subprocess.Popen:
        worker = start_celery_worker(self.env, self.workdir / f"scoring-{uuid.uuid4().hex[:6]}.log", queues="scoring")
        self.scoring.append(worker)
        return worker

    def start_beat(self) -> None:
        with open(self.workdir / "beat.log", "a") as log:
            self.beat = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workers.celery_app",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(self.workdir / "beat-schedule"),
                ],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill_scoring_workers(self, sig) -> None:
        for worker in self.scoring:
            stop_process(worker, sig=sig)
        self.scoring = []

    def logs(self) -> str:
        return "\n".join(f"== {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.workdir.glob("*.log")))

    def stop(self) -> None:
        # Signal every process first, then wait: their warm shutdowns overlap instead of adding up.
        processes = [
            process for process in [self.api, self.beat, self.deliveries, *self.scoring] if process is not None
        ]
        for process in processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                    os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stop_process(process, sig=signal.SIGKILL)
