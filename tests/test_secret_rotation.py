"""Rotating a publisher's signing secret without downtime: a grace period for the old secret, in both directions."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from service.cli.main import cli
from service.config import Settings
from service.migrate import downgrade, upgrade
from service.models import AuditEvent, Publisher, utcnow
from service.publishers import accounts, signing
from service.taskqueue import TaskQueue
from tests.conftest import DELIVERY_BROKER
from tests.helpers import PublisherKeys, approve_new_comment, comment, get_signed, post_comment, signed_headers
from tests.processes import start_celery_worker, stop_process, wait_until
from tests.receiver import Receiver


def rotate(keys: PublisherKeys, *options: str) -> tuple[PublisherKeys, str]:
    """Run `kavalu publishers rotate-secret`; the new keys and what it printed."""
    result = CliRunner().invoke(cli, ["publishers", "rotate-secret", keys.id, *options], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return PublisherKeys(keys.id, re.search(r"signing_secret: (\S+)", result.output).group(1)), result.output


def end_grace(database, publisher_id: str) -> None:
    with database.session() as session:
        session.get(Publisher, publisher_id).previous_secret_expires_at = utcnow() - timedelta(seconds=1)


def posted(client, keys: PublisherKeys, external_id: str) -> int:
    return post_comment(client, keys, comment(comment_id=external_id)).status_code


# --- verifying requests --------------------------------------------------------------------------


def test_the_old_secret_is_accepted_during_the_grace_and_refused_after(client, database, publisher):
    new, _ = rotate(publisher)
    assert new.secret != publisher.secret
    assert posted(client, publisher, "c-old") == 202
    assert posted(client, new, "c-new") == 202
    # Every signed endpoint, not only intake.
    comment_id = post_comment(client, publisher, comment(comment_id="c-old")).get_json()["id"]
    assert get_signed(client, publisher, f"/v1/comments/{comment_id}").status_code == 200
    assert get_signed(client, publisher, "/v1/decisions").status_code == 200

    end_grace(database, publisher.id)
    refused = post_comment(client, publisher, comment(comment_id="c-late"))
    assert refused.status_code == 401
    assert [e["code"] for e in refused.get_json()["errors"]] == ["invalid_signature"]
    assert get_signed(client, publisher, f"/v1/comments/{comment_id}").status_code == 401
    assert get_signed(client, publisher, "/v1/decisions").status_code == 401
    assert posted(client, new, "c-late") == 202


def test_rotating_with_now_refuses_the_old_secret_at_once(client, database, publisher):
    new, output = rotate(publisher, "--now")
    assert "previous_secret: revoked" in output
    assert posted(client, publisher, "c-1") == 401
    assert posted(client, new, "c-1") == 202
    with database.session() as session:
        stored = session.get(Publisher, publisher.id)
        assert stored.sealed_previous_signing_secret is None and stored.previous_secret_expires_at is None


def test_a_second_rotation_inside_the_grace_retires_the_oldest_secret(client, publisher):
    second, _ = rotate(publisher)
    third, _ = rotate(second)
    assert posted(client, publisher, "c-1") == 401
    assert posted(client, second, "c-2") == 202
    assert posted(client, third, "c-3") == 202


def test_one_matching_v1_among_several_is_enough(client, publisher):
    raw = json.dumps(comment()).encode()
    headers = signed_headers(publisher, raw)
    valid = headers["X-Kavalu-Signature"]
    timestamp, good = valid.split(",")
    unrelated = signing.compute("whsec_someone-else", int(timestamp[2:]), raw)
    headers["X-Kavalu-Signature"] = f"{timestamp},v1={'0' * 64},v1={unrelated},{good}"
    assert client.post("/v1/comments", data=raw, headers=headers).status_code == 202
    headers["X-Kavalu-Signature"] = f"{timestamp},v1={'0' * 64},v1={unrelated}"
    assert client.post("/v1/comments", data=raw, headers=headers).status_code == 401


def test_verify_any_matches_any_value_under_any_secret():
    body, now = b'{"a":1}', 1_800_000_000
    header = signing.signature_header_for_secrets(["whsec_new", "whsec_old"], body, now)
    assert header.count("v1=") == 2 and header.startswith(f"t={now},v1=")
    assert signing.verify("whsec_new", body, header, now, 300)
    assert signing.verify("whsec_old", body, header, now, 300)
    assert signing.verify_any(["whsec_other", "whsec_old"], body, header, now, 300)
    assert not signing.verify_any(["whsec_other"], body, header, now, 300)
    assert not signing.verify_any([], body, header, now, 300)
    assert not signing.verify_any(["whsec_new"], body, header, now + 301, 300)
    assert not signing.verify_any(["whsec_new"], body + b" ", header, now, 300)


# --- the command ---------------------------------------------------------------------------------


def printed_expiry(output: str) -> datetime:
    return datetime.fromisoformat(re.search(r"previous_secret_valid_until: (\S+)", output).group(1))


def test_the_command_prints_until_when_the_old_secret_stays_valid(database, publisher):
    before = utcnow()
    _, output = rotate(publisher)
    expiry = printed_expiry(output)
    assert before + timedelta(hours=24) <= expiry <= utcnow() + timedelta(hours=24)
    with database.session() as session:
        stored = session.get(Publisher, publisher.id)
        current, previous = accounts.active_secrets(stored)
        assert previous == publisher.secret
        assert stored.previous_secret_expires_at == expiry
        rotated = session.query(AuditEvent).filter_by(publisher_id=publisher.id, action="secret_rotated").one()
        assert rotated.after == {"previous_valid_until": expiry.isoformat()}
        assert current not in json.dumps(rotated.after)
    listed = CliRunner().invoke(cli, ["publishers", "list", "--json"], catch_exceptions=False).output
    [row] = json.loads(listed)
    assert row["previous_secret_valid_until"] == expiry.isoformat() and publisher.secret not in listed

    for grace, seconds in [("90s", 90), ("15m", 900), ("7d", 7 * 86400)]:
        before = utcnow()
        _, output = rotate(publisher, "--grace", grace)
        expiry = printed_expiry(output)
        assert before + timedelta(seconds=seconds) <= expiry <= utcnow() + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "options", [["--grace", "24x"], ["--grace", "0s"], ["--grace", "31d"], ["--now", "--grace", "1h"]]
)
def test_the_command_refuses_a_bad_grace(database, publisher, options):
    result = CliRunner().invoke(cli, ["publishers", "rotate-secret", publisher.id, *options])
    assert result.exit_code != 0 and "signing_secret" not in result.output
    with database.session() as session:
        assert accounts.active_secrets(session.get(Publisher, publisher.id)) == [publisher.secret]


def test_parse_grace_reads_seconds_minutes_hours_and_days():
    assert [accounts.parse_grace(text) for text in ("90s", "15m", "24h", "7d", "2H")] == [
        timedelta(seconds=90),
        timedelta(minutes=15),
        timedelta(hours=24),
        timedelta(days=7),
        timedelta(hours=2),
    ]
    for bad in ("", "24", "h", "1.5h", "-1h", "1w", "0m", "31d"):
        with pytest.raises(accounts.PublisherError):
            accounts.parse_grace(bad)


def test_the_migration_downgrades_and_upgrades_again(tmp_path):
    settings = Settings.from_env({**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/kavalu.db"})

    def columns() -> set[str]:
        engine = create_engine(settings.database_url)
        try:
            return {column["name"] for column in inspect(engine).get_columns("publishers")}
        finally:
            engine.dispose()

    new_columns = {"previous_signing_secret", "previous_secret_expires_at"}
    upgrade(settings, "0006")
    assert new_columns <= columns()
    downgrade(settings, "0005")
    assert not new_columns & columns() and "signing_secret" in columns()
    upgrade(settings)
    assert {"sealed_signing_secret", "sealed_previous_signing_secret", "previous_secret_expires_at"} <= columns()


# --- signing callbacks -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def delivery_worker(migrated_database, tmp_path_factory):
    """A real delivery worker (no models) on its own broker DB; returns the API's task queue for it."""
    env = {**os.environ, "BROKER_URL": DELIVERY_BROKER, "KAVALU_PRELOAD_MODELS": "false"}
    redis.Redis.from_url(DELIVERY_BROKER).flushdb()
    folder = tmp_path_factory.mktemp("rotation-delivery-worker")
    env["KAVALU_DATA_DIR"] = str(folder)
    process = start_celery_worker(env, folder / "worker.log", queues="deliveries")
    yield TaskQueue(Settings.from_env(env))
    stop_process(process)
    redis.Redis.from_url(DELIVERY_BROKER).flushdb()


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(secret: str) -> Receiver:
        made.append(Receiver(secret=secret))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def delivered_to(database, keys: PublisherKeys, receiver: Receiver, external_id: str, queue: TaskQueue) -> dict:
    """Approve a new comment with `receiver` as the callback URL; the request the delivery worker made."""
    approve_new_comment(database, keys, external_id, receiver.url, queue.enqueue_delivery)
    [request] = wait_until(lambda: receiver.requests, 30, message=f"the callback for {external_id}")
    return request


