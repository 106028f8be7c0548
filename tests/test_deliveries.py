"""Callbacks to publishers and the pull feed.

The schedule and the hardening are tested with an injected clock, jitter
source and resolver; delivery itself against real HTTP receivers on loopback
and a real Celery worker (with beat) that retries from the database.
"""

from __future__ import annotations

import json
import os
import random
import time
from contextlib import contextmanager
from datetime import timedelta
from itertools import pairwise

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import text

from service.cli.main import cli
from service.config import Settings
from service.decisions.record import record_decision
from service.delivery.attempts import AttemptResult, attempt_delivery
from service.delivery.destinations import RefusedDestination, check_destination
from service.delivery.dispatch import claim_due_events, due_events
from service.delivery.redelivery import attempts_of, failed_events, redeliver
from service.delivery.retry import DeliveryConfig, RetryPolicy
from service.intake import comments
from service.intake.schemas import CommentSubmissionSchema
from service.models import Comment, DeliveryAttempt, OutboundEvent, Publisher, utcnow
from service.task_names import DISPATCH_LOCK_ID
from service.taskqueue import TaskQueue
from tests.conftest import DELIVERY_BROKER
from tests.helpers import comment, error_codes, get_signed
from tests.processes import free_port, start_celery_worker, stop_process, wait_until
from tests.receiver import Receiver

REASONS = [{"code": "toxicity", "score": 0.93, "threshold": 0.8}]


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def receivers():
    made = []

    def make(**kw) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def set_callback(database, publisher_id: str, url: str) -> None:
    with database.session() as session:
        session.get(Publisher, publisher_id).callback_url = url


def decide(
    database, publisher_id: str, external_id: str = "c-1", status: str = "approved", enqueue=None, now=None
) -> str:
    """A stored comment and a decision on it; returns the outbound event id (None for a non-final decision)."""
    with database.session() as session:
        publisher = session.get(Publisher, publisher_id)
        data = CommentSubmissionSchema().load(comment(comment_id=external_id))
        result = comments.submit(session, publisher, data, lambda _id: None, now=now)
        stored = session.get(Comment, getattr(result, "comment_id", None) or result.comment.id)
        decision = record_decision(
            session,
            stored,
            status=status,
            decided_by="auto",
            reasons=REASONS if status == "rejected" else [],
            scores={"toxicity": 0.93 if status == "rejected" else 0.01},
            policy_version=publisher.policy_version,
            enqueue_delivery=enqueue,
            now=now,
        )
        session.flush()
        event = session.query(OutboundEvent).filter_by(decision_id=decision.id).one_or_none()
        return event.id if event else None


def event_row(database, event_id: str) -> OutboundEvent:
    with database.session() as session:
        return session.get(OutboundEvent, event_id)


def attempts(database, event_id: str) -> list[DeliveryAttempt]:
    with database.session() as session:
        return attempts_of(session, event_id)


def attempt(database, event_id: str, **kw) -> AttemptResult:
    with database.session() as session:
        return attempt_delivery(session, event_id, **kw)


FAST = DeliveryConfig(connect_timeout_s=1, read_timeout_s=0.5, block_private=False)


# --- the schedule -------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [lambda: 0.0, lambda: 0.999999, random.Random(7).random, random.Random(99).random])
def test_schedule_retries_for_at_least_a_day_with_bounded_steps(draw):
    policy = RetryPolicy()  # production defaults: 10 s base, 1 h cap, 24 h window
    offsets = policy.simulate(draw)
    gaps = [b - a for a, b in pairwise(offsets)]
    assert offsets[-1] >= 24 * 3600
    assert offsets[-1] <= 24 * 3600 + 3600  # the last step overshoots by at most one cap
    assert 10 <= gaps[0] <= 20  # the first retry comes after about 10 s
    assert all(10 <= gap <= 3600 for gap in gaps)
    assert len(offsets) < 10_000


