"""Structured JSON logs: one line per event, with the request id and comment id when known.

Never pass secrets, tokens or sender IP addresses to a logger; the legal audit
trail in the database is the only place sender details are recorded.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("kavalu_request_id", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id.get():
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None), dict, list)) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_library_noise()


class GunicornErrorRedaction(logging.Filter):
    """gunicorn.error's filter: the request parts gunicorn quotes are left out. A request gunicorn cannot parse is
    logged with the line it choked on ("Invalid HTTP Header: 'Authorization Bearer kvm_...'"), and a request that
    failed with its URI (a Perspective client's `?key=`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid request from ip="):
            source, _, error = message.partition(": ")
            kind = error.partition(":")[0].partition("'")[0].strip()  # "Invalid HTTP Header", not the header
            record.msg, record.args = f"{source}: {kind}", ()
        elif message.startswith("Error handling request"):
            record.msg, record.args = message.partition("?")[0], ()
        return True


class _DemoteToDebug(logging.Filter):
    """A logger filter: records whose message starts with one of `prefixes` become DEBUG records,
    and go on only where DEBUG is on. (A logger's filter runs after its level check, so the record
    must be dropped here when DEBUG is off, or it would still reach the handlers.)"""

    def __init__(self, prefixes: tuple[str, ...]):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and isinstance(record.msg, str) and record.msg.startswith(self.prefixes):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def demote_to_debug(prefixes: tuple[str, ...]) -> logging.Filter:
    return _DemoteToDebug(prefixes)


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.prefix))


_quieted = False


def quiet_library_noise() -> None:
    """Libraries' chatter that tells an operator nothing, once per process.

    - kombu logs at WARNING and above only, through the root (JSON) handler.
    - kombu's "No hostname was supplied. Reverting to default 'localhost'" is dropped: kombu writes it
      whenever a connection's URL has no host, which is always so for the embedded filesystem broker
      (`filesystem://`, a folder on this machine) and for `redis://` with the default host; it is
      written on every new connection (eleven times on an idle embedded stack) and never means a fault.
    - alembic's "setup plugin ..." lines (seven at INFO wherever alembic is first imported: every API worker, whose
      health check reports the schema revision; 28 of the 54 lines an embedded stack wrote while starting) are left
      out; its migration lines ("Running upgrade ...") stay.
    """
    global _quieted
    if _quieted:
        return
    _quieted = True
    logging.getLogger("kombu").setLevel(logging.WARNING)
    logging.getLogger("kombu.connection").addFilter(_DropMessage("No hostname was supplied"))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
