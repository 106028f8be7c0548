"""Files only their owner may read: a key kept in the data folder, created once (mode 0600) and then shared by the
processes of one machine, and copies of the store (which hold sealed secrets, senders' IPs and emails)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private(path: Path) -> None:
    """Create `path` empty, readable and writable by its owner only whatever the umask; FileExistsError if it exists.
    A writer that opens an existing file (SQLite does) keeps its mode."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_MODE)  # the umask may take more away; never adds
    finally:
        os.close(descriptor)


def read_or_create(path: Path, new_key: Callable[[], str], setting: str) -> str:
    """The key in `path`; if there is no such file, a new key from `new_key`, written there first.
    `setting` names the environment variable that replaces the file, for the error about an empty one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        # Another process may have created it a moment ago and not written it yet.
        for _ in range(50):
            existing = path.read_text().strip()
            if existing:
                return existing
            os.sched_yield()
        raise RuntimeError(f"{path} is empty: delete it or set {setting}") from None
    key = new_key()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
