"""Health, readiness, metrics, security headers and rate limits."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.config import Settings
from service.models import WorkerHeartbeat, utcnow
from service.ops.heartbeats import fresh_scoring_processes
from service.ops.metrics import QUEUES
from service.ops.precision import decode, report_name
from service.task_names import SCORING_QUEUE
from tests.conftest import ISOLATED_BROKER, QUEUE_ONLY_BROKER
from tests.helpers import comment, post_comment, signed_headers
from tests.processes import free_port, wait_until
from tests.test_intake import settle_wakes
from workers import healthcheck, runtime


def test_healthz_and_security_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Request-ID"]


def test_readyz_needs_a_scoring_process_with_its_models_loaded(own_store):
    client, database = own_store
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]
    assert body["checks"]["workers"]["ok"] is False and body["checks"]["workers"]["scoring_processes_ready"] == 0
    with database.session() as session:
        # Main processes (a scoring worker's, as older versions wrote it, and a delivery worker's) and a scoring
        # process whose last heartbeat is too old: nothing here can score.
        session.add(WorkerHeartbeat(hostname="scoring@box", queues="scoring", last_seen=utcnow()))
        session.add(WorkerHeartbeat(hostname="deliveries@box", queues="deliveries", last_seen=utcnow()))
        session.add(
            WorkerHeartbeat(hostname="scoring@box/41", queues="scoring", last_seen=utcnow() - timedelta(seconds=120))
        )
    response = client.get("/readyz")
    assert response.status_code == 503, response.get_json()
    workers = response.get_json()["checks"]["workers"]
    assert workers["scoring_processes_ready"] == 0 and workers["other_workers_alive"] == 2
    assert _samples(client.get("/metrics").get_data(as_text=True))[("kavalu_scoring_workers_ready", ())] == 0
    assert healthcheck.main(["--host", "box"]) == 1
    with database.session() as session:
        # What a pool process writes once its models are loaded.
        session.add(WorkerHeartbeat(hostname="scoring@box/42", queues="scoring", last_seen=utcnow()))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["status"] == "ready"
    assert response.get_json()["checks"]["workers"]["scoring_processes_ready"] == 1
    assert _samples(client.get("/metrics").get_data(as_text=True))[("kavalu_scoring_workers_ready", ())] == 1
    assert healthcheck.main(["--host", "box"]) == 0
    assert healthcheck.main(["--host", "elsewhere"]) == 1  # the container asks about its own processes only


def test_readyz_is_not_ready_on_a_schema_behind_this_version_nor_the_service_on_one_ahead(own_store):
    """It said ready on a store one migration behind (intake took comments, other endpoints answered 500), and the
    version before on a store a newer one had migrated."""
    import sqlite3

    from service.migrate import downgrade, head_revision

    client, database = own_store
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname="scoring@box/1", queues="scoring", last_seen=utcnow()))
    head = head_revision()
    assert client.get("/readyz").get_json()["checks"]["schema"] == {"ok": True, "revision": head, "expected": head}

    downgrade(database.settings, "0011")
    for path in ("/readyz", "/readyz?scope=process"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.get_json()["checks"]["schema"] == {"ok": False, "revision": "0011", "expected": head}
        assert response.get_json()["checks"]["database"] == {"ok": True}

    with sqlite3.connect(database.settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")  # what a newer version leaves
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["schema"]["revision"] == "0099"
    # In a rolling upgrade the old pods keep taking comments until the new ones are up.
    process = client.get("/readyz?scope=process")
    assert process.status_code == 200
    assert process.get_json()["checks"]["schema"] == {"ok": True, "revision": "0099", "expected": head}


def test_heartbeats_of_processes_gone_for_a_day_are_pruned(database, settings):
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname="scoring@old/1", queues="scoring", last_seen=utcnow() - timedelta(days=2)))
        session.add(WorkerHeartbeat(hostname="scoring@new/1", queues="scoring", last_seen=utcnow()))
    runtime.prune_heartbeats(settings)
    with database.session() as session:
        # Only this test's rows: a worker of another test may write its own heartbeat meanwhile.
        names = set(session.scalars(select(WorkerHeartbeat.hostname)))
    assert "scoring@old/1" not in names and "scoring@new/1" in names


def test_each_scoring_pool_process_writes_its_own_heartbeat(celery_worker, database, settings):
    """The session's worker (scoring and deliveries): a row per pool process once its models are loaded, and a
    main-process row for the deliveries queue only."""

    def rows():
        with database.session() as session:
            return {row.hostname: row.queues for row in session.scalars(select(WorkerHeartbeat))}

    def both_written() -> bool:
        found = rows()
        return celery_worker.hostname in found and any(n.startswith(celery_worker.hostname + "/") for n in found)

    # Each test's cleanup empties the table; the rows come back within a heartbeat interval.
    wait_until(both_written, 30, message="the worker's main-process and pool-process heartbeats")
    found = rows()
    assert "deliveries" in found[celery_worker.hostname].split(",") and "scoring" not in found[celery_worker.hostname]
    processes = {name: queues for name, queues in found.items() if name.startswith(celery_worker.hostname + "/")}
    assert list(processes.values()) == ["scoring"], found
    # Each scoring process's abuse-model precision (KAVALU_ABUSE_PRECISION, `auto` by default) rides with it.
    [process] = processes
    report = decode(found[report_name(process)])
    assert report is not None and report["precision"] in ("fp32", "bf16", "int8"), found
    with database.session() as session:
        # Other tests' scoring workers may still be running in this session: at least this one's counts.
        assert fresh_scoring_processes(session, settings.heartbeat_max_age_s, settings.scoring_stall_s) >= 1


def test_readyz_reports_a_dead_broker(settings, database):
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname="w1@test", queues="scoring", last_seen=utcnow()))
    dead = create_app(
        Settings.from_env({**os.environ, "BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    ).test_client()
    response = dead.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"]["ok"] is False


def test_readyz_for_one_process_ignores_the_broker_and_the_workers(client, publisher):
    """A load balancer's probe: intake goes on accepting (202) with the broker and every worker away, so the API
    process stays in the pool; its own store and sealing keys still count."""
    from cryptography.fernet import Fernet

    dead = create_app(
        Settings.from_env({**os.environ, "BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    ).test_client()
    assert dead.get("/readyz").status_code == 503  # no broker, no scoring process
    process = dead.get("/readyz?scope=process")
    assert process.status_code == 200, process.get_json()
    assert set(process.get_json()["checks"]) == {"database", "schema", "signing_secrets"}
    wrong_keys = create_app(
        Settings.from_env({**os.environ, "KAVALU_SEALING_KEYS": Fernet.generate_key().decode()})
    ).test_client()
    assert wrong_keys.get("/readyz?scope=process").status_code == 503
    refused = client.get("/readyz?scope=everything")
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["code"] == "invalid_scope"


def test_metrics_keep_their_other_series_while_the_database_is_down(queue_redis):
    """Every series went missing with the store: the workers' counters and the queue figures too."""
    from service.ops.metrics import LiveFigures

    def store_down():
        raise OperationalError("SELECT 1", {}, Exception("the store is away"))

    families = {family.name: family for family in LiveFigures(QUEUE_ONLY_BROKER, store_down).collect()}
    assert families["kavalu_queue_depth"].samples  # read from the broker
    assert families["kavalu_scoring_workers_ready"].samples == []  # unknown, not 0


