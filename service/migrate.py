"""Run Alembic migrations programmatically (no alembic.ini needed), and tell which revision a store is at."""

from __future__ import annotations

import fcntl
import functools
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import make_url

from service import keyfile
from service.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# `kavalu run` holds an advisory lock (flock) on this file in KAVALU_DATA_DIR for its lifetime, and a command that
# migrates the embedded store holds it while it does: neither migrates a store that another Kavalu process serves.
RUN_LOCK = "run.lock"


class MigrationRefused(Exception):
    """The store is not at this code's revision and is not migrated here; the message is one `error:` line."""


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["settings"] = settings  # for migrations that need more than the store (0010: sealing keys)
    return config


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """This code's head revision and every revision it knows."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    [head] = script.get_heads()
    return head, frozenset(revision.revision for revision in script.walk_revisions())


def head_revision() -> str:
    return _revisions()[0]


@dataclass(frozen=True)
class Schema:
    """The store's revision (None: never migrated) against the one this code expects."""

    revision: str | None
    expected: str

    @classmethod
    def of(cls, revision: str | None) -> Schema:
        return cls(revision, head_revision())

    @property
    def current(self) -> bool:
        return self.revision == self.expected

    @property
    def ahead(self) -> bool:
        """Migrated by a newer Kavalu: a revision this code does not know."""
        return self.revision is not None and self.revision not in _revisions()[1]


def store_schema(settings: Settings) -> Schema:
    """The store's revision (connects, changes nothing)."""
    engine = create_engine(settings.database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return Schema.of(MigrationContext.configure(connection).get_current_revision())
    finally:
        engine.dispose()


def sqlite_path(settings: Settings) -> Path:
    return Path(str(make_url(settings.database_url).database))


def describe_store(settings: Settings) -> str:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return f"the {'embedded ' if settings.embedded else ''}store {url.database}"
    return f"the database {url.render_as_string(hide_password=True)}"


def refuse_if_ahead(settings: Settings, schema: Schema) -> None:
    if schema.ahead:
        raise MigrationRefused(
            f"{describe_store(settings)} is at revision {schema.revision}, which this version of Kavalu does not know:"
            " a newer Kavalu migrated it. Upgrade Kavalu, or downgrade the store with the newer version"
            f" (`kavalu db downgrade {schema.expected}`) to run this one"
        )


def refuse_unless_current(settings: Settings) -> None:
    """For what serves a store it never migrates (`kavalu run` on PostgreSQL): refuse one behind or ahead."""
    schema = store_schema(settings)
    refuse_if_ahead(settings, schema)
    if not schema.current:
        raise MigrationRefused(
            f"{describe_store(settings)} is at revision {schema.revision or 'none'} and this version of Kavalu"
            f" needs {schema.expected}: run `kavalu db upgrade` first"
        )


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.database_url.startswith("sqlite"):
        settings.make_data_dir()
    refuse_if_ahead(settings, store_schema(settings))
    command.upgrade(alembic_config(settings), revision)
    if settings.database_url.startswith("sqlite"):
        use_write_ahead_log(settings)


def use_write_ahead_log(settings: Settings) -> None:
    """Put the SQLite store in WAL mode once, here, before the processes that share it start: the mode is kept in the
    file, and two processes that switch a new store to it at the same moment can fail with "database is locked" at
    once, whatever the busy timeout (a plain sqlite3 script: 1 try in 300; a CI run failed on a heartbeat's first write)."""
    engine = create_engine(settings.database_url, poolclass=pool.NullPool, connect_args={"timeout": 30})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def is_up_to_date(settings: Settings) -> bool:
    """Whether the store is at the latest revision (connects, changes nothing)."""
    return store_schema(settings).current


def lock_data_dir(settings: Settings) -> IO[str] | None:
    """Take the advisory lock of KAVALU_DATA_DIR (RUN_LOCK), held until the file returned is closed (or this
    process exits); None when another process holds it."""
    settings.make_data_dir()
    handle = open(settings.data_dir / RUN_LOCK, "a")  # noqa: SIM115 (held by the caller)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def copy_sqlite_store(store: Path, suffix: str) -> Path:
    """A consistent copy of the SQLite store beside it (SQLite's backup API), never over an earlier copy."""
    copy = store.with_name(f"{store.name}.{suffix}")
    if copy.exists():
        copy = store.with_name(f"{store.name}.{suffix}-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    partial = copy.with_name(copy.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a copy that did not finish
    keyfile.create_private(partial)  # the store's data: its owner's only (SQLite keeps an existing file's mode)
    source = sqlite3.connect(f"file:{store}?mode=rw", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    partial.rename(copy)
    return copy


def upgrade_embedded_store(settings: Settings, *, lock_held: bool = False) -> str | None:
    """Migrate the embedded store (SQLite, no DATABASE_URL) when its file is missing or behind, after a copy of it
    (kavalu.sqlite3.before-<revision>); what was done, for one line on stderr, or None when nothing was.

    Refused while another process holds KAVALU_DATA_DIR's lock (`kavalu run`), unless the caller holds it
    (lock_held), and for a store a newer Kavalu migrated. PostgreSQL is never migrated implicitly: an operator
    runs `kavalu db upgrade` on purpose.
    """
    if not settings.embedded:
        return None
    store = sqlite_path(settings)
    if not store.is_file():
        upgrade(settings)
        return f"migrated the embedded store {store}"
    schema = store_schema(settings)
    if schema.current:
        return None
    refuse_if_ahead(settings, schema)
    lock = None
    if not lock_held:
        lock = lock_data_dir(settings)
        if lock is None:
            raise MigrationRefused(
                f"{describe_store(settings)} is at revision {schema.revision} and this version of Kavalu needs"
                f" {schema.expected}, but another Kavalu process (`kavalu run`) is serving it: stop `kavalu run`,"
                " then run this command again"
            )
    try:
        copy = copy_sqlite_store(store, f"before-{schema.expected}") if schema.revision else None
        upgrade(settings)
    finally:
        if lock is not None:
            lock.close()
    kept = f"; the store as it was is in {copy}" if copy else ""
    return f"migrated the embedded store {store} from revision {schema.revision} to {schema.expected}{kept}"
