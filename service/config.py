"""The one place Kavalu reads its configuration.

Everything else receives a `Settings` object; nothing else reads os.environ.
With no environment set, Kavalu runs embedded: a SQLite store and a
filesystem broker in the user's data folder, so one machine needs no external servers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from platformdirs import user_data_path

from service import keyfile
from service.task_names import (
    ANALYZE_BATCH,
    ANALYZE_TEXT,
    DELIVER_EVENT,
    DELIVER_EVENTS,
    DISPATCH_DUE_DELIVERIES,
    QUEUE_OF_TASK,
    SCORE_COMMENT,
    SCORING_QUEUE,
    SWEEP_PENDING,
)

# service/filesystem_broker.py; named here so that reading the settings imports no kombu.
FILESYSTEM_TRANSPORT = "service.filesystem_broker:Transport"
CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
DEFAULT_POLICY_PATH = CONFIG_DIR / "policy.default.json"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(ValueError):
    """A setting in the environment that Kavalu cannot use."""


# Settings read from one environment variable each; their defaults are the dataclass's.
ENVIRONMENT = {
    "signature_tolerance_s": "KAVALU_SIGNATURE_TOLERANCE_S",
    "max_body_bytes": "KAVALU_MAX_BODY_BYTES",
    "sweep_interval_s": "KAVALU_SWEEP_INTERVAL_S",
    "sweep_stale_after_s": "KAVALU_SWEEP_STALE_AFTER_S",
    "broker_connect_timeout_s": "KAVALU_BROKER_CONNECT_TIMEOUT_S",
    "broker_pause_s": "KAVALU_BROKER_PAUSE_S",
    "db_connect_timeout_s": "KAVALU_DB_CONNECT_TIMEOUT_S",
    "db_pool_timeout_s": "KAVALU_DB_POOL_TIMEOUT_S",
    "db_statement_timeout_s": "KAVALU_DB_STATEMENT_TIMEOUT_S",
    "db_idle_in_transaction_timeout_s": "KAVALU_DB_IDLE_IN_TRANSACTION_TIMEOUT_S",
    "api_statement_timeout_s": "KAVALU_API_STATEMENT_TIMEOUT_S",
    "db_pause_s": "KAVALU_DB_PAUSE_S",
    "scoring_max_attempts": "KAVALU_SCORING_MAX_ATTEMPTS",
    "scoring_lease_s": "KAVALU_SCORING_LEASE_S",
    "preload_models": "KAVALU_PRELOAD_MODELS",
    "defamation_embeddings": "KAVALU_DEFAMATION_EMBEDDINGS",
    "abuse_precision": "KAVALU_ABUSE_PRECISION",
    "scoring_batch_size": "KAVALU_SCORING_BATCH_SIZE",
    "scoring_batch_tokens": "KAVALU_SCORING_BATCH_TOKENS",
    "scoring_claim_size": "KAVALU_SCORING_CLAIM_SIZE",
    "scoring_wake_ttl_s": "KAVALU_SCORING_WAKE_TTL_S",
    "scoring_wake_delay_s": "KAVALU_SCORING_WAKE_DELAY_S",
    "scoring_drain_s": "KAVALU_SCORING_DRAIN_S",
    "torch_threads": "KAVALU_TORCH_THREADS",
    "abuse_model_type": "KAVALU_ABUSE_MODEL_TYPE",
    "abuse_checkpoint": "KAVALU_ABUSE_CHECKPOINT",
    "abuse_config_dir": "KAVALU_ABUSE_CONFIG_DIR",
    "abuse_model_dir": "KAVALU_MODEL_DIR",
    "block_private_callbacks": "KAVALU_BLOCK_PRIVATE_CALLBACKS",
    "delivery_base_delay_s": "KAVALU_DELIVERY_BASE_DELAY_S",
    "delivery_max_delay_s": "KAVALU_DELIVERY_MAX_DELAY_S",
    "delivery_retry_window_s": "KAVALU_DELIVERY_RETRY_WINDOW_S",
    "delivery_connect_timeout_s": "KAVALU_DELIVERY_CONNECT_TIMEOUT_S",
    "delivery_read_timeout_s": "KAVALU_DELIVERY_READ_TIMEOUT_S",
    "delivery_dispatch_interval_s": "KAVALU_DELIVERY_DISPATCH_INTERVAL_S",
    "log_level": "KAVALU_LOG_LEVEL",
    "rate_limits_enabled": "KAVALU_RATE_LIMITS",
    "rate_limit_per_publisher": "KAVALU_RATE_LIMIT_PER_PUBLISHER",
    "rate_limit_per_author_ip": "KAVALU_RATE_LIMIT_PER_AUTHOR_IP",
    "worker_start_timeout_s": "KAVALU_WORKER_START_TIMEOUT_S",
    "heartbeat_interval_s": "KAVALU_HEARTBEAT_INTERVAL_S",
    "heartbeat_max_age_s": "KAVALU_HEARTBEAT_MAX_AGE_S",
    "scoring_stall_s": "KAVALU_SCORING_STALL_S",
    "host": "KAVALU_HOST",
    "result_backend": "KAVALU_RESULT_BACKEND",
    "analyze_timeout_s": "KAVALU_ANALYZE_TIMEOUT_S",
    "rate_limit_per_api_key": "KAVALU_RATE_LIMIT_PER_API_KEY",
    "port": "KAVALU_PORT",
    "console_secret": "KAVALU_CONSOLE_SECRET",
    "sealing_keys": "KAVALU_SEALING_KEYS",
    "console_idle_timeout_s": "KAVALU_CONSOLE_IDLE_TIMEOUT_S",
    "console_session_max_s": "KAVALU_CONSOLE_SESSION_MAX_S",
    "console_secure_cookie": "KAVALU_CONSOLE_SECURE_COOKIE",
}


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str
    data_dir: Path
    # Rate limits (REDIS_URL, else the broker's Redis); the queue figures read broker_redis_url.
    redis_url: str | None = None
    embedded: bool = False
    signature_tolerance_s: int = 300
    max_body_bytes: int = 64 * 1024
    sweep_interval_s: float = 30.0
    sweep_stale_after_s: float = 60.0
    broker_connect_timeout_s: float = 1.0
    # After a failed publish the API skips the broker for this long; the sweeper enqueues what it skipped.
    broker_pause_s: float = 5.0
    # PostgreSQL: connecting (libpq counts whole seconds, 2 at least), waiting for a pooled connection,
    # and statement_timeout on the server for workers and the CLI (a claim or a batch's COPY) and for
    # the API. The client also bounds every round trip at the statement timeout + 1 s (service/db.py).
    db_connect_timeout_s: float = 2.0
    db_pool_timeout_s: float = 2.0
    db_statement_timeout_s: float = 120.0
    # A process frozen (SIGSTOP, a stalled VM) inside a transaction holds its row locks until the server ends its
    # session: without this bound, for ever, and every sweep or claim that needs those rows waits on it.
    db_idle_in_transaction_timeout_s: float = 300.0
    api_statement_timeout_s: float = 3.0
    # After the store timed out, the API answers 503 at once for this long before it tries again.
    db_pause_s: float = 3.0
    scoring_max_attempts: int = 3
    scoring_lease_s: float = 120.0
    preload_models: bool = True
    defamation_embeddings: bool = True
    abuse_model_type: str | None = None
    abuse_checkpoint: str | None = None
    abuse_config_dir: str | None = None
    abuse_model_dir: str | None = None
    abuse_precision: str = "auto"
    scoring_batch_size: int = 32
    scoring_batch_tokens: int = 384
    scoring_claim_size: int = 512
    scoring_wake_ttl_s: float = 2.0
    # With a Redis broker, an API process wakes scoring once for the comments it stored in this window (taskqueue.py).
    scoring_wake_delay_s: float = 0.025
    scoring_drain_s: float = 60.0
    torch_threads: int = 1
    block_private_callbacks: bool = True
    delivery_base_delay_s: float = 10.0
    delivery_max_delay_s: float = 3600.0
    delivery_retry_window_s: float = 86400.0
    delivery_connect_timeout_s: float = 5.0
    delivery_read_timeout_s: float = 10.0
    delivery_dispatch_interval_s: float = 10.0
    log_level: str = "INFO"
    rate_limits_enabled: bool = True
    rate_limit_per_publisher: str = "3000/second"
    rate_limit_per_author_ip: str = "30/minute"
    # A new pool process loads the models before it reports UP (6-7 s here, 12-20 s on a loaded host);
    # Celery kills one that has not reported within worker_proc_alive_timeout (default 4 s).
    worker_start_timeout_s: float = 120.0
    # Every scoring process writes a heartbeat this often; /readyz wants one younger than heartbeat_max_age_s.
    heartbeat_interval_s: float = 10.0
    heartbeat_max_age_s: float = 45.0
    # A scoring process that finished no task while a comment has been pending for this long is stalled (a frozen
    # main process, a job lost with a dead pool child): not ready, and `kavalu run` restarts its worker. Longer
    # than a scoring lease plus a sweep, so an idle process of one worker is not blamed for another's frozen claim.
    scoring_stall_s: float = 300.0
    host: str = "127.0.0.1"
    port: int = 8000
    # Synchronous scoring (/v1/analyze, Perspective, OpenAI, Coral): where the analyze workers put their answers
    # (unset: the broker's Redis, or a file:// folder next to the filesystem broker), how long a request waits
    # for one before a 503 with Retry-After, and the requests each API key may make.
    result_backend: str | None = None
    analyze_timeout_s: float = 3.0
    rate_limit_per_api_key: str = "50/second"
    # Signs the moderator console's session cookies; every API process must share it. Unset: a key derived from the
    # first sealing key (service/console/session.py), which every process that opens the signing secrets shares.
    console_secret: str | None = field(default=None, repr=False)
    # Seal publishers' signing secrets in the store (comma-separated Fernet keys, the first seals); every process
    # that signs or verifies must share them (and the rate limiter's per-IP counter names are keyed by them). Unset:
    # with SQLite, a key kept in data_dir/sealing-key; with PostgreSQL, refused (service/sealing.py).
    sealing_keys: str | None = field(default=None, repr=False)
    # A console session ends after this long without a request, and this long after sign-in in any case.
    console_idle_timeout_s: float = 1800.0
    console_session_max_s: float = 12 * 3600.0
    # Mark the session cookie Secure even on plain HTTP requests: behind a proxy that terminates TLS.
    console_secure_cookie: bool = False
    default_policy: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("KAVALU_DATA_DIR") or user_data_path("kavalu")).resolve()
        database_url = env.get("DATABASE_URL")
        broker_url = env.get("BROKER_URL")
        embedded = not database_url
        if not database_url:
            database_url = f"sqlite:///{data_dir / 'kavalu.sqlite3'}"
        if not broker_url:
            broker_url = "filesystem://"
        policy_path = Path(env.get("KAVALU_DEFAULT_POLICY", DEFAULT_POLICY_PATH))
        return cls(
            **_from_environment(env),
            database_url=_normalise_database_url(database_url),
            broker_url=broker_url,
            data_dir=data_dir,
            redis_url=env.get("REDIS_URL") or (broker_url if broker_url.startswith("redis") else None),
            embedded=embedded,
            default_policy=_default_policy(policy_path),
        )

    @property
    def sweep_max_age_s(self) -> float:
        """The last sweep older than this (four sweep intervals): beat, or the worker that runs the sweeps, is gone."""
        return 4 * self.sweep_interval_s

    @property
    def broker_redis_url(self) -> str | None:
        """The Redis that holds Celery's queues (BROKER_URL, when it is Redis), which the queue figures read.
        REDIS_URL (redis_url: rate limits) may name another server or database."""
        return self.broker_url if self.broker_url.startswith("redis") else None

    @property
    def broker_folder(self) -> Path | None:
        """Where the filesystem broker (embedded mode) keeps its waiting messages; None for any other broker."""
        return self.data_dir / "broker" if self.broker_url.startswith("filesystem://") else None

    def make_data_dir(self) -> None:
        """The data folder, and the embedded store's file, their owner's only when Kavalu creates them: they hold
        senders' IPs and emails, the keys and the broker's messages. SQLite would create the store with the umask's
        mode (0644 as a rule), and its WAL files take the store's mode."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.database_url.startswith("sqlite"):
            return  # and PostgreSQL's URL is left for SQLAlchemy to judge when it connects
        from sqlalchemy.engine import make_url  # here: reading the settings imports no SQLAlchemy

        url = make_url(self.database_url)  # any sqlite+DRIVER URL, a relative or absolute path, with a query or not
        store = url.database
        # Not an in-memory store, nor a "file:" URI (uri=true), which SQLite reads itself.
        if store and store != ":memory:" and str(url.query.get("uri", "")).lower() not in ("true", "1"):
            with contextlib.suppress(FileExistsError, FileNotFoundError):  # a missing folder: SQLite's own error
                keyfile.create_private(Path(store))

    def make_broker_folders(self) -> None:
        """The filesystem broker (embedded mode) needs its folders to exist before anyone connects."""
        if self.broker_folder is not None:
            self.make_data_dir()
            for name in ("broker", "broker-processed", "broker-control"):
                (self.data_dir / name).mkdir(mode=0o700, exist_ok=True)
        backend = self.result_backend_url()
        if backend.startswith("file://"):
            Path(backend.removeprefix("file://")).mkdir(mode=0o700, parents=True, exist_ok=True)

    def result_backend_url(self) -> str:
        """Where the analyze task's answers wait for the API: KAVALU_RESULT_BACKEND, else the broker's Redis, else
        a folder beside the filesystem broker (embedded mode). Only ANALYZE_TEXT stores a result."""
        if self.result_backend:
            return self.result_backend
        if self.broker_url.startswith("redis"):
            return self.broker_url
        return f"file://{self.data_dir / 'results'}"

    def celery_config(self, publisher: bool = False) -> dict:
        """Celery settings shared by the API's task client and the workers.

        `publisher`: for a process that only sends tasks (the API). Its broker connection makes one
        quick retry and no pause, so an unreachable broker costs a request milliseconds (the default,
        a 2 s sleep between tries, cost every intake request 2 s while Redis was down).
        """
        conf = {
            "broker_url": self.broker_url,
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "worker_proc_alive_timeout": self.worker_start_timeout_s,
            "task_default_queue": SCORING_QUEUE,
            "task_routes": {name: {"queue": queue} for name, queue in QUEUE_OF_TASK.items()},
            "broker_connection_timeout": self.broker_connect_timeout_s,
            "broker_connection_retry_on_startup": True,
            # A worker that lost its broker reconnects, however long the broker is away (default: 100 tries).
            "broker_connection_retry": True,
            "broker_connection_max_retries": None,
            # A running task carries on through a broker restart (its comment is leased in the database);
            # cancelling it would kill a scoring process and its loaded models.
            "worker_cancel_long_running_tasks_on_connection_loss": False,
            "task_send_sent_event": False,
            "timezone": "UTC",
            "beat_schedule": {
                "sweep-pending": {"task": SWEEP_PENDING, "schedule": self.sweep_interval_s},
                "dispatch-deliveries": {"task": DISPATCH_DUE_DELIVERIES, "schedule": self.delivery_dispatch_interval_s},
            },
            "task_annotations": self._time_limits(),
            "result_backend": self.result_backend_url(),
            # The API reads an answer once and forgets it; an unread one (the request gave up) expires.
            "result_expires": 300,
        }
        if self.broker_folder is not None:
            folder = str(self.broker_folder)
            # kombu's filesystem transport, with atomic writes and a reader that sets aside what it cannot parse.
            conf["broker_transport"] = FILESYSTEM_TRANSPORT
            conf["broker_transport_options"] = {
                "data_folder_in": folder,
                "data_folder_out": folder,
                "processed_folder": str(self.data_dir / "broker-processed"),
                "control_folder": str(self.data_dir / "broker-control"),
                "unreadable_folder": str(self.data_dir / "broker-unreadable"),
                "store_processed": False,
                # The folder is polled (default every 1 s): /v1/analyze waits on a message going there and back.
                "polling_interval": 0.2,
            }
        elif self.broker_url.startswith("redis"):
            options: dict[str, object] = {
                "socket_connect_timeout": self.broker_connect_timeout_s,
                "socket_timeout": 5,
                "socket_keepalive": True,
                "retry_on_timeout": False,  # a timed-out command is not sent again: the caller decides
                "health_check_interval": 10,  # a consumer on a dead connection notices within ~20 s
                "visibility_timeout": 3600,
            }
            if publisher:
                options.update(
                    socket_timeout=self.broker_connect_timeout_s,
                    max_retries=1,
                    interval_start=0,
                    interval_step=0.1,
                    interval_max=0.1,
                )
            conf["broker_transport_options"] = options
        return conf

    def _time_limits(self) -> dict:
        # One delivery attempt is bounded by its connect and read timeouts, and a scoring task hands over
        # after its drain time: the limits only catch a stuck worker.
        delivery = int(self.delivery_connect_timeout_s + self.delivery_read_timeout_s + 20)
        limits: dict[str, dict[str, float]] = {
            name: {"soft_time_limit": delivery, "time_limit": delivery + 15} for name in (DELIVER_EVENT, DELIVER_EVENTS)
        }
        limits[ANALYZE_TEXT] = limits[ANALYZE_BATCH] = {"soft_time_limit": 30, "time_limit": 45}
        limits[SCORE_COMMENT] = {"soft_time_limit": self.scoring_drain_s + 60, "time_limit": self.scoring_drain_s + 120}
        return limits


