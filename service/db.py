"""Database engine, sessions, and the after-commit hook used to enqueue tasks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from sqlalchemy import JSON, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.schema import ColumnDefault

from service.breaker import CircuitBreaker
from service.config import Settings
from service.sealing import Sealer

log = logging.getLogger(__name__)

# How long a connection taken from the pool may take to answer an empty query before it counts as
# frozen. A live server answers in well under a millisecond.
PING_TIMEOUT_S = 1.0
# The client-side bound on one round trip is the server's statement_timeout plus this: a statement
# the server cancels still gets its error back first.
WAIT_MARGIN_S = 1.0


class Base(DeclarativeBase):
    # Every model maps one Table (DeclarativeBase says only FromClause), so `Model.__table__.insert()` type-checks.
    __table__: ClassVar[Table]


class StoreUnavailable(psycopg.OperationalError):
    """The store did not answer in time, or did so recently (the breaker is open).

    A psycopg OperationalError, so SQLAlchemy wraps it as its own OperationalError and invalidates
    the connection, and the API answers 503 with Retry-After like for a refused connection."""


class _BoundedConnection(psycopg.Connection):
    """A psycopg connection that never waits on the server for longer than `wait_limit_s`.

    A frozen server (SIGSTOP, a hung host behind a live kernel) accepts every byte, so no TCP
    timeout fires and libpq would wait forever on the established connection. psycopg runs every
    round trip (execute, fetch, COPY, commit, rollback) through `wait`, so bounding it here bounds
    them all. On expiry the connection is closed without another word to the server (a cancel
    request would wait on the frozen server too), so nothing uses it again.
    """

    wait_limit_s: float | None = None
    breaker: CircuitBreaker | None = None

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        limit = timeout if timeout is not None else self.wait_limit_s
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except psycopg.errors._WaitTimeout as error:  # the only way psycopg reports an expired wait
            self.pgconn.finish()  # no cancel, no terminate handshake: the server is not answering
            if self.breaker is not None:
                self.breaker.trip()
            raise StoreUnavailable(f"the store did not answer within {limit:g} s") from error

    def ping(self, timeout: float) -> None:
        """One empty query, bounded by `timeout`; raises StoreUnavailable if the server does not answer."""
        from psycopg import generators, pq

        with self.lock:
            self.pgconn.send_query(b";")
            results = self.wait(generators.execute(self.pgconn), timeout=timeout)
        # A server that restarted closed the socket: the query "completes" with an error result and the
        # connection goes BAD, rather than raising.
        if self.pgconn.status != pq.ConnStatus.OK or any(r.status == pq.ExecStatus.FATAL_ERROR for r in results):
            raise psycopg.OperationalError("the connection is closed")


def make_engine(
    settings: Settings, statement_timeout_s: float | None = None, breaker: CircuitBreaker | None = None
) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        settings.make_data_dir()
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            # A migrated store is in WAL mode already (service.migrate.use_write_ahead_log); switching needs a lock
            # that the busy timeout does not wait for.
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return _postgresql_engine(settings, statement_timeout_s or settings.db_statement_timeout_s, breaker)


def _postgresql_engine(settings: Settings, statement_timeout_s: float, breaker: CircuitBreaker | None) -> Engine:
    """Every wait on PostgreSQL is bounded: connecting (connect_timeout), a checkout from the pool
    (pool_timeout), a statement on the server (statement_timeout) and any round trip on the client
    (statement_timeout + WAIT_MARGIN_S, see _BoundedConnection). With a breaker (the API), a store
    that timed out is not tried again for `breaker.pause_s`: requests get their 503 at once."""
    wait_limit_s = statement_timeout_s + WAIT_MARGIN_S
    engine = create_engine(
        settings.database_url,
        pool_size=10,
        max_overflow=20,
        pool_timeout=settings.db_pool_timeout_s,
        pool_recycle=1800,
        # A statement's parameters hold sender IPs, emails and comment texts: never in an error's message (logs).
        hide_parameters=True,
    )

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams: dict[str, Any]):
        if breaker is not None and breaker.is_open():
            raise StoreUnavailable(f"the store timed out; not tried again for {breaker.remaining_s():.1f} s")
        cparams.setdefault("connect_timeout", max(1, round(settings.db_connect_timeout_s)))
        option = (
            f"-c statement_timeout={int(statement_timeout_s * 1000)}"
            f" -c idle_in_transaction_session_timeout={int(settings.db_idle_in_transaction_timeout_s * 1000)}"
        )
        cparams["options"] = f"{cparams['options']} {option}" if cparams.get("options") else option
        try:
            connection = _BoundedConnection.connect(*cargs, **cparams)
        except psycopg.OperationalError as error:
            if breaker is not None and "timeout" in str(error).lower():
                breaker.trip()
            raise
        connection.wait_limit_s = wait_limit_s
        connection.breaker = breaker
        if breaker is not None:
            breaker.reset()
        return connection

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection, record):
        record.info["fresh"] = True

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        """pool_pre_ping with a short bound: a connection that does not answer an empty query within
        PING_TIMEOUT_S means a frozen server (503 now); one that fails means a restarted server (the
        pool reconnects)."""
        if record.info.pop("fresh", False):
            return
        if breaker is not None and breaker.is_open():
            raise StoreUnavailable(f"the store timed out; not tried again for {breaker.remaining_s():.1f} s")
        try:
            dbapi_connection.ping(min(PING_TIMEOUT_S, wait_limit_s))
        except StoreUnavailable:
            log.warning("the store did not answer a ping", extra={"timeout_s": PING_TIMEOUT_S})
            raise
        except psycopg.Error as error:
            raise DisconnectionError(str(error)) from error

    return engine


class Database:
    """Owns one engine per process; create it after fork.

    `statement_timeout_s` (default: the settings' db_statement_timeout_s, for workers and the CLI)
    bounds each statement on the server and, with a margin, each round trip on the client.
    `pause_after_timeout_s` > 0 adds a circuit breaker: after the store timed out, fail at once for
    that long instead of waiting again (the API, so a frozen store costs requests milliseconds)."""

    def __init__(
        self, settings: Settings, statement_timeout_s: float | None = None, pause_after_timeout_s: float = 0.0
    ):
        self.settings = settings
        self.breaker = CircuitBreaker(pause_after_timeout_s) if pause_after_timeout_s > 0 else None
        self.engine = make_engine(settings, statement_timeout_s, self.breaker)
        # One per process: it reads the keys (the embedded store's key file) once, for the sessions and the rest
        # of the app (the intake rate limits derive their hash key from it).
        self.sealer = Sealer(settings)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info={"sealer": self.sealer})

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def insert_many(session: Session, table: Table, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys); columns they leave out get the model's defaults.

    On PostgreSQL this is a COPY: a scored batch writes hundreds of rows, and executemany
    costs both client and server a statement per row, which was a tenth of a worker's time.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    from psycopg.types.json import Jsonb

    defaults = {
        column.name: column.default
        for column in table.columns
        if column.name not in rows[0] and isinstance(column.default, ColumnDefault)
    }
    names = [*rows[0], *defaults]
    json_columns = {name for name in names if isinstance(table.c[name].type, JSON)}
    session.flush()  # the rows may refer to objects the session has not written yet
    driver_connection = session.connection().connection.driver_connection
    assert driver_connection is not None  # a checked-out connection has its driver's
    cursor = driver_connection.cursor()  # a _BoundedConnection: COPY's round trips are bounded too
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for given in rows:
            row = {
                **given,
                **{
                    name: default.arg(None) if default.is_callable else default.arg
                    for name, default in defaults.items()
                },
            }
            copy.write_row([Jsonb(row[name]) if name in json_columns else row[name] for name in names])


def run_after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run `action` once the session's transaction has committed; drop it on rollback.

    Enqueueing after commit means a worker never looks for a row that isn't
    visible yet, and a rolled-back request never leaves a task behind.
    """
    session.info.setdefault("after_commit", []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit_actions(session: Session) -> None:
    actions = session.info.pop("after_commit", [])
    for action in actions:
        action()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit_actions(session: Session) -> None:
    session.info.pop("after_commit", None)