def test_jitter_stays_within_its_bounds_and_spreads():
    policy, rng = RetryPolicy(), random.Random(3)
    for failures in range(1, 30):
        ceiling = min(3600, 10 * 2**failures)
        draws = [policy.delay_s(failures, rng.random) for _ in range(200)]
        assert all(10 <= d <= ceiling for d in draws)
        if ceiling > 20:
            assert max(draws) - min(draws) > (ceiling - 10) / 4  # actually jittered, not lock-step


def test_the_window_decides_when_an_event_fails():
    policy, start = RetryPolicy(), utcnow()
    assert policy.next_attempt_at(start, start + timedelta(hours=23, minutes=59), 40, lambda: 0.5) is not None
    assert policy.next_attempt_at(start, start + timedelta(hours=24), 40, lambda: 0.5) is None


# --- hardening ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "2002:0a00:0001::1",
    ],
)
def test_private_and_special_addresses_are_refused(address):
    with pytest.raises(RefusedDestination):
        check_destination("https://hooks.example/x", lambda host, port: [address])


def test_public_addresses_pass_and_one_private_answer_refuses_the_host():
    check_destination(
        "https://hooks.example/x", lambda host, port: ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    )
    with pytest.raises(RefusedDestination):
        check_destination("https://hooks.example/x", lambda host, port: ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(RefusedDestination):
        check_destination("ftp://hooks.example/x", lambda host, port: ["93.184.216.34"])

    def no_such_host(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(RefusedDestination):
        check_destination("https://nowhere.invalid/x", no_such_host)


def test_a_refused_destination_is_a_failed_attempt_and_is_retried(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id)
    result = attempt(database, event_id, config=DeliveryConfig(block_private=True))  # the real resolver: 127.0.0.1
    assert result.outcome == "retry" and result.error.startswith("refused: ")
    assert receiver.requests == []
    event = event_row(database, event_id)
    assert event.status == "pending" and event.attempts == 1 and event.next_attempt_at > utcnow()
    [row] = attempts(database, event_id)
    assert row.status_code is None and "loopback" in row.error


def test_an_address_that_changed_after_the_check_is_refused_at_connect(database, publisher, receivers):
    """DNS rebinding: the check saw a public address, the connection went to loopback."""
    receiver = receivers(secret=publisher.secret)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id)
    result = attempt(
        database, event_id, config=DeliveryConfig(block_private=True), resolve=lambda host, port: ["93.184.216.34"]
    )
    assert (result.outcome, result.status_code) == ("retry", None)
    assert result.error == "refused: connected to a non-public address"
    assert receiver.requests == []


def test_redirects_are_not_followed(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret, redirect=True)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id)
    result = attempt(database, event_id, config=FAST)
    assert (result.outcome, result.status_code, result.error) == ("retry", 302, "redirect_not_followed")
    assert receiver.paths == ["/hook"]  # nothing went to the Location


def test_a_timeout_and_a_refused_connection_are_failed_attempts(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret, hang_s=3)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id)
    started = time.monotonic()
    result = attempt(database, event_id, config=FAST)
    assert time.monotonic() - started < 2.5
    assert (result.outcome, result.status_code, result.error) == ("retry", None, "timeout")

    set_callback(database, publisher.id, f"http://127.0.0.1:{free_port()}/hook")
    result = attempt(database, event_id, config=FAST, now=event_row(database, event_id).next_attempt_at)
    assert (result.outcome, result.error) == ("retry", "connection_refused")
    assert [a.error for a in attempts(database, event_id)] == ["timeout", "connection_refused"]


# --- one attempt: signing, idempotency, locking, the end of the schedule -----------------------------


