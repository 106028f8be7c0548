"""The README's run command, as a subprocess: embedded store and broker, a real worker, a signed post; and the
copies Kavalu keeps of the embedded store."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import sqlite3
import stat
import subprocess
import time

import pytest
import requests
from click.testing import CliRunner

from service.cli.store import db_group
from service.config import Settings
from service.db import make_engine
from service.migrate import downgrade, head_revision, upgrade, upgrade_embedded_store
from tests.helpers import PublisherKeys, comment, fill, signed_headers
from tests.processes import REPO_ROOT, free_port, stop_process, wait_for_http, wait_until


def readme_command(marker: str) -> str:
    blocks = re.findall(r"```sh\n(.*?)\n```", (REPO_ROOT / "README.md").read_text(), re.S)
    return next(block for block in blocks if marker in block)


@pytest.mark.slow
def test_readme_run_command_serves_and_scores(tmp_path):
    command = readme_command("kavalu run")
    port = free_port()
    # Nothing but the README's command: no store, broker or sealing keys of the test run's.
    unset = ("DATABASE_URL", "BROKER_URL", "REDIS_URL", "KAVALU_SEALING_KEYS")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(KAVALU_DATA_DIR=str(tmp_path / "var"), KAVALU_PORT=str(port), KAVALU_SWEEP_INTERVAL_S="5")
    log = open(tmp_path / "run.log", "w")
    process = subprocess.Popen(
        ["bash", "-c", command], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=180)
        assert f"http://127.0.0.1:{port}" in (tmp_path / "run.log").read_text()
        created = subprocess.run(
            [str(REPO_ROOT / ".venv/bin/kavalu"), "publishers", "create", "--name", "Embedded Daily"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        keys = PublisherKeys(
            re.search(r"publisher_id: (\S+)", created).group(1), re.search(r"signing_secret: (\S+)", created).group(1)
        )
        raw = json.dumps(comment()).encode()
        response = requests.post(
            f"http://127.0.0.1:{port}/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=10
        )
        assert response.status_code == 202, response.text
        comment_id = response.json()["id"]

        def decided():
            status = requests.get(
                f"http://127.0.0.1:{port}/v1/comments/{comment_id}",
                headers=signed_headers(keys, b"", content_type=None),
                timeout=10,
            ).json()
            return status if status["status"] != "pending" else None

        status = wait_until(decided, 120, interval=0.5, message="the embedded worker to decide")
        assert status["status"] == "approved" and status["decided_by"] == "auto"
        with sqlite3.connect(tmp_path / "var" / "kavalu.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM decisions WHERE comment_id = ?", (comment_id,)).fetchone() == (1,)
            # The CLI sealed the secret with the data folder's key, and the server opened it with the same.
            assert keys.secret not in repr(db.execute("SELECT * FROM publishers").fetchall())
        assert (tmp_path / "var" / "sealing-key").is_file()
    finally:
        stop_process(process)
        log.close()
    assert "Traceback" not in (tmp_path / "run.log").read_text()


def test_a_new_data_folder_and_its_store_are_readable_by_their_owner_only_whatever_the_umask(tmp_path):
    """The store holds senders' IPs and emails, and the folder the broker's messages: under umask 022 SQLite
    created the store (and its WAL files) 0644 in a folder made 0755."""
    data_dir = tmp_path / "data"
    settings = Settings.from_env({"KAVALU_DATA_DIR": str(data_dir)})
    umask = os.umask(0o022)
    try:
        upgrade(settings)
        settings.make_broker_folders()
        engine = make_engine(settings)
        with engine.connect() as connection:  # WAL mode: the -wal and -shm files exist while it is open
            connection.exec_driver_sql("SELECT count(*) FROM comments").fetchone()
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data_dir.iterdir()}
        engine.dispose()
    finally:
        os.umask(umask)
    assert {"kavalu.sqlite3", "kavalu.sqlite3-wal", "kavalu.sqlite3-shm", "broker"} <= set(modes), modes
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("url", "store"),
    [
        ("sqlite+pysqlite:///{folder}/driver.sqlite3", "driver.sqlite3"),
        ("sqlite:///{folder}/query.sqlite3?timeout=5", "query.sqlite3"),
        ("sqlite+pysqlite:///{folder}/both.sqlite3?check_same_thread=false", "both.sqlite3"),
    ],
)
def test_a_store_named_by_any_sqlite_url_is_created_readable_by_its_owner_only(tmp_path, url, store):
    """make_data_dir cut the URL as a string: a store named with a driver (sqlite+pysqlite:///) was left for SQLite
    to create with the umask's mode (0644)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = dataclasses.replace(
        Settings.from_env({"KAVALU_DATA_DIR": str(data_dir)}), database_url=url.format(folder=data_dir)
    )
    umask = os.umask(0o022)
    try:
        settings.make_data_dir()
        engine = make_engine(settings)
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        engine.dispose()
    finally:
        os.umask(umask)
    assert sorted(path.name for path in data_dir.iterdir() if path.name.startswith(store)) == [store]  # not "...?x"
    assert stat.S_IMODE((data_dir / store).stat().st_mode) == 0o600