def test_every_message_carries_its_send_time(settings, queue_redis):
    """Beat's messages and the dispatcher's retries were sent without it, and a queue of them read as 0 s old."""
    from service.ops.metrics import queue_figures
    from service.task_names import DISPATCH_DUE_DELIVERIES, MAINTENANCE_QUEUE
    from service.taskqueue import TaskQueue

    TaskQueue(settings).celery.send_task(DISPATCH_DUE_DELIVERIES, retry=False)  # no headers given, as beat sends it
    time.sleep(0.05)
    age = queue_figures(QUEUE_ONLY_BROKER)[MAINTENANCE_QUEUE]["oldest_age_seconds"]
    assert age is not None and age > 0


def _samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_intake_and_read_the_queues(client, publisher, queue_redis):
    before = _samples(client.get("/metrics").get_data(as_text=True))
    assert post_comment(client, publisher, comment()).status_code == 202
    assert post_comment(client, publisher, comment(text="")).status_code == 422
    settle_wakes()  # the API sends the scoring wake up to 25 ms after the comment
    time.sleep(0.05)
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = _samples(response.get_data(as_text=True))
    key202 = ("kavalu_intake_requests_total", (("status", "202"),))
    key422 = ("kavalu_intake_requests_total", (("status", "422"),))
    assert after[key202] - before.get(key202, 0) == 1 and after[key422] - before.get(key422, 0) == 1
    assert after[("kavalu_queue_depth", (("queue", "scoring"),))] == 1
    assert after[("kavalu_queue_depth", (("queue", "analyze"),))] == 0  # synchronous requests wait here
    assert after[("kavalu_queue_oldest_message_age_seconds", (("queue", "scoring"),))] >= 0.05
    assert after[("kavalu_oldest_pending_comment_age_seconds", ())] >= 0
    assert after[("kavalu_review_queue_size", (("queue", "general"),))] == 0


