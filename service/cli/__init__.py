"""The `kavalu` command line (service.cli.main)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from service.config import Settings
from service.db import Database


@contextmanager
def store_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session on the configured store for one command, committed at the end; the engine's connections are
    closed after it, because one process may run many commands (the tests' CliRunner, or a script)."""
    database = Database(settings or Settings.from_env())
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()
