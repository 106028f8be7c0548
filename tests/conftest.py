"""Test fixtures: real PostgreSQL and Redis on this machine, and real Celery workers, for the tests that ask.

Two tiers. A test that uses none of the database fixtures (and is in no module listed in DB_MODULES)
is pure: nothing here connects to PostgreSQL or Redis for it, so `scripts/test -m "not slow and not db"`
runs with both stopped. A test that does is marked `db` (by `pytest_collection_modifyitems`, from the
fixtures it uses) and gets the migrated schema and an empty database afterwards. Tests that start real
processes (Celery workers, gunicorn, the embedded stack) are also marked `slow`.

Why not a savepoint per test: the app under test opens its own `Database` (its own engine and pool),
several tests use threads or a second connection on purpose (SKIP LOCKED, concurrent claims), and the
worker tests read what the test wrote from other processes. All of that needs committed rows, so db
tests commit and `clean_state` empties the tables afterwards (TRUNCATE of the tables the test wrote to).

The environment is set before any Kavalu module is imported, because the worker module reads its
settings at import time, as it does in production. Setting it connects to nothing.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time

from cryptography.fernet import Fernet


def _claim_slot() -> int:
    """Concurrent test runs on one machine each get their own database and Redis DBs (a file lock, no connection)."""
    for slot in range(4):
        handle = open(f"/tmp/kavalu-test-slot-{slot}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        globals()["_slot_lock"] = handle  # held until this process exits
        return slot
    raise RuntimeError("more than 4 concurrent test runs")


def pytest_unconfigure(config):
    lock = globals().pop("_slot_lock", None)
    if lock is not None:
        lock.close()


SLOT = _claim_slot()
BASE_DATABASE_URL = os.environ.get("KAVALU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_DATABASE_URL = BASE_DATABASE_URL if SLOT == 0 else f"{BASE_DATABASE_URL}_slot{SLOT}"
TEST_REDIS = os.environ.get("KAVALU_TEST_REDIS", "redis://127.0.0.1:6379")
# Four Redis DBs per slot. The first has no worker consuming it, so tests can read what was enqueued;
# the second feeds the session's test worker; the other two are for tests that start workers of their own.
QUEUE_ONLY_BROKER = f"{TEST_REDIS}/{4 * SLOT}"
WORKER_BROKER = f"{TEST_REDIS}/{4 * SLOT + 1}"
ISOLATED_BROKER = f"{TEST_REDIS}/{4 * SLOT + 2}"
DELIVERY_BROKER = f"{TEST_REDIS}/{4 * SLOT + 3}"
os.environ.update(
    DATABASE_URL=TEST_DATABASE_URL,
    BROKER_URL=QUEUE_ONLY_BROKER,
    KAVALU_BLOCK_PRIVATE_CALLBACKS="false",
    KAVALU_RATE_LIMIT_PER_AUTHOR_IP="100000/minute",  # tests post many comments from one IP; test_ops sets its own
    HF_HUB_OFFLINE="1",
    TRANSFORMERS_OFFLINE="1",
    # One sealing key for this run, shared by the workers the tests start (each with a data folder of its own), as
    # the processes of a deployment share it; tests/test_sealing.py covers the key file of the embedded default.
    KAVALU_SEALING_KEYS=Fernet.generate_key().decode(),
)

import pytest  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from service.config import Settings  # noqa: E402
from service.db import Base, Database  # noqa: E402
from service.taskqueue import flush_deferred_wakes  # noqa: E402
from tests.helpers import PublisherKeys, create_publisher  # noqa: E402

# Fixtures that need PostgreSQL or Redis: a test using any of them (directly or through another fixture) is `db`.
DB_FIXTURES = {
    "migrated_database",
    "database",
    "clean_state",
    "app",
    "client",
    "queue_redis",
    "publisher",
    "other_publisher",
    "celery_worker",
    "worker_app",
    "worker_client",
    "delivery_worker",
    "stack",
    "receiver_keys",
    "signing_publisher",
}
# Fixtures that start real processes: a test using any of them is also `slow`.
SLOW_FIXTURES = {"celery_worker", "worker_client", "delivery_worker", "stack"}
# Modules whose tests reach the database without asking for a fixture (the CLI opens DATABASE_URL itself).
DB_MODULES = {"test_cli_publishers", "test_moderators_cli", "test_legal", "test_worker_skeleton", "test_reliability"}


def _claims(item: pytest.Item, fixtures: set[str]) -> bool:
    return bool(fixtures.intersection(getattr(item, "fixturenames", ())))


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        if module in DB_MODULES or _claims(item, DB_FIXTURES):
            item.add_marker(pytest.mark.db)
        if _claims(item, SLOW_FIXTURES) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _database_for_db_tests(request):
    """Only `db` tests get the schema and the cleanup; pure tests touch neither PostgreSQL nor Redis."""
    if request.node.get_closest_marker("db"):
        request.getfixturevalue("clean_state")  # its teardown empties the tables after the test


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def migrated_database(settings):
    """A fresh schema, built by the Alembic migrations themselves (in this run's slot database)."""
    import psycopg

    from service.migrate import upgrade

    if SLOT:
        with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as connection:
            name = TEST_DATABASE_URL.rsplit("/", 1)[1]
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(settings)
    redis.Redis.from_url(QUEUE_ONLY_BROKER).flushdb()


@pytest.fixture(scope="session")
def database(settings, migrated_database) -> Database:
    db = Database(settings)
    yield db
    db.dispose()


def _empty_tables(database: Database) -> None:
    """TRUNCATE ... RESTART IDENTITY CASCADE, as before, but only of the tables that have ever been written since.

    Truncating all thirteen tables costs 40 ms on an idle machine and up to half a second under load, after
    every db test; most tests write to three or four. A table whose heap is still zero bytes has had no row
    inserted (even an uncommitted or aborted insert extends it), so leaving it alone gives the same empty,
    never-analysed state a full TRUNCATE gives, which the query-plan tests depend on (DELETE would not).
    """
    names = [table.name for table in Base.metadata.sorted_tables]
    with database.engine.begin() as connection:
        written = (
            connection.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                    " AND relname = ANY(:names) AND pg_relation_size(oid) > 0"
                ),
                {"names": names},
            )
            .scalars()
            .all()
        )
        if written:
            connection.execute(text(f"TRUNCATE {', '.join(written)} RESTART IDENTITY CASCADE"))
        # A sequence can move without a row being written (an INSERT refused before it reached the table).
        for sequence in connection.execute(
            text(
                "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
        ).scalars():
            connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture
def clean_state(database):
    yield
    # A worker may still be writing (a heartbeat, a late task): TRUNCATE can then deadlock with it. Try again.
    for attempt in range(5):
        try:
            _empty_tables(database)
            break
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    flush_deferred_wakes()  # a wake still in this process's window would land in the next test's queue
    redis.Redis.from_url(QUEUE_ONLY_BROKER).flushdb()


@pytest.fixture(scope="session")
def app(settings, migrated_database):
    from service.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def queue_redis():
    return redis.Redis.from_url(QUEUE_ONLY_BROKER)


@pytest.fixture
def publisher(database) -> PublisherKeys:
    return create_publisher(database, "Daily Coast")


@pytest.fixture
def other_publisher(database) -> PublisherKeys:
    return create_publisher(database, "Other Times")


@pytest.fixture(scope="session")
def worker_settings(settings):
    return Settings.from_env({**os.environ, "BROKER_URL": WORKER_BROKER})


@pytest.fixture(scope="session")
def celery_worker(worker_settings, migrated_database, tmp_path_factory):
    """A real Celery worker process consuming the scoring and delivery queues of this slot's worker Redis DB."""
    from tests.processes import start_celery_worker, stop_process

    redis.Redis.from_url(WORKER_BROKER).flushdb()
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_celery_worker({**os.environ, "BROKER_URL": WORKER_BROKER}, log_path)
    yield process
    stop_process(process)


@pytest.fixture(scope="session")
def worker_app(worker_settings, migrated_database):
    from service.app import create_app

    return create_app(worker_settings)


@pytest.fixture
def worker_client(worker_app, celery_worker):
    return worker_app.test_client()


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    """An app on a store of its own (SQLite, migrated), with the real broker: the session's test worker
    heartbeats into the shared test database, which would make readiness counts there depend on its timing."""
    from service.app import create_app
    from service.migrate import upgrade

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'kavalu.db'}")  # the healthcheck reads the env
    monkeypatch.setenv("KAVALU_DATA_DIR", str(tmp_path))
    own = Settings.from_env()
    upgrade(own)
    database = Database(own)
    yield create_app(own).test_client(), database
    database.dispose()


@pytest.fixture
def small_data_dir(tmp_path):
    """A data folder on a 48 MB filesystem of its own, to fill (tests.helpers.fill)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(folder)], check=False, capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)