def test_queue_figures_are_read_from_the_broker_celery_uses_not_redis_url(database, queue_redis):
    """With REDIS_URL (rate limits) on another Redis than BROKER_URL, the queue figures and the sweeper read the
    broker's lists (they read REDIS_URL's, and the sweeper re-sent every stranded comment each window)."""
    from tests.console_support import sign_in
    from tests.review_support import bearer, make_moderator
    from workers.scoring.tasks import _queued_for_scoring

    broker = redis.Redis.from_url(ISOLATED_BROKER)
    broker.delete(*QUEUES)
    own = Settings.from_env({**os.environ, "BROKER_URL": ISOLATED_BROKER, "REDIS_URL": QUEUE_ONLY_BROKER})
    assert own.redis_url == QUEUE_ONLY_BROKER and own.broker_redis_url == ISOLATED_BROKER
    message = json.dumps({"headers": {"kavalu_sent_at": time.time() - 30}, "body": ""})
    broker.lpush(SCORING_QUEUE, message, message, message)
    queue_redis.lpush(SCORING_QUEUE, message)  # REDIS_URL's list of the same name
    try:
        client = create_app(own).test_client()
        _, token = make_moderator(database, role="admin")
        metrics = _samples(client.get("/metrics").get_data(as_text=True))
        assert metrics[("kavalu_queue_depth", (("queue", "scoring"),))] == 3
        assert metrics[("kavalu_queue_oldest_message_age_seconds", (("queue", "scoring"),))] >= 30
        scoring = client.get("/v1/ops/queues", headers=bearer(token)).get_json()["queues"][SCORING_QUEUE]
        assert scoring["depth"] == 3 and scoring["oldest_age_seconds"] >= 30
        sign_in(client, token)
        assert "<tr><td>scoring</td><td>3</td>" in client.get("/console/ops").get_data(as_text=True)
        assert _queued_for_scoring(own) == 3
    finally:
        broker.delete(*QUEUES)