def test_an_attempt_is_signed_as_in_the_contract(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id, status="rejected")
    result = attempt(database, event_id, config=FAST)
    assert (result.outcome, result.status_code) == ("delivered", 200)
    [request] = receiver.requests
    assert request["signature_ok"]
    headers = request["headers"]
    assert headers["X-Kavalu-Publisher"] == publisher.id
    assert headers["X-Kavalu-Event"] == "comment.decided"
    assert headers["X-Kavalu-Delivery"] == result.delivery_id
    assert headers["Content-Type"].startswith("application/json")
    body = request["body"]
    assert body["event_id"] == event_id and body["type"] == "comment.decided"
    assert (
        body["data"]["status"] == "rejected"
        and body["data"]["comment_id"] == "c-1"
        and body["data"]["reasons"] == REASONS
    )
    event = event_row(database, event_id)
    assert event.status == "delivered" and event.attempts == 1 and event.last_status_code == 200
    [row] = attempts(database, event_id)
    assert row.delivery_id == result.delivery_id and row.status_code == 200 and row.latency_ms >= 0


def test_attempts_are_idempotent(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret, fail_first=1)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id)
    assert attempt(database, "evt_missing", config=FAST).outcome == "missing"
    assert attempt(database, event_id, config=FAST).outcome == "retry"
    assert attempt(database, event_id, config=FAST).outcome == "not_due"  # a late duplicate of the first task
    assert attempt(database, event_id, config=FAST, expected_attempts=0).outcome == "stale"  # an old dispatch
    due = event_row(database, event_id).next_attempt_at
    assert attempt(database, event_id, config=FAST, now=due, expected_attempts=1).outcome == "delivered"
    assert attempt(database, event_id, config=FAST, now=due + timedelta(hours=1)).outcome == "already_delivered"
    assert len(receiver.requests) == 2 and len(attempts(database, event_id)) == 2


def test_a_row_being_delivered_is_skipped_by_a_second_worker(database, publisher):
    set_callback(database, publisher.id, "http://127.0.0.1:9/hook")
    event_id = decide(database, publisher.id)
    with database.session() as holder:
        holder.get(OutboundEvent, event_id, with_for_update=True)  # another worker's attempt in flight
        assert attempt(database, event_id, config=FAST).outcome == "busy"
        with database.session() as session:
            assert claim_due_events(session, utcnow()) == []
    assert attempts(database, event_id) == []


def test_failed_when_the_schedule_is_spent_then_redelivered(database, publisher, receivers):
    receiver = receivers(secret=publisher.secret, tolerance_s=10**9)
    set_callback(database, publisher.id, receiver.url)
    start = utcnow()
    event_id = decide(database, publisher.id, now=start)
    rng, now, outcome = random.Random(5).random, start, None
    for _ in range(500):
        result = attempt(database, event_id, http_post=lambda *a: 503, now=now, rng=rng, config=FAST)
        outcome = result.outcome
        if outcome == "failed":
            break
        assert outcome == "retry"
        now = result.next_attempt_at
    assert outcome == "failed"
    assert now - start >= timedelta(hours=24)
    event = event_row(database, event_id)
    assert event.status == "failed" and event.last_status_code == 503 and event.last_error == "http_503"
    assert len(attempts(database, event_id)) == event.attempts
    assert attempt(database, event_id, now=now + timedelta(days=1)).outcome == "already_failed"

    with database.session() as session:
        assert [e["event_id"] for e in failed_events(session)] == [event_id]
        assert failed_events(session, publisher_id="pub_other") == []
        redeliver(session, event_id, now=now)
    result = attempt(database, event_id, config=FAST, now=now)
    assert result.outcome == "delivered"
    assert [r["body"]["event_id"] for r in receiver.requests] == [event_id]

    # After a redelivery the series starts again: a failure is retried, not failed at once.
    with database.session() as session:
        redeliver(session, event_id, now=now)
    assert attempt(database, event_id, http_post=lambda *a: 500, now=now, config=FAST).outcome == "retry"


