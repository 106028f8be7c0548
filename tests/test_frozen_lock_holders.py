"""A process frozen inside a transaction (SIGSTOP, a stalled VM) must not stop the sweeper: the sweep skips the rows
it holds, PostgreSQL ends its session after KAVALU_DB_IDLE_IN_TRANSACTION_TIMEOUT_S, and the sweeper sends its tasks
only once the rows it marked are committed, so that a worker taking a message at once finds its comment free."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import psycopg
import pytest
import redis
from sqlalchemy import text

from service.intake.comments import stranded_pending
from service.models import Comment, utcnow
from service.task_names import SCORING_QUEUE
from service.taskqueue import flush_deferred_wakes
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import accepted_ids
from tests.processes import REPO_ROOT, wait_until


def _age(database, ids: list[str]) -> None:
    with database.session() as session:
        for comment_id in ids:
            session.get(Comment, comment_id).enqueued_at = utcnow() - timedelta(hours=1)


def _can_lock(comment_id: str) -> bool:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
        try:
            connection.execute("SELECT 1 FROM comments WHERE id = %s FOR UPDATE NOWAIT", (comment_id,))
        except psycopg.errors.LockNotAvailable:
            return False
    return True


def test_a_sweep_skips_the_rows_another_transaction_holds_without_waiting(client, publisher, database):
    held, free = accepted_ids(client, publisher, "held", "free")
    _age(database, [held, free])
    with database.session() as holder:
        holder.execute(text("SELECT 1 FROM comments WHERE id = :id FOR UPDATE"), {"id": held})
        started = time.monotonic()
        with database.session() as sweeper:
            assert stranded_pending(sweeper, 60) == [free]
        assert time.monotonic() - started < 2  # not the statement timeout's two minutes
    with database.session() as sweeper:
        assert stranded_pending(sweeper, 60) == [held]  # released: the next sweep takes it


@pytest.mark.slow
def test_the_server_ends_a_frozen_processs_transaction_and_frees_its_rows(client, publisher, database):
    (comment_id,) = accepted_ids(client, publisher, "frozen")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import time
                from sqlalchemy import text
                from service.config import Settings
                from service.db import Database
                with Database(Settings.from_env()).session() as session:
                    session.execute(text("SELECT 1 FROM comments WHERE id = '{comment_id}' FOR UPDATE"))
                    print("locked", flush=True)
                    time.sleep(600)
                """
            ),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "KAVALU_DB_IDLE_IN_TRANSACTION_TIMEOUT_S": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGSTOP)
        assert not _can_lock(comment_id)
        wait_until(lambda: _can_lock(comment_id), timeout=15, interval=0.25)
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_sweeper_sends_its_tasks_once_the_rows_are_committed(client, publisher, database, monkeypatch):
    from workers.scoring import tasks

    ids = accepted_ids(client, publisher, "s-1", "s-2")
    _age(database, ids)
    # Stranded: their intake messages were lost (the sweeper sends only what the scoring queue lacks). The wake is
    # sent from a thread 25 ms after intake answers: under load it landed after the delete, and the sweep sent one.
    flush_deferred_wakes()
    redis.Redis.from_url(tasks.sweep_pending.settings.broker_redis_url).delete(SCORING_QUEUE)
    free_when_sent = {}

    def record_send(args, **_options):
        free_when_sent[args[0]] = _can_lock(args[0])

    monkeypatch.setattr(tasks.score_comment, "apply_async", record_send)
    assert tasks.sweep_pending.run() == 2
    assert free_when_sent == dict.fromkeys(ids, True)