def _from_environment(env: Mapping[str, str]) -> dict:
    """The ENVIRONMENT settings that env sets, parsed to their fields' types."""
    types = {f.name: f.type for f in fields(Settings)}
    values: dict = {}
    for name, variable in ENVIRONMENT.items():
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        kind = types[name]
        try:
            if kind == "bool":
                values[name] = _bool(raw, False)
            elif kind == "int":
                values[name] = int(raw)
            elif kind == "float":
                values[name] = float(raw)
            else:
                values[name] = raw
        except ValueError:
            raise ConfigError(f"{variable}={raw!r} is not a valid {kind}") from None
    return values


def metrics_dir(env: Mapping[str, str] | None = None) -> str | None:
    """Where every process of a multi-process server writes its Prometheus metrics (prometheus_client's
    own variable); unset: each process keeps its own. Read at import by the metrics module, before
    any metric exists, so it cannot wait for a Settings object."""
    env = os.environ if env is None else env
    return env.get("PROMETHEUS_MULTIPROC_DIR") or None


def force_offline_models() -> None:
    """Models load from local files only: tell Hugging Face libraries never to reach for the hub."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # huggingface_hub reads the variable once, at import; it may already be imported.
    try:
        import huggingface_hub.constants as hub_constants

        hub_constants.HF_HUB_OFFLINE = True
    except Exception:  # pragma: no cover - older/newer hub layouts
        pass


def _default_policy(path: Path) -> dict:
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"KAVALU_DEFAULT_POLICY {path}: not a readable JSON file ({error})") from None
    if not isinstance(policy, dict):
        raise ConfigError(f"KAVALU_DEFAULT_POLICY {path}: the policy must be a JSON object")
    return policy


def _normalise_database_url(url: str) -> str:
    # Plain postgresql:// would pick psycopg2, which we don't install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith(("postgresql+psycopg://", "sqlite:///")):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL (postgresql://USER:PASSWORD@HOST:5432/NAME), or unset for the"
            " embedded store"
        )
    return url
