"""A scoring process with a fresh heartbeat that no longer gets tasks is stalled, not ready; and the sweeper's check.

The heartbeat is written by a thread of the pool process: it proves the process is alive, not that the worker's main
process still sends it tasks (a frozen main process, a job lost with a dead pool child). These tests put rows in a
store of their own (SQLite, migrated), as tests/test_ops.py's readiness tests do.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.models import Comment, WorkerHeartbeat, utcnow
from service.ops import heartbeats
from service.ops.heartbeats import fresh_scoring_processes, last_sweep_age, record_sweep, scoring_processes
from tests.helpers import create_publisher
from tests.processes import wait_until
from workers import healthcheck

STALL_S = 300.0


@pytest.fixture(autouse=True)
def _stall_bound(monkeypatch):
    """Set before `own_store` (conftest) reads the environment: autouse fixtures come first."""
    monkeypatch.setenv("KAVALU_SCORING_STALL_S", str(STALL_S))


def _pending(database, age_s: float) -> None:
    publisher = create_publisher(database, f"Paper {uuid.uuid4().hex[:6]}")
    with database.session() as session:
        session.add(
            Comment(
                id=uuid.uuid4().hex,
                publisher_id=publisher.id,
                external_id=uuid.uuid4().hex,
                article_id="a1",
                article_title="An article",
                author_name="Reader",
                author_email="reader@example.org",
                content_hash="0" * 64,
                received_at=utcnow() - timedelta(seconds=age_s),
            )
        )


def _process(database, name: str, last_task_age_s: float | None) -> None:
    now = utcnow()
    last_task_at = None if last_task_age_s is None else now - timedelta(seconds=last_task_age_s)
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname=name, queues="scoring", last_seen=now, last_task_at=last_task_at))


def _ready(database, host: str | None = None) -> int:
    with database.session() as session:
        return fresh_scoring_processes(session, 45, host=host, stall_s=STALL_S)


def test_a_process_that_finished_no_task_while_old_work_waits_is_not_ready(own_store, capsys):
    client, database = own_store
    _process(database, "scoring@box/7", last_task_age_s=STALL_S + 60)  # fresh heartbeat, no recent task
    # No work waiting: an idle process is ready, however long since its last task.
    assert _ready(database) == 1
    assert client.get("/readyz").get_json()["checks"]["workers"]["scoring_processes_ready"] == 1
    _pending(database, age_s=10)  # young work: not a stall yet
    assert _ready(database) == 1

    _pending(database, age_s=STALL_S + 30)
    assert _ready(database) == 0
    body = client.get("/readyz").get_json()
    assert body["checks"]["workers"]["ok"] is False and body["checks"]["workers"]["scoring_processes_ready"] == 0
    assert healthcheck.main(["--host", "box", "--max-age", "45"]) == 1
    assert "stalled" in capsys.readouterr().err
    with database.session() as session:
        assert scoring_processes(session, 45, STALL_S) == [("scoring@box/7", 7, True)]

    # A process that finished a task within the bound counts, beside the stalled one.
    _process(database, "scoring@box/8", last_task_age_s=5)
    assert _ready(database) == 1 and _ready(database, host="box") == 1
    assert healthcheck.main(["--host", "box", "--max-age", "45"]) == 0
    with database.session() as session:
        assert sorted(scoring_processes(session, 45, STALL_S)) == [
            ("scoring@box/7", 7, True),
            ("scoring@box/8", 8, False),
        ]
    # A row without a recorded task (written before the process started tracking) is stalled too.
    _process(database, "scoring@box/9", last_task_age_s=None)
    assert _ready(database) == 1


def test_the_processes_of_a_worker_whose_main_process_stopped_writing_are_not_ready(own_store, capsys):
    """A frozen main process (SIGSTOP) sends its pool no tasks, while the pool processes' threads go on writing their
    rows: once its own row is older than the heartbeat bound they are stalled, with no work waiting as well."""
    client, database = own_store

    def main_process(name: str, age_s: float) -> None:
        with database.session() as session:
            session.merge(WorkerHeartbeat(hostname=name, queues="", last_seen=utcnow() - timedelta(seconds=age_s)))

    _process(database, "scoring@box/7", last_task_age_s=1)
    _process(database, "scoring@other/8", last_task_age_s=1)  # an older version's worker: no main-process row
    main_process("scoring@box", age_s=5)
    assert _ready(database) == 2
    main_process("scoring@box", age_s=60)
    assert _ready(database) == 1 and _ready(database, host="box") == 0
    with database.session() as session:
        assert sorted(scoring_processes(session, 45, STALL_S)) == [
            ("scoring@box/7", 7, True),
            ("scoring@other/8", 8, False),
        ]
    assert healthcheck.main(["--host", "box", "--max-age", "45"]) == 1
    assert "stalled" in capsys.readouterr().err
    assert client.get("/readyz").get_json()["checks"]["workers"]["scoring_processes_ready"] == 1
    # A scoring worker's main-process row names no other queue: it is not a delivery worker.
    assert client.get("/readyz").get_json()["checks"]["workers"]["other_workers_alive"] == 0
    main_process("scoring@box", age_s=0)
    assert _ready(database, host="box") == 1
    assert client.get("/readyz").get_json()["checks"]["workers"]["other_workers_alive"] == 0


def test_a_scoring_heartbeat_records_the_process_start_and_then_its_tasks(own_store, monkeypatch):
    from workers import runtime

    _client, database = own_store
    settings = database.settings
    monkeypatch.setattr(runtime, "_last_task_at", None)
    monkeypatch.setattr(runtime, "_database", None)
    runtime.task_finished()  # a process that does not track tasks (a delivery worker) writes nothing
    assert runtime._last_task_at is None
    # Old row of an earlier process with the same pid: a new process starts afresh.
    _process(database, "scoring@box/11", last_task_age_s=3600)
    _pending(database, age_s=STALL_S + 30)
    runtime.start_heartbeat(settings, "scoring@box/11", "scoring", interval_s=3600, tracks_tasks=True)
    try:

        def written():
            with database.session() as session:
                row = session.get(WorkerHeartbeat, "scoring@box/11")
                return row.last_task_at

        started = runtime._last_task_at
        assert started is not None
        runtime.write_heartbeat(settings, "scoring@box/11", "scoring")
        assert _ready(database) == 1  # just started: not stalled
        runtime.task_finished()
        assert runtime._last_task_at >= started
        runtime.write_heartbeat(settings, "scoring@box/11", "scoring")
        assert written() is not None
    finally:
        runtime.stop_heartbeat(settings)
        monkeypatch.setattr(runtime, "_database", None)


def test_readyz_reports_the_sweeper_and_fails_when_the_sweeps_stop(own_store):
    client, database = own_store
    sweeper = client.get("/readyz").get_json()["checks"]["sweeper"]
    assert sweeper["ok"] is True and sweeper["last_run_age_seconds"] is None  # a new store: none yet

    with database.session() as session:
        record_sweep(session, "box")
    sweeper = client.get("/readyz").get_json()["checks"]["sweeper"]
    assert sweeper["ok"] is True and sweeper["last_run_age_seconds"] < 5
    with database.session() as session:
        assert heartbeats.fresh_other_workers(session, 45) == 0  # the sweeper's row is no worker

    max_age = database.settings.sweep_max_age_s
    with database.session() as session:
        session.get(WorkerHeartbeat, "sweeper@box").last_seen = utcnow() - timedelta(seconds=max_age + 10)
    response = client.get("/readyz")
    assert response.status_code == 503
    sweeper = response.get_json()["checks"]["sweeper"]
    assert sweeper["ok"] is False and sweeper["last_run_age_seconds"] > max_age
    with database.session() as session:
        assert last_sweep_age(session) > max_age


def test_the_sweep_task_records_that_it_ran(own_store):
    from workers.scoring import tasks

    _client, database = own_store

    class Task:  # what sweep_pending uses of its task
        def session(self):
            return database.session()

    tasks._record_sweep(Task())
    with database.session() as session:
        assert last_sweep_age(session) < 5


def test_every_report_of_ready_scoring_processes_leaves_out_a_stalled_one(own_store):
    """The ops overview (GET /v1/ops/queues, the console's ops page) and the /metrics gauge counted a stalled process
    as ready while /readyz and the healthcheck did not."""
    from tests.console_support import sign_in
    from tests.review_support import bearer, make_moderator
    from tests.test_ops import _samples

    client, database = own_store
    _, token = make_moderator(database, role="admin")
    sign_in(client, token)

    def reported() -> dict:
        return {
            "readyz": client.get("/readyz").get_json()["checks"]["workers"]["scoring_processes_ready"],
            "ops_queues": client.get("/v1/ops/queues", headers=bearer(token)).get_json()["scoring_processes_ready"],
            "metrics": _samples(client.get("/metrics").get_data(as_text=True))[("kavalu_scoring_workers_ready", ())],
            "console": int(re.search(r'id="ops-scoring-ready">(\d+)<', client.get("/console/ops").text)[1]),
            "healthcheck": int(healthcheck.main(["--host", "box", "--max-age", "45"]) == 0),
        }

    _process(database, "scoring@box/7", last_task_age_s=STALL_S + 60)
    everywhere = ("readyz", "ops_queues", "metrics", "console", "healthcheck")
    assert reported() == dict.fromkeys(everywhere, 1)  # idle: no work waits
    _pending(database, age_s=STALL_S + 30)
    assert reported() == dict.fromkeys(everywhere, 0)


def test_a_forked_process_does_not_remove_its_parents_heartbeat(own_store, monkeypatch):
    """A pool process replaced after the main process started its heartbeat inherits the handle; one that exits cleanly
    before it starts its own (worker_process_shutdown -> stop_heartbeat) must leave the main process's row alone."""
    import os

    from workers import runtime

    _client, database = own_store
    settings = database.settings
    monkeypatch.setattr(runtime, "_database", None)

    def main_row() -> bool:
        with database.session() as session:
            return session.get(WorkerHeartbeat, "scoring@box") is not None

    runtime.start_heartbeat(settings, "scoring@box", "", interval_s=3600)
    try:
        wait_until(main_row, 10, interval=0.05, message="the main process's first heartbeat")
        pid = os.fork()
        if pid == 0:  # the child: what a pool process does on a clean exit
            code = 1
            try:
                runtime.stop_heartbeat(settings)
                code = 0
            finally:
                os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        assert main_row()
    finally:
        runtime.stop_heartbeat(settings)
        monkeypatch.setattr(runtime, "_database", None)


def test_the_row_of_a_killed_pool_process_goes_before_the_pool_reaps_it(own_store, monkeypatch):
    """The OOM killer on a busy host: the pool's event loop has not yet reaped its dead process, so the pool still
    lists it. The main process's watch removes the row anyway (the process has exited), leaves a live process's row,
    and does not reap the dead one itself: the pool reads its exit status."""
    import signal
    import subprocess

    from workers import runtime

    _client, database = own_store
    settings = database.settings
    monkeypatch.setattr(runtime, "_database", None)
    killed = subprocess.Popen(["sleep", "60"])
    alive = subprocess.Popen(["sleep", "60"])
    names = {process.pid: heartbeats.scoring_process_name("scoring@box", process.pid) for process in (killed, alive)}
    for name in names.values():
        _process(database, name, last_task_age_s=None)

    def row(pid: int) -> bool:
        with database.session() as session:
            return session.get(WorkerHeartbeat, names[pid]) is not None

    stop = runtime.watch_pool(settings, "scoring@box", lambda: [killed.pid, alive.pid], interval_s=0.05)
    try:
        time.sleep(0.3)  # the watch has seen both
        killed.send_signal(signal.SIGKILL)
        wait_until(lambda: not row(killed.pid), 10, interval=0.05, message="the killed process's row removed")
        assert row(alive.pid)
        assert killed.wait(timeout=10) == -signal.SIGKILL  # its exit status was still there to read
    finally:
        stop.set()
        for process in (killed, alive):
            process.kill()
            process.wait(timeout=10)
        monkeypatch.setattr(runtime, "_database", None)


def test_the_claims_of_a_process_whose_heartbeat_stopped_are_freed_on_the_embedded_store(own_store):
    """claims.release_silent_processes on SQLite, the embedded default's store (tests/test_scoring_batch.py has the
    whole rule on PostgreSQL)."""
    from service.scoring import claims

    _client, database = own_store
    now = utcnow()
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname="gone@box/7", queues="scoring", last_seen=now - timedelta(seconds=60)))
        session.add(WorkerHeartbeat(hostname="alive@box/8", queues="scoring", last_seen=now))
    held = {}
    for process in ("gone@box/7", "alive@box/8"):
        _pending(database, age_s=30)
        with database.session() as session:
            comment = session.scalars(select(Comment).where(Comment.scoring_lease_until.is_(None))).one()
            comment.scoring_lease_until = now + timedelta(seconds=120)
            comment.scoring_lease_process = process
            held[process] = comment.id
    with database.session() as session:
        assert claims.release_silent_processes(session, max_age_s=45) == [held["gone@box/7"]]
    with database.session() as session:
        assert session.get(Comment, held["gone@box/7"]).scoring_lease_until is None
        assert session.get(Comment, held["alive@box/8"]).scoring_lease_until is not None
