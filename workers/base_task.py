"""The base class of every Kavalu task: settings, a database session, locks and metrics in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.config import Settings
from service.ops.metrics import TASK_OUTCOMES
from workers import runtime


class KavaluTask(Task):
    ignore_result = True
    # The database restarting or failing over is worth a few tries with backoff; a task's work is
    # idempotent, and what is still undone after them is found again by the sweeper or the dispatcher.
    autoretry_for = (OperationalError,)
    max_retries = 5
    retry_backoff = 2
    retry_backoff_max = 60

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on this process's database, committed when the block ends without an error."""
        with runtime.database(self.settings).session() as session:
            yield session

    @staticmethod
    def try_advisory_lock(session: Session, lock_id: int) -> bool:
        """Hold a PostgreSQL advisory lock until the session's transaction ends; False if another holds it.

        The embedded SQLite store runs one beat, so there is nothing to lock against there."""
        if session.get_bind().dialect.name != "postgresql":
            return True
        return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id}).scalar())

    def on_success(self, retval, task_id, args, kwargs):
        TASK_OUTCOMES.labels(task=self.name, outcome="success").inc()

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        TASK_OUTCOMES.labels(task=self.name, outcome="failure").inc()

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        TASK_OUTCOMES.labels(task=self.name, outcome="retry").inc()
