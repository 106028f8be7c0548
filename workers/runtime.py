"""Per-process resources of a worker, created after fork and reused by every task."""
from __future__ import annotations

import os

from service.db import Database

_database: tuple[int, Database] | None = None


def database(settings) -> Database:
    global _database
    # A forked child must not reuse its parent's connections.
    if _database is None or _database[0] != os.getpid():
        _database = (os.getpid(), Database(settings))
    return _database[1]
