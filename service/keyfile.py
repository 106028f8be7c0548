"""Files only their owner may read: a key kept in the data folder, created once (mode 0600) and then shared by the
processes of one machine, and copies of the store (which hold sealed secrets, senders' IPs and emails)."""

from __future__ import annotations

import fcntl
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


class KeyFileError(RuntimeError):
    """A key file that cannot be read or created (a full or read-only disk, a folder of another owner)."""


def read_or_create(path: Path, new_key: Callable[[], str], setting: str) -> str:
    """The key in `path`; if there is none, a new key from `new_key`, stored there first.

    The key is written under another name, synced to disk and renamed into place, under a lock: a reader sees the
    whole key or none, processes that race agree on one, and a crash or a full disk leaves no empty key file that
    would fail every later start. An empty file (left so by an earlier version) holds no key: nothing was ever sealed
    with it, and it is replaced. KeyFileError names `setting`, the environment variable that replaces the file.
    """
    try:
        existing = _read(path)
        if existing:
            return existing
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = os.open(path.with_name(f".{path.name}.lock"), os.O_WRONLY | os.O_CREAT, PRIVATE_MODE)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return _read(path) or _create(path, new_key())
        finally:
            os.close(lock)  # and so unlocked
    except OSError as error:
        raise KeyFileError(
            f"cannot read or create the key file {path} ({error.strerror}): free space or fix the folder's"
            f" permissions, or set {setting}"
        ) from None


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def _create(path: Path, key: str) -> str:
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)  # left by a writer that died, under the lock we hold now
    try:
        create_private(partial)
        with open(partial, "w") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself, on disk before the key is used to seal anything
    finally:
        os.close(folder)
    return key