def test_callbacks_during_the_grace_verify_with_the_old_and_the_new_secret(
    delivery_worker, database, publisher, receivers
):
    new, _ = rotate(publisher)
    with_old = delivered_to(database, publisher, receivers(publisher.secret), "c-1", delivery_worker)
    with_new = delivered_to(database, publisher, receivers(new.secret), "c-2", delivery_worker)
    assert with_old["signature_ok"] and with_new["signature_ok"]
    for request in (with_old, with_new):
        assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}", request["headers"]["X-Kavalu-Signature"])

    end_grace(database, publisher.id)
    after_old = delivered_to(database, publisher, receivers(publisher.secret), "c-3", delivery_worker)
    after_new = delivered_to(database, publisher, receivers(new.secret), "c-4", delivery_worker)
    assert not after_old["signature_ok"] and after_new["signature_ok"]
    assert after_new["headers"]["X-Kavalu-Signature"].count("v1=") == 1


def test_two_rotations_at_once_take_turns_and_neither_secret_is_lost(database, publisher):
    """Two operators rotate at the same moment: the second waits for the first, so the first's new secret is the
    previous one during the grace, not a secret handed out and never stored."""
    import threading
    from datetime import timedelta

    from service.models import Publisher
    from service.publishers import accounts

    second: dict = {}

    def rotate_second() -> None:
        with database.session() as session:
            second["rotation"] = accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))

    with database.session() as session:
        first = accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))
        thread = threading.Thread(target=rotate_second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the first rotation's row lock
    thread.join(timeout=30)
    assert not thread.is_alive()
    with database.session() as session:
        active = accounts.active_secrets(session.get(Publisher, publisher.id))
    assert active == [second["rotation"].secret, first.secret]