def test_dispatch_takes_turns_between_publishers_and_leases_what_it_takes(database, publisher, other_publisher):
    now = utcnow()
    for keys in (publisher, other_publisher):
        set_callback(database, keys.id, "http://127.0.0.1:9/hook")
    busy = [decide(database, publisher.id, external_id=f"c-{i}", now=now - timedelta(minutes=10 - i)) for i in range(5)]
    quiet = decide(database, other_publisher.id, external_id="o-1", now=now - timedelta(minutes=1))
    with database.session() as session:
        assert due_events(session, now, per_publisher=2) == [busy[0], quiet, busy[1]]
        claimed = claim_due_events(session, now, per_publisher=2, lease_s=60)
    assert claimed == [(busy[0], 0), (quiet, 0), (busy[1], 0)]
    with database.session() as session:
        assert due_events(session, now, per_publisher=2) == [busy[2], busy[3]]
        later = due_events(session, now + timedelta(seconds=61), limit=10)
        assert later[:4] == [busy[2], quiet, busy[3], busy[4]] and set(later[4:]) == {busy[0], busy[1]}  # leases lapsed


def test_a_publisher_without_a_callback_url_fails_at_once_and_reads_the_feed(client, database, publisher):
    """Its events are failed (no_callback_url) when decided and never enqueued; the feed has the decision."""
    enqueued = []
    event_id = decide(database, publisher.id, enqueue=enqueued.append)
    event = event_row(database, event_id)
    assert (event.status, event.last_error, event.attempts, enqueued) == ("failed", "no_callback_url", 0, [])
    assert [d["comment_id"] for d in feed(client, publisher).get_json()["data"]] == ["c-1"]
    # A URL set later: `redeliver` sends the event. A URL removed after an event was made: its attempt fails at once.
    set_callback(database, publisher.id, "http://127.0.0.1:9/hook")
    with database.session() as session:
        redeliver(session, event_id)
    set_callback(database, publisher.id, None)
    result = attempt(database, event_id, config=FAST)
    assert (result.outcome, result.error, result.attempted) == ("failed", "no_callback_url", False)
    assert event_row(database, event_id).attempts == 0 and attempts(database, event_id) == []


def test_a_decision_that_is_not_final_makes_no_event(database, publisher):
    assert decide(database, publisher.id, status="review") is None


# --- the pull feed ------------------------------------------------------------------------------


def feed(client, keys, query: str = ""):
    return get_signed(client, keys, f"/v1/decisions{query}")


def test_the_feed_lists_final_decisions_oldest_first_with_a_cursor(client, database, publisher, other_publisher):
    mine = [decide(database, publisher.id, "c-1", "approved"), decide(database, publisher.id, "c-2", "rejected")]
    decide(database, publisher.id, "c-3", "review")
    decide(database, other_publisher.id, "c-1", "rejected")
    mine.append(decide(database, publisher.id, "c-4", "approved"))

    response = feed(client, publisher)
    assert response.status_code == 200
    page = response.get_json()
    assert [item["comment_id"] for item in page["data"]] == ["c-1", "c-2", "c-4"]
    assert page["has_more"] is False
    # Each item carries what the callback's data carried.
    with database.session() as session:
        payloads = [session.get(OutboundEvent, event_id).payload["data"] for event_id in mine]
    for item, data in zip(page["data"], payloads):
        for key in ("id", "comment_id", "revision", "status", "decided_by", "reasons", "scores", "language"):
            assert item[key] == data[key]
        assert item["decided_at"][:19] == data["decided_at"][:19]

    first = feed(client, publisher, "?limit=2").get_json()
    assert [i["comment_id"] for i in first["data"]] == ["c-1", "c-2"] and first["has_more"] is True
    second = feed(client, publisher, f"?limit=2&after={first['next']}").get_json()
    assert [i["comment_id"] for i in second["data"]] == ["c-4"] and second["has_more"] is False
    empty = feed(client, publisher, f"?after={second['next']}").get_json()
    assert empty["data"] == [] and empty["next"] == second["next"]

    theirs = feed(client, other_publisher).get_json()["data"]
    assert [(i["comment_id"], i["status"]) for i in theirs] == [("c-1", "rejected")]
    assert {i["id"] for i in theirs}.isdisjoint({i["id"] for i in page["data"]})


