"""Nothing is lost: the whole stack as real processes (gunicorn, scoring and delivery workers, beat,
a private Redis, the test PostgreSQL) under injected faults. Each test checks the counts:
accepted = decided = delivered, with no duplicates.

The fifth fault of the issue, a comment that crashes the scorer, is
tests/test_scoring_worker.py::test_a_scorer_that_crashes_ends_in_review_after_bounded_retries.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from service.models import Comment, Decision, OutboundEvent, WorkerHeartbeat, utcnow
from service.ops.heartbeats import scoring_process_name
from service.publishers import accounts as publishers
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import PublisherKeys, comment, signed_headers
from tests.processes import free_port, wait_until
from tests.receiver import Receiver
from tests.servers import PrivateRedis
from tests.stack import Stack

pytestmark = pytest.mark.slow

CIVIL = [
    "Good to see the talks in Goa moving forward.",
    "The summit in July should help trade between the two countries.",
    "Thanks for a clear report on the meeting.",
    "I hope the energy projects get going soon.",
]


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver_keys(database):
    receiver = Receiver()
    with database.session() as session:
        publisher, secret = publishers.create(session, "Reliable Daily", receiver.url)
        keys = PublisherKeys(publisher.id, secret)
    receiver.secret = secret
    yield receiver, keys
    receiver.close()


@pytest.fixture
def stack(tmp_path, private_redis):
    running = Stack(tmp_path / "stack", TEST_DATABASE_URL, private_redis.url)
    yield running
    running.stop()


def post(base_url: str, keys: PublisherKeys, comment_id: str, text: str, attempts: int = 1) -> int:
    raw = json.dumps(comment(comment_id=comment_id, text=text)).encode()
    status = None
    for _ in range(attempts):
        try:
            status = requests.post(
                base_url + "/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=10
            ).status_code
        except requests.RequestException:
            status = None
        if status in (200, 202):
            return status
        time.sleep(0.5)
    return status


def post_all(base_url: str, keys: PublisherKeys, ids: list[str]) -> None:
    """A burst: a civil comment for each id, eight at a time; every one accepted."""
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: post(base_url, keys, ids[n], CIVIL[n % 4] + f" ({n})"), range(len(ids))))
    assert set(statuses) == {202}


def assert_nothing_lost(
    database, keys: PublisherKeys, external_ids: list[str], receiver: Receiver, timeout: float = 180
):
    def all_decided():
        with database.session() as session:
            pending = session.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.publisher_id == keys.id, Comment.status == "pending")
            )
            return pending == 0

    wait_until(all_decided, timeout, interval=0.25, message="every comment decided")
    with database.session() as session:
        stored = session.scalars(select(Comment).where(Comment.publisher_id == keys.id)).all()
        assert sorted(c.external_id for c in stored) == sorted(external_ids)  # accepted, once each
        decisions = Counter(session.scalars(select(Decision.comment_id).where(Decision.publisher_id == keys.id)))
        assert len(decisions) == len(external_ids) and set(decisions.values()) == {1}  # decided exactly once
        final = [c.id for c in stored if c.status in ("approved", "rejected")]
        events = session.scalars(select(OutboundEvent).where(OutboundEvent.publisher_id == keys.id)).all()
        assert sorted(e.comment_id for e in events) == sorted(final)  # one callback event per final decision
        event_ids = {e.id for e in events}
    wait_until(
        lambda: {r["body"]["event_id"] for r in receiver.accepted()} == event_ids,
        timeout,
        interval=0.25,
        message="every event delivered",
    )
    acknowledged = Counter(r["body"]["event_id"] for r in receiver.accepted())
    assert set(acknowledged.values()) == {1}  # acknowledged once each
    assert all(r["signature_ok"] for r in receiver.accepted())


def test_a_worker_killed_mid_scoring_loses_nothing(stack, receiver_keys, database):
    receiver, keys = receiver_keys
    stack.start()
    ids = [f"kill-{n}" for n in range(40)]
    post_all(stack.base_url, keys, ids)

    def some_decided():
        with database.session() as session:
            return (
                session.scalar(select(func.count()).select_from(Decision).where(Decision.publisher_id == keys.id)) >= 1
            )

    wait_until(some_decided, 120, interval=0.1, message="the first decision")
    stack.kill_scoring_workers(signal.SIGKILL)
    stack.start_scoring_worker()
    assert_nothing_lost(database, keys, ids, receiver)


def test_redis_down_for_30_seconds_while_comments_arrive(stack, private_redis, receiver_keys, database):
    receiver, keys = receiver_keys
    stack.start()
    private_redis.stop()
    ids, statuses = [], []
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < 30:
        ids.append(f"redis-down-{n}")
        statuses.append(post(stack.base_url, keys, ids[-1], CIVIL[n % 4] + f" ({n})"))
        n += 1
        time.sleep(1)
    assert set(statuses) == {202}, Counter(statuses)
    ready = requests.get(stack.base_url + "/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["broker"]["ok"] is False
    private_redis.start()
    assert_nothing_lost(database, keys, ids, receiver)


def test_a_callback_endpoint_down_for_the_whole_burst_gets_everything_when_back(stack, database):
    port = free_port()
    with database.session() as session:
        publisher, secret = publishers.create(session, "Down Daily", f"http://127.0.0.1:{port}/hook")
        keys = PublisherKeys(publisher.id, secret)
    stack.start()
    ids = [f"down-{n}" for n in range(20)]
    assert {post(stack.base_url, keys, cid, CIVIL[n % 4]) for n, cid in enumerate(ids)} == {202}

    def failed_attempts():
        with database.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(OutboundEvent)
                    .where(OutboundEvent.publisher_id == keys.id, OutboundEvent.attempts >= 2)
                )
                > 0
            )

    wait_until(failed_attempts, 120, interval=0.25, message="failed delivery attempts")
    receiver = Receiver(secret=secret, port=port)
    try:
        assert_nothing_lost(database, keys, ids, receiver)
    finally:
        receiver.close()


def batch_in_hand(database, keys: PublisherKeys) -> list[str] | None:
    """The pending comments of this publisher that scoring tasks hold now, once there are at least two."""
    with database.session() as session:
        held = session.scalars(
            select(Comment.id).where(
                Comment.publisher_id == keys.id, Comment.status == "pending", Comment.scoring_lease_until > utcnow()
            )
        ).all()
    return held if len(held) >= 2 else None


def pending(database, of: list[str]) -> int:
    with database.session() as session:
        return session.scalar(
            select(func.count()).select_from(Comment).where(Comment.id.in_(of), Comment.status == "pending")
        )


def claims_freed(running: Stack, reason: str) -> float:
    """kavalu_scoring_claims_freed_total{reason} as the API's /metrics reports it (all processes merged)."""
    from prometheus_client.parser import text_string_to_metric_families

    body = requests.get(running.base_url + "/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "kavalu_scoring_claims_freed_total" and sample.labels.get("reason") == reason
    )


