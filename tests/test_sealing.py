"""Publishers' signing secrets are sealed at rest (service/sealing.py): a copy of the store cannot sign."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text

from service.config import Settings
from service.db import Database
from service.migrate import downgrade, upgrade
from service.models import Publisher, utcnow
from service.publishers import accounts
from service.sealing import KEY_FILE, PREFIX, Sealer, SealingError, SealingKeysMissing
from tests.conftest import BASE_DATABASE_URL, TEST_DATABASE_URL
from tests.helpers import approve_new_comment, comment, fill, get_signed, post_comment


def with_keys(keys: str | None, **env: str) -> Settings:
    base = {k: v for k, v in os.environ.items() if k != "KAVALU_SEALING_KEYS"}
    return Settings.from_env({**base, **env, **({"KAVALU_SEALING_KEYS": keys} if keys else {})})


def dump(database: Database) -> str:
    """Every column of every publisher, as a dump of the store would hold them."""
    with database.session() as session:
        return repr(session.execute(text("SELECT * FROM publishers")).all())


def test_the_store_holds_no_signing_secret_and_requests_still_verify(client, database, publisher):
    stored = dump(database)
    assert publisher.secret not in stored and publisher.secret.removeprefix("whsec_") not in stored
    with database.session() as session:
        row = session.get(Publisher, publisher.id)
        assert row.sealed_signing_secret.startswith(PREFIX)
        assert accounts.active_secrets(row) == [publisher.secret]
    assert post_comment(client, publisher, comment()).status_code == 202


def test_rotation_seals_both_secrets_and_a_new_first_key_takes_over(database, publisher):
    """Sealing keys are replaced by putting a new one first: the old one still opens what it sealed, and a rotation
    seals both active secrets under the new one, after which the old key can go."""
    old_key = os.environ["KAVALU_SEALING_KEYS"]
    new_key = Fernet.generate_key().decode()
    both = Database(with_keys(f"{new_key},{old_key}"))
    new_only = Database(with_keys(new_key))
    try:
        with both.session() as session:
            assert accounts.active_secrets(session.get(Publisher, publisher.id)) == [publisher.secret]
        with new_only.session() as session, pytest.raises(SealingError, match="KAVALU_SEALING_KEYS"):
            accounts.active_secrets(session.get(Publisher, publisher.id))
        with both.session() as session:
            rotation = accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))
        with new_only.session() as session:
            assert accounts.active_secrets(session.get(Publisher, publisher.id)) == [rotation.secret, publisher.secret]
        stored = dump(database)
        assert rotation.secret not in stored and publisher.secret not in stored
    finally:
        both.dispose()
        new_only.dispose()


def test_a_value_that_is_not_a_fernet_key_is_refused_clearly():
    with pytest.raises(SealingError, match="not a Fernet key"):
        Sealer(with_keys("not-a-key")).seal("whsec_x")


def test_a_value_stored_unsealed_is_refused_with_what_to_run():
    with pytest.raises(SealingError, match="kavalu db upgrade"):
        Sealer(with_keys(Fernet.generate_key().decode())).open("whsec_plain")


def test_without_keys_one_private_key_file_is_made_and_shared(tmp_path):
    """The embedded default: no setting, so a key made once in the data folder, readable by its owner only,
    and used by every process of the machine (here, two sealers)."""
    settings = with_keys(None, KAVALU_DATA_DIR=str(tmp_path), DATABASE_URL="")
    assert settings.sealing_keys is None and settings.embedded
    sealed = Sealer(settings).seal("whsec_embedded")
    key_file = tmp_path / KEY_FILE
    key = key_file.read_text()
    Fernet(key.encode())  # a real key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Sealer(settings).open(sealed) == "whsec_embedded"
    assert key_file.read_text() == key  # read, not made again, by the second sealer


def test_postgresql_without_keys_is_refused_naming_the_setting_and_how_to_make_a_key(tmp_path):
    """Processes on several machines share a PostgreSQL store: a key file made on each machine would seal secrets that
    the others cannot open (a publisher created on one host, its requests refused by the API on another)."""
    settings = with_keys(None, KAVALU_DATA_DIR=str(tmp_path))
    assert settings.database_url.startswith("postgresql") and settings.sealing_keys is None
    for attempt in (lambda sealer: sealer.seal("whsec_x"), lambda sealer: sealer.opens(PREFIX + "x")):
        with pytest.raises(SealingKeysMissing, match="KAVALU_SEALING_KEYS is not set") as refused:
            attempt(Sealer(settings))
        assert "Fernet.generate_key()" in str(refused.value)
    assert not (tmp_path / KEY_FILE).exists()

    # A machine that sealed with its key file before: the message names the key to set so that those secrets open.
    (tmp_path / KEY_FILE).write_text(Fernet.generate_key().decode())
    with pytest.raises(SealingKeysMissing, match="set KAVALU_SEALING_KEYS to that key") as refused:
        Sealer(settings).seal("whsec_x")
    assert str(tmp_path / KEY_FILE) in str(refused.value)


def test_the_cli_refuses_in_one_line_and_creates_no_publisher_without_keys_on_postgresql(database, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KAVALU_SEALING_KEYS"} | {"KAVALU_DATA_DIR": str(tmp_path)}
    kavalu = str(Path(sys.executable).with_name("kavalu"))
    command = [kavalu, "publishers", "create", "--name", "Keyless"]
    result = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: KAVALU_SEALING_KEYS is not set"), result.stderr
    with database.session() as session:
        assert session.scalars(select(Publisher)).all() == []


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_store(request, tmp_path):
    """A store of its own at revision 0009, the last one that held secrets unsealed."""
    if request.param == "sqlite":
        settings = with_keys(Fernet.generate_key().decode(), DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}")
        yield settings
        return
    name = TEST_DATABASE_URL.rsplit("/", 1)[1] + "_sealing"
    with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield with_keys(Fernet.generate_key().decode(), DATABASE_URL=BASE_DATABASE_URL.rsplit("/", 1)[0] + "/" + name)
    with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migration_seals_the_stored_secrets_and_downgrading_opens_them(empty_store):
    settings = empty_store
    upgrade(settings, "0009")
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO publishers (id, name, signing_secret, previous_signing_secret, policy_overrides,"
                    " policy_version, created_at) VALUES"
                    " ('pub_a', 'A', 'whsec_current', 'whsec_previous', '{}', 1, CURRENT_TIMESTAMP),"
                    " ('pub_b', 'B', 'whsec_only', NULL, '{}', 1, CURRENT_TIMESTAMP)"
                )
            )
        upgrade(settings)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, sealed_signing_secret, sealed_previous_signing_secret FROM publishers ORDER BY id")
            ).all()
        assert "whsec_" not in repr(rows)
        sealer = Sealer(settings)
        assert [(i, sealer.open(c), p and sealer.open(p)) for i, c, p in rows] == [
            ("pub_a", "whsec_current", "whsec_previous"),
            ("pub_b", "whsec_only", None),
        ]
        downgrade(settings, "0009")
        with engine.connect() as connection:
            plain = connection.execute(
                text("SELECT id, signing_secret, previous_signing_secret FROM publishers ORDER BY id")
            ).all()
        assert [tuple(row) for row in plain] == [
            ("pub_a", "whsec_current", "whsec_previous"),
            ("pub_b", "whsec_only", None),
        ]
    finally:
        engine.dispose()


def test_an_api_without_the_sealing_key_answers_503_and_stores_nothing(database, publisher):
    """A misconfigured process (keys that did not seal the secret) is the service's fault, not the request's:
    a 503 with Retry-After, and the same request succeeds once the keys are right."""
    from service.app import create_app
    from service.models import Comment

    wrong = create_app(with_keys(Fernet.generate_key().decode())).test_client()
    refused = post_comment(wrong, publisher, comment(comment_id="c-sealed"))
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert [e["code"] for e in refused.get_json()["errors"]] == ["service_unavailable"]
    with database.session() as session:
        assert session.query(Comment).filter_by(external_id="c-sealed").count() == 0
    assert get_signed(wrong, publisher, "/v1/decisions").status_code == 503  # the other signed routes alike
    right = create_app(with_keys(os.environ["KAVALU_SEALING_KEYS"])).test_client()
    assert post_comment(right, publisher, comment(comment_id="c-sealed")).status_code == 202


def test_readyz_fails_while_the_sealing_keys_do_not_open_the_secrets(database, publisher):
    """A load balancer keeps requests away from an API process that could not check their signatures."""
    from service.app import create_app

    wrong = create_app(with_keys(Fernet.generate_key().decode())).test_client().get("/readyz")
    assert wrong.status_code == 503
    assert wrong.get_json()["checks"]["signing_secrets"]["ok"] is False
    assert "KAVALU_SEALING_KEYS" in wrong.get_json()["checks"]["signing_secrets"]["error"]
    right = create_app(with_keys(os.environ["KAVALU_SEALING_KEYS"])).test_client().get("/readyz")
    assert right.get_json()["checks"]["signing_secrets"] == {"ok": True}


def test_readyz_fails_on_postgresql_without_keys_before_any_publisher_exists(database, tmp_path):
    """A new deployment without KAVALU_SEALING_KEYS is told so at its first readiness probe, not at the first
    `kavalu publishers create`."""
    from service.app import create_app

    answer = create_app(with_keys(None, KAVALU_DATA_DIR=str(tmp_path))).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["signing_secrets"]["ok"] is False
    assert "KAVALU_SEALING_KEYS is not set" in answer.get_json()["checks"]["signing_secrets"]["error"]


def test_reseal_moves_every_secret_under_the_first_key_so_the_old_one_can_go(
    database, publisher, other_publisher, monkeypatch
):
    from click.testing import CliRunner

    from service.cli.main import cli
    from service.models import AuditEvent

    old_key, new_key = os.environ["KAVALU_SEALING_KEYS"], Fernet.generate_key().decode()
    with database.session() as session:
        rotation = accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))
        expected = {publisher.id: [rotation.secret, publisher.secret], other_publisher.id: [other_publisher.secret]}
        count = session.query(Publisher).count()
    monkeypatch.setenv("KAVALU_SEALING_KEYS", f"{new_key},{old_key}")
    result = CliRunner().invoke(cli, ["publishers", "reseal-secrets"])
    assert result.exit_code == 0, result.output
    assert f"of {count} publisher(s)" in result.output
    new_only, old_only = Database(with_keys(new_key)), Database(with_keys(old_key))
    try:
        with new_only.session() as session:
            opened = {p: accounts.active_secrets(session.get(Publisher, p)) for p in expected}
            assert session.query(AuditEvent).filter_by(action="signing_secrets_resealed").count() == 1
        assert opened == expected  # the same secrets: publishers change nothing
        with old_only.session() as session, pytest.raises(SealingError):
            accounts.active_secrets(session.get(Publisher, other_publisher.id))
    finally:
        new_only.dispose()
        old_only.dispose()
    monkeypatch.setenv("KAVALU_SEALING_KEYS", Fernet.generate_key().decode())
    refused = CliRunner().invoke(cli, ["publishers", "reseal-secrets"])
    assert refused.exit_code == 1 and "KAVALU_SEALING_KEYS" in refused.output


def test_the_delivery_healthcheck_fails_while_the_keys_do_not_open_the_secrets(
    database, publisher, monkeypatch, capsys
):
    """A delivery worker whose keys did not seal the secrets cannot sign a callback: its container is unhealthy."""
    from workers import healthcheck

    assert healthcheck.main(["--deliveries"]) == 0
    monkeypatch.setenv("KAVALU_SEALING_KEYS", Fernet.generate_key().decode())
    assert healthcheck.main(["--deliveries"]) == 1
    assert "KAVALU_SEALING_KEYS" in capsys.readouterr().err


def test_without_the_old_key_a_rotation_with_now_still_gives_a_publisher_a_new_secret(database, publisher, monkeypatch):
    """The way back from a store restored without its sealing key: `rotate-secret --now` never opens the old one."""
    from click.testing import CliRunner

    from service.cli.main import cli

    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("KAVALU_SEALING_KEYS", new_key)
    result = CliRunner().invoke(cli, ["publishers", "rotate-secret", publisher.id, "--now"])
    assert result.exit_code == 0, result.output
    new_secret = result.output.split("signing_secret: ", 1)[1].split()[0]
    new_only = Database(with_keys(new_key))
    try:
        with new_only.session() as session:
            assert accounts.active_secrets(session.get(Publisher, publisher.id)) == [new_secret]
    finally:
        new_only.dispose()


@pytest.mark.slow
def test_a_delivery_worker_without_the_key_leaves_the_callback_due_and_says_why(database, publisher, tmp_path):
    """A real delivery worker whose keys did not seal the secret: no callback goes out unsigned or wrongly signed, the
    event keeps its attempts and stays pending for a worker with the right keys, and the log says why in one line."""
    import redis

    from service.models import EVENT_PENDING, OutboundEvent
    from service.taskqueue import TaskQueue
    from tests.conftest import DELIVERY_BROKER
    from tests.processes import start_celery_worker, stop_process, wait_until
    from tests.receiver import Receiver

    env = {
        **os.environ,
        "BROKER_URL": DELIVERY_BROKER,
        "KAVALU_PRELOAD_MODELS": "false",
        "KAVALU_DATA_DIR": str(tmp_path),
        "KAVALU_SEALING_KEYS": Fernet.generate_key().decode(),
    }
    redis.Redis.from_url(DELIVERY_BROKER).flushdb()
    log_path = tmp_path / "worker.log"
    process = start_celery_worker(env, log_path, queues="deliveries")
    receiver = Receiver(secret=publisher.secret)
    try:
        queue = TaskQueue(Settings.from_env(env))
        approve_new_comment(database, publisher, "c-unsigned", receiver.url, queue.enqueue_delivery)
        wait_until(lambda: "delivery not attempted" in log_path.read_text(), 60, message="the worker's refusal")
        with database.session() as session:
            event = session.query(OutboundEvent).filter_by(publisher_id=publisher.id).one()
            assert event.status == EVENT_PENDING and event.attempts == 0
        assert receiver.requests == []
        log = log_path.read_text()
        assert "KAVALU_SEALING_KEYS" in log and "Traceback" not in log
    finally:
        stop_process(process)
        receiver.close()
        redis.Redis.from_url(DELIVERY_BROKER).flushdb()


def test_readiness_checks_every_publisher_and_a_previous_secret_in_its_grace(database, publisher, monkeypatch):
    """A store whose newest publisher opens but an older one does not (a key dropped before `reseal-secrets`
    finished, a manual edit) would pass a check of one row and fail at the older publisher's first request."""
    from workers import healthcheck

    old_key, new_key = os.environ["KAVALU_SEALING_KEYS"], Fernet.generate_key().decode()
    new_only = Database(with_keys(new_key))
    try:
        with new_only.session() as session:
            newest, _ = accounts.create(session, "Newest Herald", None)
            newest_id = newest.id
        with new_only.session() as session, pytest.raises(SealingError) as refused:
            accounts.check_sealing_keys(session)
        assert f"1 publisher(s) ({publisher.id})" in str(refused.value) and newest_id not in str(refused.value)
        assert "rotate-secret --unreadable" in str(refused.value)
        monkeypatch.setenv("KAVALU_SEALING_KEYS", new_key)
        assert healthcheck.main(["--deliveries"]) == 1

        # The older publisher's current secret sealed under the new key, its previous one still under the old key:
        # during the grace the old one still verifies requests, so it must still open...
        both = Database(with_keys(f"{new_key},{old_key}"))
        try:
            with both.session() as session:
                accounts.rotate_secret(session, publisher.id, grace=timedelta(hours=1))
                session.get(Publisher, publisher.id).sealed_previous_signing_secret = Sealer(with_keys(old_key)).seal(
                    publisher.secret
                )
        finally:
            both.dispose()
        with new_only.session() as session:
            assert accounts.unreadable_publishers(session) == [publisher.id]
            # ... and once the grace is over it no longer counts.
            later = utcnow() + timedelta(hours=2)
            assert accounts.unreadable_publishers(session, now=later) == []
        both = Database(with_keys(f"{new_key},{old_key}"))
        try:
            with both.session() as session:
                accounts.check_sealing_keys(session)
        finally:
            both.dispose()
    finally:
        new_only.dispose()


