"""The README's run command, as a subprocess: embedded store and broker, a real worker, a signed post."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess

import pytest
import requests

from tests.helpers import PublisherKeys, comment, signed_headers
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