def test_the_copies_of_the_store_are_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    """A copy of the store holds the sealed signing secrets and the senders' IPs and emails: the copy a migration
    keeps (kavalu.sqlite3.before-REVISION) and the one `kavalu db downgrade` keeps are 0600 under umask 022 too."""
    settings = Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)})
    upgrade(settings)
    downgrade(settings, "0011")
    umask = os.umask(0o022)
    try:
        assert "the store as it was is in" in upgrade_embedded_store(settings)
        embedded = {"KAVALU_DATA_DIR": str(tmp_path), "DATABASE_URL": None, "BROKER_URL": None, "REDIS_URL": None}
        result = CliRunner().invoke(db_group, ["downgrade", "0011", "--yes"], env=embedded)
        assert result.exit_code == 0, result.output
    finally:
        os.umask(umask)
    for copy in (f"kavalu.sqlite3.before-{head_revision()}", "kavalu.sqlite3.before-downgrade-0011"):
        assert stat.S_IMODE((tmp_path / copy).stat().st_mode) == 0o600, copy
        with sqlite3.connect(tmp_path / copy) as db:  # a whole store, not an empty file of the right mode
            assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] in ("0011", head_revision())


@pytest.mark.slow
def test_a_full_data_folder_leaves_the_api_answering_after_its_workers_restart(small_data_dir, tmp_path):
    """The metrics of `kavalu run`'s processes were files in the data folder, mapped into memory when a process
    imports them: with that disk full, every API worker that started died of SIGBUS and requests got no answer.
    They are in memory now: a restarted worker answers, and intake says 503 for a store it cannot write."""
    port = free_port()
    unset = ("DATABASE_URL", "BROKER_URL", "REDIS_URL", "KAVALU_SEALING_KEYS")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(KAVALU_DATA_DIR=str(small_data_dir), KAVALU_PORT=str(port))
    kavalu = str(REPO_ROOT / ".venv/bin/kavalu")
    log = open(tmp_path / "run.log", "w")
    process = subprocess.Popen([kavalu, "run"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", timeout=180)
        created = subprocess.run(
            [kavalu, "publishers", "create", "--name", "Full Disk Daily"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = re.search(r"publisher_id: (\S+)\s+signing_secret: (\S+)", created.stdout)
        keys = PublisherKeys(found.group(1), found.group(2))
        assert not (small_data_dir / "metrics").exists()
        fill(small_data_dir)
        pgrep = ["pgrep", "-P", str(process.pid), "-f", "gunicorn"]
        master = subprocess.run(pgrep, check=True, capture_output=True, text=True).stdout.split()[0]

        def api_workers() -> set[str]:
            return set(
                subprocess.run(["pgrep", "-P", master], check=False, capture_output=True, text=True).stdout.split()
            )

        old_workers = api_workers()
        subprocess.run(["pkill", "-TERM", "-P", master], check=True)  # the API's workers restart
        # An old worker answers while it shuts down: only once they are all gone does an answer come from a new one.
        wait_until(lambda: not old_workers & api_workers(), 60, message="the old API workers to exit")

        def answer():
            raw = json.dumps(comment(comment_id=f"full-{time.monotonic_ns()}")).encode()
            with contextlib.suppress(requests.RequestException):  # a Response is falsy for a 503: hence the list
                return [requests.post(f"{base}/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=5)]
            return None

        [refused] = wait_until(answer, 60, interval=1.0, message="an answer from a restarted API worker")
        assert refused.status_code == 503, refused.text
        assert refused.json()["errors"][0]["code"] == "service_unavailable"
        # Bounded by a wait, not one request: under load a second restarted worker can still be booting.
        wait_for_http(f"{base}/healthz", timeout=60)
    finally:
        stop_process(process)
        log.close()
    assert "SIGBUS" not in (tmp_path / "run.log").read_text()
