"""`kavalu run`: the API, a scoring worker with beat, and a delivery worker on this machine."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import click

from service.config import CONFIG_DIR, Settings
from service.migrate import upgrade


@click.command("run")
@click.option("--host", default=None, help="Default: KAVALU_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Default: KAVALU_PORT or 8000.")
def run(host: str | None, port: int | None) -> None:
    """Run the API, a Celery worker and beat on this machine.

    With no DATABASE_URL/BROKER_URL this is the embedded default: SQLite and a
    filesystem broker under KAVALU_DATA_DIR (one folder per user), no external servers.
    """
    settings = Settings.from_env()
    # First, so that a second store created by mistake (another KAVALU_DATA_DIR) is seen at once.
    click.echo(f"data: {settings.data_dir}")
    host, port = host or settings.host, port or settings.port
    upgrade(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Every process writes its metrics here and /metrics merges them.
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--loglevel", "INFO"]
    scoring = subprocess.Popen(
        [
            *celery,
            "--queues",
            "scoring",
            "--concurrency",
            "1",
            "--hostname",
            "scoring@%h",
            "--beat",
            "--schedule",
            str(settings.data_dir / "celerybeat-schedule"),
        ],
        env=env,
    )
    # Deliveries get their own worker, so a slow publisher endpoint never holds up scoring.
    deliveries = subprocess.Popen(
        [
            *celery,
            "--queues",
            "deliveries",
            "--concurrency",
            "2",
            "--hostname",
            "deliveries@%h",
        ],
        env={**env, "KAVALU_PRELOAD_MODELS": "false"},
    )
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(CONFIG_DIR / "gunicorn.conf.py"),
            "--bind",
            f"{host}:{port}",
            "service.wsgi:app",
        ],
        env=env,
    )
    mode = (
        "embedded (SQLite + filesystem broker in " + str(settings.data_dir) + ")"
        if settings.embedded
        else "external services"
    )
    click.echo(f"Kavalu is running on http://{host}:{port}  [{mode}]")
    click.echo(
        "Create a publisher in another shell:  .venv/bin/kavalu publishers create --name 'My paper' --callback-url https://example.org/hook"
    )
    click.echo("Press Ctrl-C to stop.")

    children = [api, scoring, deliveries]
    signalled = []

    def _terminate_children() -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    def _on_signal(*_) -> None:
        signalled.append(True)
        _terminate_children()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        _terminate_children()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    if not signalled:
        sys.exit(1)  # a child died on its own
