"""Starting and stopping the real processes that tests run against."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from service.config import Settings
from workers.runtime import MODELS_LOADED

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {message}")


def start_celery_worker(
    env: dict,
    log_path: Path,
    queues: str = "scoring,deliveries,maintenance",
    beat: bool = False,
    concurrency: int = 1,
) -> subprocess.Popen:
    # A deliveries worker also runs the periodic tasks (the `maintenance` queue), as everywhere Kavalu starts one.
    if "deliveries" in queues.split(",") and "maintenance" not in queues.split(","):
        queues += ",maintenance"
    hostname = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--hostname",
        hostname,
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        command += ["--beat", "--schedule", str(log_path.with_suffix(".schedule"))]
    with open(log_path, "w") as log:  # the child writes to its own copy of the descriptor
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    process.log_path = log_path
    process.hostname = hostname
    # A scoring worker's child loads the models after the worker says "ready."; wait for that too.
    loads_models = "scoring" in queues and Settings.from_env(env).preload_models
    ready = ("ready.", MODELS_LOADED) if loads_models else ("ready.",)
    wait_until(
        lambda: all(line in log_path.read_text() for line in ready) or process.poll() is not None,
        120,
        message="celery worker ready",
    )
    if process.poll() is not None:
        raise RuntimeError("celery worker died:\n" + log_path.read_text()[-3000:])
    return process


def start_gunicorn(env: dict, port: int, log_path: Path, wrapper: tuple[str, ...] = ()) -> subprocess.Popen:
    """The API under gunicorn with the shipped config and one worker, its output in `log_path`; stop_process ends it.
    `wrapper`: a command that runs gunicorn (`prlimit --nofile=...`)."""
    with open(log_path, "w") as log:
        config = str(REPO_ROOT / "config/gunicorn.conf.py")
        return subprocess.Popen(
            [
                *wrapper,
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                config,
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "service.wsgi:app",
            ],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_http(url: str, timeout: float = 90) -> None:
    def up():
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_until(up, timeout, interval=0.5, message=url)