def test_rotate_unreadable_gives_every_publisher_the_keys_do_not_open_a_new_secret(
    database, publisher, other_publisher, monkeypatch
):
    """The way back from a store restored without its sealing key, in one command: a new secret for each publisher
    the keys do not open, one line each, audited; a publisher whose secret opens keeps it."""
    from click.testing import CliRunner

    from service.cli.main import cli
    from service.models import AuditEvent

    new_key = Fernet.generate_key().decode()
    new_only = Database(with_keys(new_key))
    try:
        with new_only.session() as session:
            readable, readable_secret = accounts.create(session, "Sealed Later", None)
            readable_id = readable.id
        monkeypatch.setenv("KAVALU_SEALING_KEYS", new_key)
        result = CliRunner().invoke(cli, ["publishers", "rotate-secret", "--unreadable"])
        assert result.exit_code == 0, result.output
        issued = dict(line.split(" ") for line in result.stdout.splitlines())
        assert sorted(issued) == sorted([publisher.id, other_publisher.id])
        assert "rotated the signing secrets of 2 publisher(s)" in result.stderr
        with new_only.session() as session:
            for publisher_id, secret in issued.items():
                assert accounts.active_secrets(session.get(Publisher, publisher_id)) == [secret]
            assert accounts.active_secrets(session.get(Publisher, readable_id)) == [readable_secret]
            assert session.query(AuditEvent).filter_by(action="secret_rotated").count() == 2
            accounts.check_sealing_keys(session)
        again = CliRunner().invoke(cli, ["publishers", "rotate-secret", "--unreadable"])
        assert again.exit_code == 0 and again.stdout == "" and "nothing rotated" in again.stderr
        for wrong in (["--unreadable", publisher.id], ["--unreadable", "--grace", "1h"], []):
            refused = CliRunner().invoke(cli, ["publishers", "rotate-secret", *wrong])
            assert refused.exit_code == 1 and "--unreadable" in refused.output
    finally:
        new_only.dispose()


