"""`kavalu run` keeps its processes running: a child that dies is started again, and the API keeps answering.

A real `kavalu run` on an embedded store in a temporary folder (SQLite, filesystem broker), as in
tests/test_embedded.py; only loopback, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests

from service.migrate import RUN_LOCK
from tests.processes import REPO_ROOT, free_port, stop_process, wait_for_http, wait_until

pytestmark = pytest.mark.slow


def _pids(log_path, name: str) -> list[int]:
    """The pids `kavalu run` said it started `name` with, in order."""
    pattern = rf"kavalu run: {re.escape(name)} started(?: again)? \(pid (\d+)\)"
    return [int(pid) for pid in re.findall(pattern, log_path.read_text())]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state too.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _heartbeat(database_path, hostname_prefix: str) -> datetime | None:
    with sqlite3.connect(database_path, timeout=10) as db:
        rows = db.execute(
            "SELECT last_seen FROM worker_heartbeats WHERE hostname LIKE ?", (hostname_prefix + "%",)
        ).fetchall()
    if not rows:
        return None
    latest = max(datetime.fromisoformat(row[0]) for row in rows)
    return latest if latest.tzinfo else latest.replace(tzinfo=UTC)


def _healthy(base_url: str) -> bool:
    try:
        return requests.get(base_url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _run_env(data_dir, port: int, **overrides: str) -> dict[str, str]:
    """The environment of `kavalu run` on the embedded store in data_dir; `overrides` replace any of it."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")}
    env.update(
        KAVALU_DATA_DIR=str(data_dir),
        KAVALU_PORT=str(port),
        KAVALU_HEARTBEAT_INTERVAL_S="1",
        KAVALU_PRELOAD_MODELS="false",  # these tests are about processes, not models: keep the CPUs for the others
        KAVALU_LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def _start_run(data_dir, port: int, log_path, **overrides: str) -> subprocess.Popen:
    """`kavalu run` on the embedded store in data_dir, its output in log_path; `overrides` replace its environment."""
    env = _run_env(data_dir, port, **overrides)
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [str(REPO_ROOT / ".venv/bin/kavalu"), "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _descendants(pid: int) -> list[int]:
    """Every process under `pid` now, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError):  # not a process, or gone
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _holds(pid: int, path) -> bool:
    """Whether process `pid` has `path` open."""
    folder = f"/proc/{pid}/fd"
    return any(os.path.realpath(os.path.join(folder, fd)) == os.path.realpath(path) for fd in os.listdir(folder))


def test_a_killed_delivery_worker_is_restarted_and_the_api_keeps_answering(tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "var"
    log_path = tmp_path / "run.log"
    process = _start_run(data_dir, port, log_path)
    try:
        wait_for_http(base_url + "/healthz", timeout=120)
        # It holds KAVALU_DATA_DIR's lock: a command that would migrate the store under it refuses meanwhile.
        with open(data_dir / RUN_LOCK, "a") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        [first] = wait_until(lambda: _pids(log_path, "deliveries worker"), 30, message="the deliveries worker's pid")
        started_before = _pids(log_path, "API") + _pids(log_path, "scoring worker")
        # The worker is up and writing its heartbeat before it is killed.
        wait_until(lambda: _heartbeat(data_dir / "kavalu.sqlite3", "deliveries@"), 60, message="a delivery heartbeat")

        os.kill(first, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        answers = []

        def restarted():
            answers.append(_healthy(base_url))
            pids = _pids(log_path, "deliveries worker")
            return pids[-1] if len(pids) > 1 and _alive(pids[-1]) else None

        second = wait_until(restarted, 30, interval=0.5, message="the deliveries worker started again")
        assert second != first and not _alive(first)
        assert all(answers), answers  # the API answered all along
        assert re.search(
            rf"deliveries worker \(pid {first}\) exited with signal SIGKILL .*restarting in 1 s", log_path.read_text()
        )

        # The new worker works: it writes its heartbeat again.
        wait_until(
            lambda: (_heartbeat(data_dir / "kavalu.sqlite3", "deliveries@") or killed_at) > killed_at,
            60,
            message="a heartbeat from the restarted worker",
        )
        assert _healthy(base_url)
        # Nothing else was restarted.
        assert _pids(log_path, "API") + _pids(log_path, "scoring worker") == started_before

        # SIGTERM still stops everything.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
        children = [*started_before, first, second]
        wait_until(lambda: not any(_alive(pid) for pid in children), 10, message="every child stopped")
        with open(data_dir / RUN_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # and no child kept it
    finally:
        stop_process(process)
    assert "Traceback" not in log_path.read_text()


@pytest.mark.parametrize(
    ("bounds", "work_waiting"),
    [
        ({"KAVALU_HEARTBEAT_MAX_AGE_S": "5", "KAVALU_SCORING_STALL_S": "6"}, True),
        (
            {"KAVALU_HEARTBEAT_INTERVAL_S": "1", "KAVALU_HEARTBEAT_MAX_AGE_S": "5", "KAVALU_SCORING_STALL_S": "3600"},
            False,
        ),
    ],
    ids=["work-waiting", "no-work-waiting"],
)
def test_a_scoring_worker_whose_main_process_is_frozen_is_restarted(tmp_path, bounds, work_waiting):
    """A scoring worker whose main process is frozen (SIGSTOP) keeps a fresh heartbeat from its pool process while
    nothing is scored. `kavalu run` restarts it: its pool process is stalled, because no task finished while a comment
    waited longer than KAVALU_SCORING_STALL_S, or, with no work waiting, because the main process's own heartbeat is
    older than KAVALU_HEARTBEAT_MAX_AGE_S; then the service is ready again."""
    from datetime import timedelta

    from service.config import Settings
    from service.db import Database
    from service.models import Comment, utcnow
    from tests.helpers import create_publisher

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "var"
    log_path = tmp_path / "run.log"
    first = None
    process = _start_run(data_dir, port, log_path, **bounds)
    try:
        wait_for_http(base_url + "/healthz", timeout=120)
        [first] = wait_until(lambda: _pids(log_path, "scoring worker"), 30, message="the scoring worker's pid")
        wait_until(lambda: _heartbeat(data_dir / "kavalu.sqlite3", "scoring@"), 60, message="a scoring heartbeat")
        if work_waiting:  # a comment no scoring process took, older than the stall bound
            database = Database(Settings.from_env(_run_env(data_dir, port, **bounds)))
            try:
                publisher = create_publisher(database, "Daily Coast")
                with database.session() as session:
                    session.add(
                        Comment(
                            id="c-stalled",
                            publisher_id=publisher.id,
                            external_id="e1",
                            article_id="a1",
                            article_title="An article",
                            author_name="Reader",
                            author_email="reader@example.org",
                            content_hash="0" * 64,
                            received_at=utcnow() - timedelta(hours=1),
                        )
                    )
            finally:
                database.dispose()
        os.kill(first, signal.SIGSTOP)  # its pool process goes on writing the heartbeat

        def restarted():
            pids = _pids(log_path, "scoring worker")
            return pids[-1] if len(pids) > 1 and _alive(pids[-1]) else None

        second = wait_until(restarted, 40, interval=0.5, message="the frozen scoring worker started again")
        assert second != first and not _alive(first)
        assert re.search(rf"scoring worker \(pid {first}\) is stalled", log_path.read_text())
        if not work_waiting:  # (the inserted comment has no text to score: it would keep the new worker stalled)
            wait_until(
                lambda: requests.get(base_url + "/readyz", timeout=10).status_code == 200, 90, message="ready again"
            )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    finally:
        if first is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(first, signal.SIGCONT)
        stop_process(process)


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return None


def _read_only(database_path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=10)


def _scoring_pool_child(database_path, worker: int) -> int | None:
    """The pool process of scoring worker `worker`, once it has loaded its models (its heartbeat has a last task)."""
    with contextlib.closing(_read_only(database_path)) as db:
        rows = db.execute(
            "SELECT hostname FROM worker_heartbeats WHERE hostname LIKE 'scoring@%/%' AND last_task_at IS NOT NULL"
        ).fetchall()
    pids = [int(hostname.rsplit("/", 1)[1]) for (hostname,) in rows]
    return next((pid for pid in pids if _parent(pid) == worker and _alive(pid)), None)


def _decided_any(database_path) -> bool:
    with contextlib.closing(_read_only(database_path)) as db:
        return bool(db.execute("SELECT 1 FROM comments WHERE status != 'pending'").fetchall())


def _undecided(database_path, ids: list[str]) -> list[str]:
    with contextlib.closing(_read_only(database_path)) as db:
        rows = db.execute(
            f"SELECT id FROM comments WHERE status = 'pending' AND id IN ({','.join('?' * len(ids))})", ids
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the process tree from /proc")
def test_a_killed_scoring_pool_process_leaves_no_comment_undecided(tmp_path):
    """SIGKILL of the scoring worker's only pool process, with its models loaded as in production, while comments
    come steadily: every comment, and one posted after the kill, is still decided.

    When billiard loses the job with the process, the worker's only slot stays taken and it scores nothing more;
    `kavalu run` then sees it stalled (KAVALU_SCORING_STALL_S) and restarts it. A steady flow produced that freeze in
    every try here (the reviewer saw it in 3 of 5), but whether the job is lost depends on where the kill lands, which
    a test cannot choose: so this test asserts the promise either way (a killed pool process never leaves a comment
    undecided), not the freeze or the restart. Short lease and sweep settings bound the wait for the lost batch."""
    from service.config import Settings
    from service.db import Database
    from tests.helpers import comment, create_publisher, signed_headers

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "var"
    database_path = data_dir / "kavalu.sqlite3"
    log_path = tmp_path / "run.log"
    process = _start_run(
        data_dir,
        port,
        log_path,
        KAVALU_PRELOAD_MODELS="true",  # as the real worker: a restarted one loads its models before it scores
        KAVALU_HEARTBEAT_MAX_AGE_S="5",
        KAVALU_SCORING_STALL_S="8",
        KAVALU_SCORING_LEASE_S="6",  # the lost batch's comments are free again soon
        KAVALU_SWEEP_INTERVAL_S="3",  # and swept back to the scoring queue
        KAVALU_SWEEP_STALE_AFTER_S="3",
    )
    try:
        wait_for_http(base_url + "/healthz", timeout=120)
        [worker] = wait_until(lambda: _pids(log_path, "scoring worker"), 30, message="the scoring worker's pid")
        child = wait_until(lambda: _scoring_pool_child(database_path, worker), 60, message="models loaded")
        env = {
            key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")
        }
        database = Database(Settings.from_env({**env, "KAVALU_DATA_DIR": str(data_dir)}))  # as `kavalu run` has it
        try:
            keys = create_publisher(database, "Daily Coast")
        finally:
            database.dispose()

        def post(n: int) -> str:
            # An author IP of its own per comment: the per-IP rate limit stays out of the way.
            raw = json.dumps(
                comment(comment_id=f"c-{n}", author__ip=f"198.51.100.{n + 1}", text=f"Comment {n} on the visit.")
            ).encode()
            response = requests.post(base_url + "/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=10)
            assert response.status_code == 202, response.text
            return response.json()["id"]

        # Kill it while comments come steadily (as the reviewer did): once it has decided some, it holds work.
        def steady() -> list[str]:
            posted = []
            for n in range(60):
                posted.append(post(n))
                time.sleep(0.1)
            return posted

        with ThreadPoolExecutor(1) as poster:
            flow = poster.submit(steady)
            wait_until(lambda: _decided_any(database_path), 30, interval=0.05, message="a first decision")
            time.sleep(2)
            os.kill(child, signal.SIGKILL)
            ids = flow.result(timeout=60)
        ids.append(post(60))  # one a frozen worker would never take

        wait_until(
            lambda: not _undecided(database_path, ids),
            75,
            interval=0.5,
            message="every comment decided after the pool process was killed",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    finally:
        stop_process(process)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the process tree from /proc")
def test_the_children_of_a_killed_kavalu_run_stop_and_a_new_one_starts_cleanly(tmp_path):
    """SIGKILL gives `kavalu run` no chance to stop its children: they stop by themselves (the parent-death signal),
    and until they have, they hold the store's lock, so no second `kavalu run` runs beside them."""
    port = free_port()
    data_dir = tmp_path / "var"
    process = _start_run(data_dir, port, tmp_path / "run.log")
    children: list[int] = []
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        for worker in ("scoring@", "deliveries@"):  # both workers up (and the beat in the scoring one)
            wait_until(lambda w=worker: _heartbeat(data_dir / "kavalu.sqlite3", w), 60, message=f"a {worker} heartbeat")
        started = [_pids(tmp_path / "run.log", name)[-1] for name in ("API", "scoring worker", "deliveries worker")]
        children = _descendants(process.pid)
        assert set(started) <= set(children)
        assert all(_holds(pid, data_dir / RUN_LOCK) for pid in started)

        process.kill()
        process.wait(timeout=10)
        wait_until(
            lambda: not [pid for pid in children if _alive(pid)],
            45,
            message="every child of the killed kavalu run gone",
        )

        second = _start_run(data_dir, port, tmp_path / "second.log")
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=40) == 0
        finally:
            stop_process(second)
        log = (tmp_path / "second.log").read_text()
        assert "Connection in use" not in log and "exited with" not in log and "Traceback" not in log, log[-3000:]
    finally:
        stop_process(process)
        for pid in children:  # what outlived its supervisor (not with the parent-death signal)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
