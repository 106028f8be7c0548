"""`kavalu run`: the API, a scoring worker with beat, and a delivery worker on this machine, kept running."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time

import click

from service.config import CONFIG_DIR, Settings
from service.migrate import MigrationRefused, lock_data_dir, refuse_unless_current, upgrade_embedded_store


@click.command("run")
@click.option("--host", default=None, help="Default: KAVALU_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Default: KAVALU_PORT or 8000.")
def run(host: str | None, port: int | None) -> None:
    """Run the API, a scoring worker with beat and a delivery worker on this machine; restart any that exits.

    With no DATABASE_URL/BROKER_URL this is the embedded default: SQLite and a
    filesystem broker under KAVALU_DATA_DIR (one folder per user), no external servers.
    """
    settings = Settings.from_env()
    # First, so that a second store created by mistake (another KAVALU_DATA_DIR) is seen at once.
    click.echo(f"data: {settings.data_dir}")
    host, port = host or settings.host, port if port is not None else settings.port
    # Held until this process exits: a command that would migrate the embedded store refuses meanwhile.
    lock = lock_data_dir(settings)
    if lock is None:
        raise MigrationRefused(
            f"another Kavalu process (`kavalu run`, or a command migrating the store) is using {settings.data_dir}:"
            " stop it first"
        )
    if settings.embedded:
        done = upgrade_embedded_store(settings, lock_held=True)
        if done:
            click.echo(done, err=True)
    else:  # PostgreSQL is migrated only by `kavalu db upgrade`
        refuse_unless_current(settings)
    # Every process writes its metrics here and /metrics merges them.
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--loglevel", "INFO"]
    scoring = _Child(
        "scoring worker",
        [
            *celery,
            "--queues",
            "analyze,scoring",  # analyze: /v1/analyze and the drop-in endpoints wait on its answers
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
    deliveries = _Child(
        "deliveries worker",
        [
            *celery,
            "--queues",
            "deliveries,maintenance",  # and the periodic tasks: the sweeper, the dispatcher
            "--concurrency",
            "2",
            "--hostname",
            "deliveries@%h",
        ],
        env={**env, "KAVALU_PRELOAD_MODELS": "false"},
    )
    api = _Child(
        "API",
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

    _supervise([api, scoring, deliveries])
    lock.close()


# A child that exits on its own is started again, as compose's `restart: unless-stopped` does: after 1 s,
# doubling up to 30 s while it keeps failing, back to 1 s once it has stayed up for a minute.
RESTART_FIRST_DELAY_S = 1.0
RESTART_MAX_DELAY_S = 30.0
RESTART_STABLE_AFTER_S = 60.0
STOP_TIMEOUT_S = 20.0


class _Child:
    """One process `kavalu run` keeps running, in a process group of its own (with its pool processes)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        self.name, self.argv, self.env = name, argv, env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.delay_s = RESTART_FIRST_DELAY_S
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env, process_group=0)
        self.started_at, self.restart_at = time.monotonic(), None

    def check(self, now: float) -> None:
        """Start the child when its restart is due; notice that it has exited and schedule the restart."""
        if self.process is None:
            if self.restart_at is not None and now >= self.restart_at:
                self.start()
                click.echo(f"kavalu run: {self.name} started again (pid {self.pid})", err=True)
            return
        code = self.process.poll()
        if code is None:
            return
        up_s = now - self.started_at
        if up_s >= RESTART_STABLE_AFTER_S:
            self.delay_s = RESTART_FIRST_DELAY_S
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"code {code}"
        click.echo(
            f"kavalu run: {self.name} (pid {self.process.pid}) exited with {how} after {up_s:.0f} s;"
            f" restarting in {self.delay_s:g} s",
            err=True,
        )
        self._kill_group(self.process.pid)  # pool processes the dead worker left behind
        self.process, self.restart_at = None, now + self.delay_s
        self.delay_s = min(self.delay_s * 2, RESTART_MAX_DELAY_S)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait_or_kill(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._kill_group(self.process.pid)

    @staticmethod
    def _kill_group(pgid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing left
            os.killpg(pgid, signal.SIGKILL)


def _supervise(children: list[_Child]) -> None:
    """Run the children until SIGINT, SIGTERM or SIGHUP, restarting any that exits; then stop them all."""
    stopping: list[int] = []

    def _on_signal(signum, _frame) -> None:
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        for child in children:
            child.start()
            click.echo(f"kavalu run: {child.name} started (pid {child.pid})", err=True)
        while not stopping:
            now = time.monotonic()
            for child in children:
                child.check(now)
            time.sleep(0.5)
    finally:
        for child in children:
            child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in children:
            child.wait_or_kill(deadline)