def test_the_batch_of_a_killed_pool_process_is_scored_again_without_waiting_for_its_lease(
    tmp_path, private_redis, receiver_keys, database
):
    """SIGKILL to the pool process while it holds a batch, with the production lease of 120 s.

    The broker redelivers the task the process was running; the redelivered task frees the rest of the batch its
    process held (a task each), so those comments are decided within seconds of the replacement loading its models,
    not when their lease lapses. Before, they waited the whole lease (and a sweep).
    """
    import os

    from tests.processes import start_celery_worker

    receiver, keys = receiver_keys
    lease_s = 120
    running = Stack(
        tmp_path / "stack",
        TEST_DATABASE_URL,
        private_redis.url,
        env={"KAVALU_SCORING_LEASE_S": str(lease_s)},
        scoring_workers=0,
    )
    try:
        running.start()
        worker = start_celery_worker(running.env, running.workdir / "scoring.log", queues="scoring", concurrency=1)
        running.scoring.append(worker)
        wait_until(lambda: requests.get(running.base_url + "/readyz", timeout=10).status_code == 200, 60)
        listed = subprocess.run(
            ["ps", "--ppid", str(worker.pid), "-o", "pid="], check=True, capture_output=True, text=True
        )
        [child] = [int(pid) for pid in listed.stdout.split()]
        ids = [f"lost-batch-{n}" for n in range(120)]
        post_all(running.base_url, keys, ids)

        held = wait_until(lambda: batch_in_hand(database, keys), 120, interval=0.02, message="a batch in hand")
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        assert pending(database, held) >= 1, "the batch was decided before the kill; post more"
        # A replacement loads its models in well under a minute here; the lease would hold the batch for 120 s.
        wait_until(
            lambda: pending(database, held) == 0, lease_s * 0.75, interval=0.25, message="the lost batch decided"
        )
        assert time.monotonic() - killed_at < lease_s
        assert_nothing_lost(database, keys, ids, receiver)
        assert "its lost batch freed" in worker.log_path.read_text()
        assert claims_freed(running, "task_redelivered") >= 1
    finally:
        running.stop()


