"""`kavalu run`: the API, a scoring worker with beat, and a delivery worker on this machine, kept running."""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import click

from service.config import CONFIG_DIR, Settings
from service.db import Database
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
    metrics_dir = _metrics_dir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
    # The children hold the lock too: a `kavalu run` killed with SIGKILL keeps the store locked until they are gone.
    keep = (lock.fileno(),)
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--loglevel", "INFO"]
    celery += ["--without-gossip", "--without-mingle"]  # no worker talks to another (as compose runs them)
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
        pass_fds=keep,
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
        pass_fds=keep,
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
        pass_fds=keep,
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

    try:
        _supervise([api, scoring, deliveries], _StallWatch(settings, scoring, deliveries))
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    lock.close()


SHARED_MEMORY = "/dev/shm"
METRICS_DIR_PREFIX = "kavalu-metrics-"
# kavalu-metrics-PID-RANDOM: PID is the `kavalu run` that made the folder (and removes it when it stops).
_METRICS_DIR_NAME = re.compile(re.escape(METRICS_DIR_PREFIX) + r"([0-9]+)-[A-Za-z0-9_]+")


def _metrics_dir() -> str:
    """A new folder where every process writes its metrics and /metrics merges them: in memory (/dev/shm) where
    there is such a folder, never in the data folder. prometheus_client maps its files into memory when a process
    imports the metrics, so a full or read-only disk there killed every process that started (SIGBUS) and the API
    answered nothing, where it answers 503 for a store it cannot write. The folders that runs killed with SIGKILL
    left behind (their `kavalu run` is gone) are removed first: in memory, they would stay until a reboot."""
    base = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) and os.access(SHARED_MEMORY, os.W_OK) else None
    base = base or tempfile.gettempdir()
    _remove_abandoned_metrics_dirs(base)
    return tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-", dir=base)


def _remove_abandoned_metrics_dirs(base: str) -> None:
    """Remove the metrics folders in `base` of earlier `kavalu run`s whose process is gone. Only folders named as
    _metrics_dir names them, this user's own and not symbolic links; a folder whose pid is alive (another
    `kavalu run`, or a process that took a dead run's pid) is kept."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        match = _METRICS_DIR_NAME.fullmatch(entry.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)  # rmtree follows no symbolic link inside either


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number no process can have): not ours to judge
    return True


# A child that exits on its own is started again, as compose's `restart: unless-stopped` does: after 1 s,
# doubling up to 30 s while it keeps failing, back to 1 s once it has stayed up for a minute.
RESTART_FIRST_DELAY_S = 1.0
RESTART_MAX_DELAY_S = 30.0
RESTART_STABLE_AFTER_S = 60.0
STOP_TIMEOUT_S = 20.0


class _Child:
    """One process `kavalu run` keeps running, in a process group of its own (with its pool processes)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = ()):
        self.name, self.argv, self.env, self.pass_fds = name, argv, env, pass_fds
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.delay_s = RESTART_FIRST_DELAY_S
        self.restart_at: float | None = None

    def start(self) -> None:
        # The parent-death signal comes when the thread that forked exits: only the main thread lives as long as
        # this process.
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("kavalu run starts its children from the main thread only")
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            process_group=0,
            pass_fds=self.pass_fds,
            preexec_fn=_die_with(os.getpid()),  # noqa: PLW1509 (no other thread forks: see above)
        )
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


PR_SET_PDEATHSIG = 1


def _die_with(parent: int):
    """A preexec_fn that has the child sent SIGTERM when `parent` exits, even by SIGKILL (Linux; None elsewhere):
    a new `kavalu run` then finds no orphan holding the port, running a second beat, or holding the store."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # looked up before the fork

    def preexec() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
        if os.getppid() != parent:  # the parent died before the prctl: no signal will come
            os._exit(1)

    return preexec


def _supervise(children: list[_Child], watch: _StallWatch | None = None) -> None:
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
            if watch is not None:
                watch.check(now)
            time.sleep(0.5)
    finally:
        for child in children:
            child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in children:
            child.wait_or_kill(deadline)


class _StallWatch:
    """Restarts the scoring worker when it is up but does nothing: every one of its scoring processes is stalled (a
    frozen main process, a job lost with a dead pool child; service/ops/heartbeats.py). When the sweeps stop, it
    restarts both workers: the scoring worker's embedded beat schedules them and the deliveries worker (the
    maintenance queue) runs them, and either may be the one that froze. Heartbeats stay fresh then, and no process
    exits."""

    def __init__(self, settings: Settings, scoring: _Child, deliveries: _Child):
        self.settings, self.scoring, self.deliveries = settings, scoring, deliveries
        self.every_s = max(1.0, settings.heartbeat_interval_s)
        self.checked_at = float("-inf")
        self.database: Database | None = None

    def check(self, now: float) -> None:
        process = self.scoring.process
        if now - self.checked_at < self.every_s or process is None or process.poll() is not None:
            return
        self.checked_at = now
        try:
            reason, stuck = self._stuck(process.pid, now - self.scoring.started_at)
        except Exception:  # the store is away: the API's /readyz says so; nothing to restart for
            return
        for child in stuck:
            if child.process is not None and child.process.poll() is None:
                click.echo(f"kavalu run: {child.name} (pid {child.process.pid}) {reason}; killing it", err=True)
                _Child._kill_group(child.process.pid)  # its next check() sees it exited and starts it again

    def _stuck(self, pgid: int, up_s: float) -> tuple[str, list[_Child]]:
        """Why, and which children to restart (none: all is well)."""
        from service.ops.heartbeats import last_sweep_age, scoring_processes

        settings = self.settings
        if self.database is None:
            self.database = Database(settings)
        with self.database.session() as session:
            found = scoring_processes(session, settings.heartbeat_max_age_s, settings.scoring_stall_s)
            sweep_age = last_sweep_age(session)
        mine = [stalled for _name, pid, stalled in found if _group_of(pid) == pgid]
        if mine and all(mine):
            return (
                f"is stalled: its main process wrote no heartbeat within {settings.heartbeat_max_age_s:g} s (frozen),"
                f" or a comment has waited over {settings.scoring_stall_s:g} s and none of its scoring processes"
                " finished a task since",
                [self.scoring],
            )
        # Its beat schedules the sweeps: give a new one time to run its first.
        if up_s > settings.sweep_max_age_s and (sweep_age is None or sweep_age > settings.sweep_max_age_s):
            last = "never" if sweep_age is None else f"{sweep_age:.0f} s ago"
            return f"is one of the two workers that schedule and run the sweeps, which stopped (the last ran {last})", [
                self.scoring,
                self.deliveries,
            ]
        return "", []


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except (ProcessLookupError, PermissionError):
        return None