def test_the_feed_needs_a_signature(client, publisher):
    assert client.get("/v1/decisions").status_code == 401
    wrong = get_signed(client, type(publisher)(publisher.id, "whsec_wrong"), "/v1/decisions")
    assert wrong.status_code == 401 and error_codes(wrong) == {(None, "invalid_signature")}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?after=abc", ("after", "invalid_cursor")),
        ("?after=-1", ("after", "invalid_cursor")),
        ("?after=99999999999999999999", ("after", "invalid_cursor")),
        ("?after=" + "1" * 70, ("after", "invalid_cursor")),
        ("?limit=0", ("limit", "invalid_limit")),
        ("?limit=501", ("limit", "invalid_limit")),
        ("?limit=ten", ("limit", "invalid_limit")),
        ("?limit=", ("limit", "invalid_limit")),
    ],
)
def test_a_bad_query_is_a_400_in_the_error_shape(client, publisher, query, expected):
    response = feed(client, publisher, query)
    assert response.status_code == 400
    assert expected in error_codes(response)


def test_the_feed_is_in_the_openapi_document(client):
    spec = client.get("/openapi.json").get_json()
    path = spec["paths"]["/v1/decisions"]
    operation = path["get"]
    names = {p["name"] for p in operation.get("parameters", []) + path.get("parameters", [])}
    assert names >= {"after", "limit", "X-Kavalu-Publisher", "X-Kavalu-Signature"}
    assert {"200", "400", "401"} <= set(operation["responses"])


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_lists_and_redelivers(database, publisher, queue_redis):
    set_callback(database, publisher.id, "http://127.0.0.1:9/hook")
    event_id = decide(database, publisher.id)
    delivered = decide(database, publisher.id, external_id="c-2")
    with database.session() as session:
        session.get(OutboundEvent, event_id).status = "failed"
        session.get(OutboundEvent, delivered).status = "delivered"
    runner = CliRunner()
    listed = runner.invoke(cli, ["deliveries", "list", "--status", "failed", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["event_id"] for line in listed.output.splitlines()] == [event_id]
    assert runner.invoke(cli, ["deliveries", "list", "--publisher", "pub_nobody"]).exit_code == 0

    result = runner.invoke(cli, ["deliveries", "redeliver", event_id])
    assert result.exit_code == 0, result.output
    assert event_row(database, event_id).status == "pending"
    messages = [json.loads(raw)["headers"] for raw in queue_redis.lrange("deliveries", 0, -1)]
    assert [(m["task"], m["argsrepr"]) for m in messages] == [("kavalu.deliver_event", repr([event_id]))]

    with database.session() as session:
        session.get(OutboundEvent, event_id).status = "failed"
    result = runner.invoke(cli, ["deliveries", "redeliver", "--all-failed"])
    assert result.exit_code == 0 and event_id in result.output
    assert runner.invoke(cli, ["deliveries", "redeliver", "evt_nope"]).exit_code != 0
    assert runner.invoke(cli, ["deliveries", "redeliver"]).exit_code != 0


# --- real processes: a Celery worker with beat, real receivers --------------------------------------


@pytest.fixture(scope="module")
def delivery_worker(migrated_database, tmp_path_factory):
    """A worker (and beat) with short delays: base 0.2 s, cap 0.5 s, read timeout 1.5 s, dispatch every 0.3 s."""
    env = {
        **os.environ,
        "BROKER_URL": DELIVERY_BROKER,
        "KAVALU_PRELOAD_MODELS": "false",
        "KAVALU_DELIVERY_BASE_DELAY_S": "0.2",
        "KAVALU_DELIVERY_MAX_DELAY_S": "0.5",
        "KAVALU_DELIVERY_CONNECT_TIMEOUT_S": "1",
        "KAVALU_DELIVERY_READ_TIMEOUT_S": "1.5",
        "KAVALU_DELIVERY_DISPATCH_INTERVAL_S": "0.3",
    }
    redis.Redis.from_url(DELIVERY_BROKER).flushdb()
    folder = tmp_path_factory.mktemp("delivery-worker")
    env["KAVALU_DATA_DIR"] = str(folder)
    # Two processes, so one publisher's hanging endpoint holds at most one of them.
    process = start_celery_worker(env, folder / "worker.log", queues="deliveries", beat=True, concurrency=2)
    yield TaskQueue(Settings.from_env(env))
    stop_process(process)
    redis.Redis.from_url(DELIVERY_BROKER).flushdb()


def wait_for_status(database, event_id: str, status: str, timeout: float = 30) -> OutboundEvent:
    return wait_until(
        lambda: (e := event_row(database, event_id)).status == status and e,
        timeout,
        message=f"event {event_id} {status}",
    )


def test_worker_delivers_once_after_failures_with_valid_signatures(delivery_worker, database, publisher, receivers):
    receiver = receivers(secret=publisher.secret, fail_first=2)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id, enqueue=delivery_worker.enqueue_delivery)
    event = wait_for_status(database, event_id, "delivered")
    time.sleep(1.5)  # several dispatch rounds: nothing is sent again once acknowledged

    assert [r["answer"] for r in receiver.requests] == [500, 500, 200]
    assert len(receiver.accepted()) == 1
    assert {r["body"]["event_id"] for r in receiver.requests} == {event_id}
    assert all(r["signature_ok"] for r in receiver.requests)
    delivery_ids = [r["headers"]["X-Kavalu-Delivery"] for r in receiver.requests]
    assert len(set(delivery_ids)) == 3
    rows = attempts(database, event_id)
    assert [(a.delivery_id, a.status_code) for a in rows] == list(zip(delivery_ids, [500, 500, 200]))
    assert all(a.latency_ms is not None for a in rows)
    event = event_row(database, event_id)
    assert event.attempts == 3 and event.delivered_at is not None


