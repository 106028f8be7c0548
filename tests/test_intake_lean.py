"""The lean intake path (service.intake.lean, service.publishers.cache): one statement for a new comment from a
publisher this process has cached, with the contract's answers unchanged.

Every test warms the cache first (a comment from the same publisher), so the request under test takes the
cached path; the cache is checked to be warm where it matters.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import psycopg
import pytest
import redis
from sqlalchemy import select

from service.app import create_app
from service.config import Settings
from service.db import Database
from service.intake import comments as comments_service
from service.models import Comment, CommentRevision, SenderDetails
from service.publishers import accounts
from service.taskqueue import WAKE_KEY
from tests.helpers import PublisherKeys, comment, create_publisher, error_codes, post_comment, signed_headers
from tests.servers import PG_BIN, PrivatePostgres, PrivateRedis, _as_postgres
from tests.test_intake import scoring_messages, settle_wakes


def _warm(client, keys: PublisherKeys) -> None:
    assert post_comment(client, keys, comment(comment_id=f"warm-{time.monotonic_ns()}")).status_code == 202
    assert client.application.extensions["kavalu.publishers"].get(keys.id) is not None


class StatementCounter:
    """Every statement sent through psycopg while it is active, from SQLAlchemy or straight on a pooled
    connection, with whether the connection was in autocommit (no BEGIN, no COMMIT). The pool's ping is not
    one: it is a bare protocol message."""

    def __init__(self):
        self.monkeypatch = pytest.MonkeyPatch()
        self.statements: list[str] = []
        self.autocommit: list[bool] = []

    def __enter__(self):
        execute = psycopg.Cursor.execute

        def recording(cursor, query, *args, **kwargs):
            self.statements.append(query if isinstance(query, str) else str(query))
            self.autocommit.append(cursor.connection.autocommit)
            return execute(cursor, query, *args, **kwargs)

        self.monkeypatch.setattr(psycopg.Cursor, "execute", recording)
        return self

    def __exit__(self, *exc):
        self.monkeypatch.undo()


def test_new_retry_and_edit_answer_as_the_contract_says(app, client, publisher, database, queue_redis):
    _warm(client, publisher)
    settle_wakes()
    queue_redis.delete(WAKE_KEY)  # a worker took the warm-up's wake: the next comment must wake one again
    engine = app.extensions["kavalu.db"].engine
    with StatementCounter() as counter:
        created = post_comment(client, publisher, comment(comment_id="lean-1"))
    assert created.status_code == 202
    body = created.get_json()
    assert body["status"] == "pending" and body["comment_id"] == "lean-1"
    assert body["links"]["self"] == f"/v1/comments/{body['id']}"
    # One database round trip for a new comment, with no BEGIN or COMMIT around it.
    assert len(counter.statements) == 1, counter.statements
    assert counter.statements[0].lstrip().startswith("WITH pub AS") and counter.autocommit == [True]
    with engine.connect() as connection:  # the pooled connection is back in transactional mode for the next request
        assert connection.connection.driver_connection.autocommit is False

    retry = post_comment(client, publisher, comment(comment_id="lean-1"))
    assert retry.status_code == 200
    assert retry.get_json()["id"] == body["id"] and retry.get_json()["status"] == "pending"
    assert retry.get_json()["revision"] == 1

    edit = post_comment(client, publisher, comment(comment_id="lean-1", text="Changed my mind about the talks."))
    assert edit.status_code == 202 and edit.get_json()["id"] == body["id"]

    with database.session() as session:
        stored = session.get(Comment, body["id"])
        assert stored.current_revision == 2 and stored.status == "pending"
        assert stored.author_email == "ravi@example.in" and stored.author_name == "Ravi"
        revisions = session.scalars(
            select(CommentRevision).where(CommentRevision.comment_id == body["id"]).order_by(CommentRevision.number)
        ).all()
        assert [r.text for r in revisions] == [comment()["text"], "Changed my mind about the talks."]
        assert [r.content_hash for r in revisions] == [
            comments_service.content_hash(comment()["text"]),
            comments_service.content_hash("Changed my mind about the talks."),
        ]
        senders = session.scalars(select(SenderDetails).where(SenderDetails.comment_id == body["id"])).all()
        assert sorted((s.revision, s.ip, s.user_agent) for s in senders) == [
            (1, "203.0.113.7", "Mozilla/5.0"),
            (2, "203.0.113.7", "Mozilla/5.0"),
        ]
    # The new comment woke scoring after it was stored (the edit did not need to: that wake was not taken yet).
    assert body["id"] in scoring_messages(queue_redis)


def test_a_retry_after_a_cold_start_is_answered_the_same(app, publisher, database):
    """A second API process (its own cache) answers a retry of a comment the first one stored."""
    first, second = app.test_client(), create_app(Settings.from_env()).test_client()
    created = post_comment(first, publisher, comment(comment_id="twice"))
    again = post_comment(second, publisher, comment(comment_id="twice"))
    assert created.status_code == 202 and again.status_code == 200
    assert again.get_json()["id"] == created.get_json()["id"]
    with database.session() as session:
        assert len(session.scalars(select(Comment).where(Comment.external_id == "twice")).all()) == 1


def test_client_errors_keep_their_answers_with_a_warm_cache(client, publisher):
    _warm(client, publisher)
    raw = json.dumps(comment(comment_id="bad-sig")).encode()
    forged = signed_headers(publisher, raw)
    forged["X-Kavalu-Signature"] = forged["X-Kavalu-Signature"][:-4] + "0000"
    refused = client.post("/v1/comments", data=raw, headers=forged)
    assert refused.status_code == 401 and refused.get_json()["errors"][0]["code"] == "invalid_signature"

    bad_json = b'{"comment_id": '
    malformed = client.post("/v1/comments", data=bad_json, headers=signed_headers(publisher, bad_json))
    assert malformed.status_code == 400 and malformed.get_json()["errors"][0]["code"] == "malformed_json"

    headers = signed_headers(publisher, raw)
    headers["Content-Type"] = "text/plain"
    assert client.post("/v1/comments", data=raw, headers=headers).status_code == 415

    big = json.dumps(comment(text="x" * 70_000)).encode()
    too_large = client.post("/v1/comments", data=big, headers=signed_headers(publisher, big))
    assert too_large.status_code == 413 and too_large.get_json()["errors"][0]["code"] == "body_too_large"

    invalid = post_comment(client, publisher, comment(comment_id="bad", author__email="nope", text=""))
    assert invalid.status_code == 422
    assert {("author.email", "invalid_email"), ("text", "text_required")} <= error_codes(invalid)

    not_an_object = json.dumps([1, 2]).encode()
    listed = client.post("/v1/comments", data=not_an_object, headers=signed_headers(publisher, not_an_object))
    assert listed.status_code == 422


def test_a_rotated_secret_verifies_at_once_despite_the_cache(client, publisher, database):
    _warm(client, publisher)
    with database.session() as session:
        rotation = accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))
    rotated = PublisherKeys(publisher.id, rotation.secret)
    assert post_comment(client, rotated, comment(comment_id="new-secret")).status_code == 202
    # The old secret is still in its grace.
    assert post_comment(client, publisher, comment(comment_id="old-secret")).status_code == 202


def test_a_revoked_secret_is_refused_at_once_despite_the_cache(client, publisher, database):
    _warm(client, publisher)
    with database.session() as session:
        rotation = accounts.rotate_secret(session, publisher.id, grace=None)  # `--now`
    refused = post_comment(client, publisher, comment(comment_id="after-revocation"))
    assert refused.status_code == 401 and refused.get_json()["errors"][0]["code"] == "invalid_signature"
    assert (
        post_comment(client, PublisherKeys(publisher.id, rotation.secret), comment(comment_id="n")).status_code == 202
    )
    with database.session() as session:
        stored = session.scalars(select(Comment.external_id).where(Comment.publisher_id == publisher.id)).all()
    assert "after-revocation" not in stored and "n" in stored


def test_an_expired_grace_is_refused_at_once_despite_the_cache(client, publisher, database):
    with database.session() as session:
        rotation = accounts.rotate_secret(session, publisher.id, grace=timedelta(seconds=2))
    _warm(client, publisher)  # with the old secret, in its grace: cached with its expiry
    time.sleep(2.1)
    assert post_comment(client, publisher, comment(comment_id="too-late")).status_code == 401
    assert post_comment(client, PublisherKeys(publisher.id, rotation.secret), comment()).status_code == 202


def test_a_policy_change_applies_at_once_despite_the_cache(client, app, publisher, database):
    _warm(client, publisher)
    with database.session() as session:
        accounts.set_policy(session, publisher.id, {"max_length": 10}, app.config["KAVALU_SETTINGS"].default_policy)
    refused = post_comment(client, publisher, comment(comment_id="long", text="more than ten characters"))
    assert refused.status_code == 422 and ("text", "text_too_long") in error_codes(refused)


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    server.start()
    try:
        from service.migrate import upgrade

        upgrade(Settings.from_env({**os.environ, "DATABASE_URL": server.url}))
        yield server
    finally:
        server.stop()


def _stop(server: PrivatePostgres) -> None:
    """Stop the private server and keep its data (PrivatePostgres.stop also removes it)."""
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop")


@pytest.mark.slow
def test_store_down_is_a_503_and_the_retry_stores_it_once(private_postgres):
    settings = Settings.from_env({**os.environ, "DATABASE_URL": private_postgres.url})
    database = Database(settings)
    try:
        keys = create_publisher(database, "Outage Daily")
        client = create_app(settings).test_client()
        _warm(client, keys)
        _stop(private_postgres)
        down = post_comment(client, keys, comment(comment_id="during-outage"))
        assert down.status_code == 503, down.get_data(as_text=True)
        assert down.get_json()["errors"][0]["code"] == "service_unavailable" and down.headers["Retry-After"]
        private_postgres.start()
        for _ in range(50):  # the API skips a store that timed out for a few seconds
            answer = post_comment(client, keys, comment(comment_id="during-outage"))
            if answer.status_code != 503:
                break
            time.sleep(0.2)
        assert answer.status_code == 202
        assert post_comment(client, keys, comment(comment_id="during-outage")).status_code == 200
        with database.session() as session:
            found = session.scalars(select(Comment).where(Comment.external_id == "during-outage")).all()
            assert len(found) == 1
    finally:
        database.dispose()


@pytest.mark.slow
def test_redis_down_loses_nothing_the_sweeper_enqueues_it(publisher, database, tmp_path):
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    try:
        settings = Settings.from_env({**os.environ, "BROKER_URL": redis_server.url, "REDIS_URL": redis_server.url})
        client = create_app(settings).test_client()
        _warm(client, publisher)
        redis_server.stop()
        started = time.monotonic()
        answers = [post_comment(client, publisher, comment(comment_id=f"no-redis-{n}")).status_code for n in range(3)]
        assert answers == [202, 202, 202]
        assert time.monotonic() - started < 5  # neither the limits nor the wake wait on the dead server
    finally:
        redis_server.stop()
    with database.session() as session:
        stored = set(
            session.scalars(
                select(Comment.id).where(Comment.external_id.startswith("no-redis-"), Comment.status == "pending")
            )
        )
        assert len(stored) == 3
        # What the sweeper enqueues once their enqueue is stale: all three.
        swept = comments_service.stranded_pending(session, stale_after_s=0.0)
    assert stored <= set(swept)


def test_both_rate_limits_cost_one_redis_round_trip(publisher, tmp_path):
    limits_redis = PrivateRedis(tmp_path)
    limits_redis.start()
    try:
        settings = Settings.from_env(
            {**os.environ, "REDIS_URL": limits_redis.url, "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "6/minute"}
        )
        client = create_app(settings).test_client()
        _warm(client, publisher)  # loads the counting script into this Redis
        stats = redis.Redis.from_url(limits_redis.url)
        stats.config_resetstat()
        answers = [post_comment(client, publisher, comment(comment_id=f"counted-{n}")).status_code for n in range(6)]
        commands = {
            name.removeprefix("cmdstat_"): figures["calls"]
            for name, figures in stats.info("commandstats").items()
            if name not in ("cmdstat_info", "cmdstat_config|resetstat")
        }
    finally:
        limits_redis.stop()
    # The warm-up and five more fit the limit of 6; the sixth is refused, and it too cost one round trip.
    assert answers == [202] * 5 + [429]
    # Redis counts the commands a script runs too: everything else the client sent is the six EVALSHAs.
    in_script = {"incr", "decr", "expire"}
    assert {name: calls for name, calls in commands.items() if name not in in_script} == {"evalsha": 6}, commands
    assert commands["incr"] == 12 and commands["decr"] == 2  # both counted each time; the refused one given back


def test_the_embedded_store_reads_the_publisher_for_every_request(tmp_path):
    """SQLite has no guarded statement: a revoked secret is refused at once there too."""
    from service.migrate import upgrade

    settings = Settings.from_env(
        {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.db'}", "KAVALU_DATA_DIR": str(tmp_path)}
    )
    upgrade(settings)
    database = Database(settings)
    try:
        keys = create_publisher(database, "Embedded Daily")
        client = create_app(settings).test_client()
        _warm(client, keys)
        assert post_comment(client, keys, comment(comment_id="e-1")).status_code == 202
        assert post_comment(client, keys, comment(comment_id="e-1")).status_code == 200
        with database.session() as session:
            rotation = accounts.rotate_secret(session, keys.id, grace=None)
        assert post_comment(client, keys, comment(comment_id="e-2")).status_code == 401
        assert (
            post_comment(client, PublisherKeys(keys.id, rotation.secret), comment(comment_id="e-2")).status_code == 202
        )
    finally:
        database.dispose()


def test_flask_limiter_skips_only_real_endpoints_that_no_limit_of_its_own_covers(app):
    """Flask-Limiter resolves limits for every request unless a filter exempts it; the exempt list names real
    endpoints (a renamed one would silently cost that work again) and none that a Flask-Limiter limit covers."""
    from flask_limiter.util import get_qualified_name

    from service.intake.ratelimit import UNLIMITED_ENDPOINTS, limiter

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= UNLIMITED_ENDPOINTS
    limited = set(limiter._marked_for_limiting)  # the qualified names of views with a @limiter.limit
    assert limited, "the API key and Coral routes carry Flask-Limiter limits"
    for endpoint in UNLIMITED_ENDPOINTS:
        assert get_qualified_name(app.view_functions[endpoint]) not in limited
    assert get_qualified_name(app.view_functions["coral.coral_phase"]) in limited  # the names compare as they should


def test_a_statement_the_store_cancels_is_a_503_and_the_connection_serves_the_retry(settings, publisher, database):
    """The new-comment statement runs on a pooled driver connection, outside SQLAlchemy's session: an error the
    store raises mid-statement (here its statement timeout, while another transaction locks the table) is still
    the API's 503 with Retry-After, nothing is stored, and the pool hands out a working connection for the
    retry."""
    import dataclasses

    app = create_app(dataclasses.replace(settings, api_statement_timeout_s=0.5))
    client = app.test_client()
    _warm(client, publisher)
    blocker = psycopg.connect(settings.database_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        blocker.execute("LOCK TABLE comments IN EXCLUSIVE MODE")  # reads pass, the INSERT waits
        started = time.monotonic()
        answer = post_comment(client, publisher, comment(comment_id="locked-out"))
        waited = time.monotonic() - started
    finally:
        blocker.rollback()
        blocker.close()
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.get_json()["errors"][0]["code"] == "service_unavailable" and answer.headers["Retry-After"]
    assert 0.4 < waited < 3.0  # the server's statement timeout, not the client's longer bound
    retry = post_comment(client, publisher, comment(comment_id="locked-out"))
    assert retry.status_code == 202
    with database.session() as session:
        assert len(session.scalars(select(Comment).where(Comment.external_id == "locked-out")).all()) == 1
    with app.extensions["kavalu.db"].engine.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False


def test_a_new_authors_address_is_parsed_once(client, publisher, database, monkeypatch):
    """The schema checks the address and the statement stores its normalised form: one email-validator parse."""
    import service.policy

    parses: list[str] = []
    validate = service.policy.validate_email

    def counting(address, **kwargs):
        parses.append(address)
        return validate(address, **kwargs)

    monkeypatch.setattr(service.policy, "validate_email", counting)
    service.policy._email_verdict.cache_clear()
    _warm(client, publisher)
    parses.clear()
    response = post_comment(client, publisher, comment(comment_id="new-author", author__email="Asha.Rao@Example.IN"))
    assert response.status_code == 202
    assert parses == ["Asha.Rao@Example.IN"]
    with database.session() as session:
        assert session.get(Comment, response.get_json()["id"]).author_email == "Asha.Rao@example.in"