def test_rate_limits_per_author_ip_and_publisher(database, publisher, other_publisher):
    limited = create_app(
        Settings.from_env(
            {**os.environ, "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "3/minute", "KAVALU_RATE_LIMIT_PER_PUBLISHER": "5/minute"}
        )
    ).test_client()
    statuses = [post_comment(limited, publisher, comment(comment_id=f"ip-{n}")).status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]
    refused = post_comment(limited, publisher, comment(comment_id="ip-x"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["errors"][0]["code"] == "rate_limited"
    # Another author IP still gets through until the publisher's own allowance is spent.
    other_ip = [
        post_comment(limited, publisher, comment(comment_id=f"p-{n}", author__ip=f"198.51.100.{n}")).status_code
        for n in range(3)
    ]
    assert other_ip == [202, 202, 429]  # 5 per publisher per minute; refused requests don't count
    assert post_comment(limited, other_publisher, comment(comment_id="o-1", author__ip="192.0.2.1")).status_code == 202


def test_unsigned_requests_do_not_spend_a_publishers_allowance(publisher):
    limited = create_app(Settings.from_env({**os.environ, "KAVALU_RATE_LIMIT_PER_PUBLISHER": "2/minute"})).test_client()
    raw = json.dumps(comment()).encode()
    forged = signed_headers(publisher, raw)
    forged["X-Kavalu-Signature"] = "t=1,v1=00"
    for _ in range(5):
        assert limited.post("/v1/comments", data=raw, headers=forged).status_code == 401
    assert post_comment(limited, publisher, comment()).status_code == 202


def test_ops_queues_is_for_admins_and_shows_workers(worker_client, celery_worker, database, publisher):
    from tests.review_support import bearer, make_moderator

    _, moderator_token = make_moderator(database, role="moderator")
    _, admin_token = make_moderator(database, role="admin")
    assert worker_client.get("/v1/ops/queues").status_code == 401
    assert worker_client.get("/v1/ops/queues", headers=bearer(moderator_token)).status_code == 403
    response = worker_client.get("/v1/ops/queues", headers=bearer(admin_token))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["queues"]) == {"scoring", "deliveries", "maintenance", "analyze"}
    assert all(queue["depth"] >= 0 for queue in body["queues"].values())
    assert any(name.startswith("test-") for name in body["workers"]), body
    assert body["review_queue_size"] == {"general": 0, "legal": 0}


def test_decision_latency_is_read_from_the_store_for_the_last_hour(client, database, publisher):
    """The console's latency figures come from the decisions themselves, so that they are there where the
    workers' metric files are not (other pods); human decisions and decisions older than an hour don't count."""
    from service.models import CommentRevision, Decision
    from service.ops.overview import decision_latency
    from tests.console_support import sign_in
    from tests.review_support import make_moderator, make_review_comment

    now = utcnow()
    ids = [make_review_comment(client, database, publisher, f"c-{n}") for n in range(5)]
    with database.session() as session:
        # received, decided: 2 s, 4 s, 6 s, 40 s after receipt; the fifth an hour and a half ago
        for comment_id, (received_ago, latency) in zip(ids, [(60, 2), (60, 4), (60, 6), (100, 40), (5400, 1)]):
            session.execute(
                CommentRevision.__table__.update()
                .where(CommentRevision.comment_id == comment_id)
                .values(created_at=now - timedelta(seconds=received_ago))
            )
            session.execute(
                Decision.__table__.update()
                .where(Decision.comment_id == comment_id)
                .values(decided_at=now - timedelta(seconds=received_ago - latency))
            )
        session.add(
            Decision(
                comment_id=ids[0], publisher_id=publisher.id, revision=1, status="approved",
                decided_by="human", actor="mod", reasons=[], scores={}, policy_version=1,
                decided_at=now,
            )
        )  # fmt: skip
    with database.session() as session:
        figures = decision_latency(session, now=now)
    assert figures["count"] == 4
    assert figures["mean_seconds"] == pytest.approx(13.0, abs=0.01)
    assert figures["p50_seconds"] == pytest.approx(4.0, abs=0.01)
    assert figures["p95_seconds"] == pytest.approx(40.0, abs=0.01)
    _admin, token = make_moderator(database, "admin")
    sign_in(client, token)
    page = client.get("/console/ops").get_data(as_text=True)
    assert 'id="latency-count">4<' in page and 'id="latency-p95">40.0 s<' in page
    api = client.get("/v1/ops/queues", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["decision_latency"]["count"] == 4 and api["decision_latency"]["p50_seconds"] == pytest.approx(
        4.0, abs=0.1
    )


def test_decision_latency_is_empty_without_decisions(database):
    from service.ops.overview import decision_latency

    with database.session() as session:
        assert decision_latency(session) == {
            "window_seconds": 3600, "count": 0, "mean_seconds": None, "p50_seconds": None, "p95_seconds": None
        }  # fmt: skip