def test_worker_delivers_to_a_receiver_that_was_down_and_came_back(delivery_worker, database, publisher, receivers):
    port = free_port()
    set_callback(database, publisher.id, f"http://127.0.0.1:{port}/hook")
    event_id = decide(database, publisher.id, enqueue=delivery_worker.enqueue_delivery)
    wait_until(lambda: len(attempts(database, event_id)) >= 2, 30, message="two refused attempts")
    assert event_row(database, event_id).status == "pending"
    assert {a.error for a in attempts(database, event_id)} == {"connection_refused"}

    receiver = receivers(secret=publisher.secret, port=port)
    wait_for_status(database, event_id, "delivered")
    time.sleep(1)
    assert len(receiver.requests) == 1 and receiver.requests[0]["signature_ok"]
    assert receiver.requests[0]["body"]["event_id"] == event_id


def test_a_commit_lost_after_the_publishers_2xx_is_written_down_and_not_sent_again(
    delivery_worker, database, publisher, receivers
):
    """The database drops the worker's connection while the publisher answers (as a restart does):
    the commit fails, the worker records the 2xx in a new session, and the event is not sent again."""
    terminated: list[int] = []

    def drop_the_workers_transaction():
        # The worker waits for this answer inside its transaction, holding the event's row lock (an xid).
        with database.engine.connect() as connection:
            terminated.extend(
                connection.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
                        " AND backend_xid IS NOT NULL AND pg_terminate_backend(pid)"
                    )
                )
            )

    receiver = receivers(secret=publisher.secret, before_answer=drop_the_workers_transaction)
    set_callback(database, publisher.id, receiver.url)
    event_id = decide(database, publisher.id, enqueue=delivery_worker.enqueue_delivery)
    event = wait_for_status(database, event_id, "delivered")
    time.sleep(1.5)  # several dispatch rounds: a pending event would be sent again within them

    assert terminated, "no worker transaction was open during the POST"
    assert len(receiver.requests) == 1 and receiver.requests[0]["body"]["event_id"] == event_id
    rows = attempts(database, event_id)
    assert [(a.delivery_id, a.status_code) for a in rows] == [
        (receiver.requests[0]["headers"]["X-Kavalu-Delivery"], 200)
    ]
    assert event.attempts == 1 and event.delivered_at is not None