@pytest.mark.parametrize("fault", ["killed", "frozen"])
def test_the_batches_of_a_killed_or_frozen_worker_are_scored_again_without_waiting_for_their_lease(
    fault, tmp_path, private_redis, receiver_keys, database
):
    """SIGKILL or SIGSTOP to a whole scoring worker (its process group, as when its container is killed or paused)
    while it holds a batch, with the production lease of 120 s.

    The broker redelivers none of its tasks before its visibility timeout (an hour). The sweeper frees the claims of
    the processes whose heartbeat stopped (older than KAVALU_HEARTBEAT_MAX_AGE_S, 5 s here), so a new worker decides
    them once it has loaded its models, not when the lease lapses. A worker frozen inside its batch's transaction
    holds those rows locked until PostgreSQL ends its session (KAVALU_DB_IDLE_IN_TRANSACTION_TIMEOUT_S, 10 s here);
    then they are freed too. A frozen worker that wakes up afterwards finishes its batch or fails it: every comment is
    still decided and delivered exactly once.
    """
    import os

    receiver, keys = receiver_keys
    lease_s = 120
    env = {
        "KAVALU_SCORING_LEASE_S": str(lease_s),
        "KAVALU_HEARTBEAT_INTERVAL_S": "0.5",
        "KAVALU_HEARTBEAT_MAX_AGE_S": "5",
        "KAVALU_DB_IDLE_IN_TRANSACTION_TIMEOUT_S": "10",
    }
    running = Stack(tmp_path / "stack", TEST_DATABASE_URL, private_redis.url, env=env, scoring_workers=1)
    stopped = None
    try:
        running.start()
        [stopped] = running.scoring
        wait_until(lambda: requests.get(running.base_url + "/readyz", timeout=10).status_code == 200, 60)
        ids = [f"{fault}-worker-{n}" for n in range(120)]
        post_all(running.base_url, keys, ids)
        held = wait_until(lambda: batch_in_hand(database, keys), 120, interval=0.02, message="a batch in hand")
        if fault == "killed":
            running.kill_scoring_workers(signal.SIGKILL)
        else:
            os.killpg(stopped.pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        assert pending(database, held) >= 1, "the batch was decided before the fault; post more"
        running.start_scoring_worker()
        wait_until(
            lambda: pending(database, held) == 0, lease_s * 0.75, interval=0.25, message="the held batch decided"
        )
        assert time.monotonic() - stopped_at < lease_s
        if fault == "frozen":
            os.killpg(stopped.pid, signal.SIGCONT)
        assert_nothing_lost(database, keys, ids, receiver)
        assert "scoring claims of stopped processes freed" in (running.workdir / "deliveries.log").read_text()
        assert claims_freed(running, "heartbeat_stopped") >= 1
    finally:
        if fault == "frozen" and stopped is not None and stopped.poll() is None:
            os.killpg(stopped.pid, signal.SIGCONT)
        running.stop()


def test_a_killed_scoring_pool_process_is_replaced_and_readyz_follows(tmp_path, private_redis, receiver_keys, database):
    """What the out-of-memory killer does: SIGKILL to the one pool process of a scoring worker mid-backlog.

    The worker's main process removes the killed process's heartbeat row within seconds. The pool starts a
    replacement, which loads the models before it reports UP (longer than Celery's default
    worker_proc_alive_timeout of 4 s, so KAVALU_WORKER_START_TIMEOUT_S keeps it from being killed in turn).
    /readyz is 503 while no process can score and 200 once the replacement has loaded; every comment is
    decided exactly once.
    """
    import os

    from tests.processes import start_celery_worker

    receiver, keys = receiver_keys
    fast_heartbeats = {"KAVALU_HEARTBEAT_INTERVAL_S": "0.5", "KAVALU_HEARTBEAT_MAX_AGE_S": "2"}
    running = Stack(tmp_path / "stack", TEST_DATABASE_URL, private_redis.url, env=fast_heartbeats, scoring_workers=0)
    try:
        running.start()
        worker = start_celery_worker(running.env, running.workdir / "scoring.log", queues="scoring", concurrency=1)
        running.scoring.append(worker)

        def readyz(expected: int):
            """The workers check of /readyz when it answers `expected`, else None."""
            response = requests.get(running.base_url + "/readyz", timeout=10)
            return response.json()["checks"]["workers"] if response.status_code == expected else None

        def pool_processes() -> list[int]:
            listed = subprocess.run(
                ["ps", "--ppid", str(worker.pid), "-o", "pid="], capture_output=True, text=True, check=False
            )
            return [int(pid) for pid in listed.stdout.split()]

        wait_until(lambda: readyz(200), 30, message="ready before the fault")
        [child] = pool_processes()
        ids = [f"oom-{n}" for n in range(80)]
        post_all(running.base_url, keys, ids)

        def decided() -> int:
            with database.session() as session:
                return session.scalar(
                    select(func.count()).select_from(Decision).where(Decision.publisher_id == keys.id)
                )

        wait_until(lambda: decided() >= 1, 120, interval=0.1, message="the first decision")
        os.kill(child, signal.SIGKILL)
        assert decided() < len(ids), "the backlog was done before the fault; post more"

        def killed_process_row_left() -> bool:
            with database.session() as session:
                return session.get(WorkerHeartbeat, scoring_process_name(worker.hostname, child)) is not None

        # The worker's main process removes the dead process's row: it does not count as ready until its heartbeat
        # is KAVALU_HEARTBEAT_MAX_AGE_S old (45 s by default).
        wait_until(lambda: not killed_process_row_left(), 5, interval=0.1, message="the killed process's row removed")

        workers = wait_until(lambda: readyz(503), 20, interval=0.2, message="/readyz to notice that nothing can score")
        assert workers["ok"] is False and workers["scoring_processes_ready"] == 0

        def own_fresh_processes() -> list[str]:
            """This worker's scoring processes with a fresh heartbeat. The session's own test worker may heartbeat
            into this database too, so /readyz's count alone could be that worker's."""
            with database.session() as session:
                return session.scalars(
                    select(WorkerHeartbeat.hostname).where(
                        WorkerHeartbeat.hostname.startswith(worker.hostname + "/"),
                        WorkerHeartbeat.last_seen >= utcnow() - timedelta(seconds=2),
                    )
                ).all()

        workers = wait_until(
            lambda: own_fresh_processes() and readyz(200),
            120,
            interval=0.5,
            message="/readyz back once the replacement has loaded its models",
        )
        assert workers["ok"] is True and workers["scoring_processes_ready"] >= 1
        assert worker.poll() is None  # the worker itself lived on; its pool replaced the process
        [replacement] = pool_processes()
        assert replacement != child
        assert own_fresh_processes() == [scoring_process_name(worker.hostname, replacement)]
        assert_nothing_lost(database, keys, ids, receiver)
        log = worker.log_path.read_text()
        assert "Timed out waiting for UP message" not in log
        assert log.count("scoring models loaded") == 2  # the first process and its one replacement
    finally:
        running.stop()
