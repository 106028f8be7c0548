"""Test fixtures: real PostgreSQL and Redis on this machine, and real Celery workers.

The environment is set before any Kavalu module is imported, because the
worker module reads its settings at import time, as it does in production.
"""
from __future__ import annotations

import os

import fcntl
import time

import psycopg


def _claim_slot() -> int:
    """Concurrent test runs on one machine each get their own database and Redis DBs."""
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


SLOT = _claim_slot()
BASE_DATABASE_URL = os.environ.get("KAVALU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_DATABASE_URL = BASE_DATABASE_URL if SLOT == 0 else f"{BASE_DATABASE_URL}_slot{SLOT}"
if SLOT:
    with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as _conn:
        _name = TEST_DATABASE_URL.rsplit("/", 1)[1]
        if not _conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (_name,)).fetchone():
            _conn.execute(f'CREATE DATABASE "{_name}"')
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
)

import pytest  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from service.app import create_app  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db import Base, Database  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from tests.helpers import PublisherKeys, create_publisher  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session", autouse=True)
def migrated_database(settings):
    """A fresh schema, built by the Alembic migrations themselves."""
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(settings)
    redis.Redis.from_url(QUEUE_ONLY_BROKER).flushdb()
    yield


@pytest.fixture(scope="session")
def database(settings, migrated_database) -> Database:
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def clean_state(database):
    yield
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    # A worker may still be writing (a heartbeat, a late task): TRUNCATE can then deadlock with it. Try again.
    for attempt in range(5):
        try:
            with database.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    redis.Redis.from_url(QUEUE_ONLY_BROKER).flushdb()


@pytest.fixture(scope="session")
def app(settings):
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
    """A real Celery worker process consuming the scoring and delivery queues of Redis DB 15."""
    from tests.processes import start_celery_worker, stop_process

    redis.Redis.from_url(WORKER_BROKER).flushdb()
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_celery_worker({**os.environ, "BROKER_URL": WORKER_BROKER}, log_path)
    yield process
    stop_process(process)


@pytest.fixture(scope="session")
def worker_app(worker_settings):
    return create_app(worker_settings)


@pytest.fixture
def worker_client(worker_app, celery_worker):
    return worker_app.test_client()