def test_a_hanging_publisher_does_not_hold_up_another(delivery_worker, database, publisher, other_publisher, receivers):
    hanging = receivers(secret=publisher.secret, hang_s=20)
    healthy = receivers(secret=other_publisher.secret)
    set_callback(database, publisher.id, hanging.url)
    set_callback(database, other_publisher.id, healthy.url)
    stuck = decide(database, publisher.id, external_id="slow-1", enqueue=delivery_worker.enqueue_delivery)
    wait_until(lambda: hanging.requests, 20, message="the hanging endpoint to be called")
    fine = decide(database, other_publisher.id, external_id="fast-1", enqueue=delivery_worker.enqueue_delivery)
    started = time.monotonic()
    wait_for_status(database, fine, "delivered", timeout=15)
    assert time.monotonic() - started < 10
    assert len(healthy.accepted()) == 1
    wait_until(lambda: any(a.error == "timeout" for a in attempts(database, stuck)), 15, message="a timed-out attempt")
    assert event_row(database, stuck).status == "pending"


def test_the_feed_matches_what_the_worker_delivered(delivery_worker, client, database, publisher, receivers):
    receiver = receivers(secret=publisher.secret)
    set_callback(database, publisher.id, receiver.url)
    events = [
        decide(
            database,
            publisher.id,
            f"c-{i}",
            "rejected" if i % 2 else "approved",
            enqueue=delivery_worker.enqueue_delivery,
        )
        for i in range(4)
    ]
    for event_id in events:
        wait_for_status(database, event_id, "delivered")
    fed = feed(client, publisher).get_json()["data"]
    by_event = {r["body"]["event_id"]: r["body"]["data"] for r in receiver.requests}
    called_back = [by_event[e] for e in events]
    assert [(i["id"], i["comment_id"], i["status"]) for i in fed] == [
        (d["id"], d["comment_id"], d["status"]) for d in called_back
    ]


@contextmanager
def dispatcher_held_off(database):
    """Hold the dispatcher's advisory lock, as another beat's dispatcher would: the worker's dispatch rounds find
    it taken and send nothing, so only the tasks a test sends deliver (the dispatcher runs every 0.3 s here and
    would otherwise race them for the same due events)."""
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": DISPATCH_LOCK_ID})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": DISPATCH_LOCK_ID})


def test_a_scoring_batch_delivers_one_publishers_events_in_one_task_and_stops_at_a_failure(
    delivery_worker, database, publisher, receivers
):
    receiver = receivers(secret=publisher.secret)
    set_callback(database, publisher.id, receiver.url)
    with dispatcher_held_off(database):
        events = [decide(database, publisher.id, f"batch-{i}") for i in range(3)]
        delivery_worker.celery.send_task("kavalu.deliver_events", args=[events], retry=False)
        for event_id in events:
            wait_for_status(database, event_id, "delivered")
    assert [r["body"]["event_id"] for r in receiver.requests] == events
    assert all(r["signature_ok"] for r in receiver.requests)

    failing = receivers(secret=publisher.secret, fail_first=1)
    set_callback(database, publisher.id, failing.url)
    with dispatcher_held_off(database):
        later = [decide(database, publisher.id, f"later-{i}") for i in range(3)]
        delivery_worker.celery.send_task("kavalu.deliver_events", args=[later], retry=False)
        wait_until(lambda: failing.requests, 15, message="the batch's first attempt")
        time.sleep(0.5)  # the batch has stopped at the failure: nothing else arrives while the dispatcher waits
        assert len(failing.requests) == 1
    for event_id in later:  # the dispatcher picks up the two that were left, and the retry
        wait_for_status(database, event_id, "delivered")
    assert failing.requests[0]["body"]["event_id"] == later[0] and failing.requests[0]["answer"] == 500
    assert sorted(r["body"]["event_id"] for r in failing.accepted()) == sorted(later)