def test_an_empty_key_file_left_by_a_crash_is_replaced(tmp_path):
    """An earlier version wrote the key after creating the file: a crash in between left it empty, and every
    request was a 500 until someone deleted it. Nothing can have been sealed with an empty key."""
    (tmp_path / KEY_FILE).write_text("")
    settings = with_keys(None, DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}", KAVALU_DATA_DIR=str(tmp_path))
    sealed = Sealer(settings).seal("whsec_x")
    assert Sealer(settings).open(sealed) == "whsec_x"  # another process reads the same key
    assert len((tmp_path / KEY_FILE).read_text()) == 44
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_a_full_disk_leaves_no_empty_key_file_and_the_console_answers_503(small_data_dir):
    from service.app import create_app
    from service.migrate import upgrade

    settings = with_keys(
        None, DATABASE_URL=f"sqlite:///{small_data_dir / 'kavalu.sqlite3'}", KAVALU_DATA_DIR=str(small_data_dir)
    )
    upgrade(settings)
    fill(small_data_dir)
    with pytest.raises(SealingError, match="free space"):
        Sealer(settings).seal("whsec_x")
    signin = create_app(settings).test_client().get("/console/signin")
    assert signin.status_code == 503, signin.get_data(as_text=True)[:300]
    assert signin.get_json()["errors"][0]["code"] == "service_unavailable"
    assert not (small_data_dir / KEY_FILE).exists()
    (small_data_dir / "filler").unlink()
    assert Sealer(settings).open(Sealer(settings).seal("whsec_x")) == "whsec_x"
    assert create_app(settings).test_client().get("/console/signin").status_code == 200
