"""config/gunicorn.conf.py's worker hooks, run as gunicorn runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import free_port, start_gunicorn, stop_process, wait_for_http

REPO_ROOT = Path(__file__).resolve().parents[1]

# In a fresh interpreter, as in a gunicorn worker: the app is loaded, then gunicorn calls post_worker_init.
WORKER = """
import gc, json, runpy
from gunicorn.config import Config
conf = runpy.run_path("config/gunicorn.conf.py")
cfg = Config()
cfg.set("post_worker_init", conf["post_worker_init"])  # gunicorn checks the hook's name and arity
import service.wsgi  # what the worker loads before the hook
loaded = len(gc.get_objects())
cfg.post_worker_init(None)
gc.collect()
print(json.dumps({"loaded": loaded, "frozen": gc.get_freeze_count(), "walked": len(gc.get_objects())}))
"""


def test_a_worker_freezes_the_loaded_app_so_full_collections_skip_it(tmp_path):
    """A full collection walking the app's objects held the GIL for about 90 ms and was the API's p99
    (bench/intake.py: /healthz p99 127 ms -> 30 ms). After the hook, a full collection walks only what
    requests left behind."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.db'}",
        "KAVALU_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", WORKER], check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["loaded"] > 50_000  # Flask, SQLAlchemy, marshmallow, ...
    assert figures["frozen"] >= 0.9 * figures["loaded"]
    assert figures["walked"] < 0.01 * figures["loaded"]


@pytest.mark.slow
def test_an_instance_opens_no_control_socket_shared_with_the_users_other_instances(tmp_path):
    """gunicorn's default control socket is one path per user: a second instance took it over, and the first one's
    exit removed it from under the second."""
    home, runtime = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.db'}",
        "KAVALU_DATA_DIR": str(tmp_path),
    }
    log_path = tmp_path / "api.log"
    process = start_gunicorn(env, port, log_path)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert sorted(path.name for path in [*home.rglob("*"), *runtime.rglob("*")]) == []
    finally:
        stop_process(process)
    assert "Booting worker" in log_path.read_text()
    assert "Control socket" not in log_path.read_text()


@pytest.mark.slow
def test_a_worker_short_of_file_descriptors_holds_connections_back_instead_of_exiting(tmp_path):
    """With the default worker_connections (1000), a worker under a descriptor limit of 64 accepted connections until
    accept() failed with EMFILE, and gthread's worker exited, dropping every connection it held."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.db'}",
        "KAVALU_DATA_DIR": str(tmp_path),
    }
    log_path = tmp_path / "api.log"
    process = start_gunicorn(env, port, log_path, wrapper=("prlimit", "--nofile=64:64", "--"))
    idle = []
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        for _ in range(120):  # connections that send nothing: each takes a descriptor once accepted
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(2)
        assert process.poll() is None
        for connection in idle:
            connection.close()
        idle.clear()
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
    finally:
        for connection in idle:
            connection.close()
        stop_process(process)
    log = log_path.read_text()
    assert "Too many open files" not in log
    assert log.count("Booting worker") == 1  # the first worker lived through it
