"""Publishers' signing secrets, sealed at rest.

A signing secret cannot be hashed like an API token: Kavalu needs it to sign callbacks and to verify
requests. It is stored encrypted (Fernet: AES-128-CBC and HMAC-SHA256) under a key the database never
holds, so a copy of the database (a backup, a replica, a dump attached to a bug report) cannot sign as a
publisher or as Kavalu.

The keys: KAVALU_SEALING_KEYS, comma-separated Fernet keys (make one with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`). The first
seals; every one opens. So a key is replaced by putting a new one first, running `kavalu publishers
reseal-secrets` (the secrets stay the same, sealed again under the first key), and dropping the old one.
Unset, with SQLite (the embedded store, a file of one machine): a key created once in data_dir/sealing-key (mode
0600), shared by the processes of that machine. Unset with PostgreSQL: refused (SealingKeysMissing) at the first
secret sealed or opened, since the store is shared by processes on several machines (the API, the delivery
workers, a migration job) and a key file made on each would seal what the others cannot open.

Every session of a service.db.Database carries the process's Sealer in `session.info`, so the code that
reads or writes a secret needs no more than the session (or an object loaded through it).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.orm import Session, object_session

from service import keyfile
from service.config import ConfigError, Settings

PREFIX = "fernet:"
KEY_FILE = "sealing-key"
KEYS_SETTING = "KAVALU_SEALING_KEYS"


class SealingError(RuntimeError):
    pass


class SealingKeysMissing(SealingError, ConfigError):
    """No KAVALU_SEALING_KEYS for a store that processes on several machines share."""


MAKE_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
KEYS_HINT = "give every process the same KAVALU_SEALING_KEYS (the embedded store, without it: the same data folder)"
_NOT_OUR_KEY = f"a stored signing secret was sealed with a key this process does not have: {KEYS_HINT}"


class Sealer:
    """Seals and opens secrets with the settings' keys, read when first needed (a process that never touches a
    secret needs no key, and creates no key file)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._fernet: MultiFernet | None = None
        self._first_key = ""
        self._known_to_open: set[str] = set()  # so that a readiness check opens each stored value once

    def _keys(self) -> MultiFernet:
        if self._fernet is None:
            configured = self.settings.sealing_keys
            if configured:
                keys = [k.strip() for k in configured.split(",") if k.strip()]
            elif self.settings.database_url.startswith("sqlite"):
                try:
                    keys = [
                        keyfile.read_or_create(self._key_file(), lambda: Fernet.generate_key().decode(), KEYS_SETTING)
                    ]
                except keyfile.KeyFileError as error:
                    raise SealingError(str(error)) from None
            else:
                raise self._missing()
            self._first_key = keys[0]
            try:
                self._fernet = MultiFernet([Fernet(key) for key in keys])
            except ValueError:
                raise SealingError(
                    "KAVALU_SEALING_KEYS holds a value that is not a Fernet key (32 bytes, URL-safe base64)"
                ) from None
        return self._fernet

    def _key_file(self) -> Path:
        return Path(self.settings.data_dir) / KEY_FILE

    def _missing(self) -> SealingKeysMissing:
        message = (
            f"{KEYS_SETTING} is not set: with PostgreSQL every process, on every machine, must seal the publishers'"
            f" signing secrets with the same key. Make one with `{MAKE_KEY}` and give it to every process as"
            f" {KEYS_SETTING}"
        )
        if self._key_file().is_file():
            message += (
                f"; this machine has sealed secrets with the key in {self._key_file()}: set {KEYS_SETTING} to that"
                " key instead, so that they still open"
            )
        return SealingKeysMissing(message)

    def seal(self, secret: str) -> str:
        return PREFIX + self._keys().encrypt(secret.encode("utf-8")).decode("ascii")

    def reseal(self, sealed: str) -> str:
        """The same secret, sealed under the first key."""
        try:
            return PREFIX + self._keys().rotate(sealed.removeprefix(PREFIX).encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SealingError(_NOT_OUR_KEY) from None

    def open(self, sealed: str) -> str:
        if not sealed.startswith(PREFIX):
            raise SealingError("the stored signing secret is not sealed: run `kavalu db upgrade`")
        try:
            return self._keys().decrypt(sealed.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SealingError(_NOT_OUR_KEY) from None

    def derived_key(self, purpose: bytes) -> bytes:
        """A key for another use than sealing, the same in every process that has these keys: HMAC-SHA256 of
        `purpose` under the first key (a new first key changes it)."""
        self._keys()
        return hmac.new(self._first_key.encode("utf-8"), purpose, hashlib.sha256).digest()

    def check_keys(self) -> None:
        """Raise SealingError unless this process has keys to seal with (readiness before any secret is stored)."""
        self._keys()

    def opens(self, sealed: str) -> bool:
        """Whether these keys open a stored value (raises SealingError only for keys that are not Fernet keys)."""
        if sealed in self._known_to_open:
            return True
        self._keys()
        try:
            self.open(sealed)
        except SealingError:
            return False
        self._known_to_open.add(sealed)
        return True


def sealer_of(session: Session | None) -> Sealer:
    sealer = session.info.get("sealer") if session is not None else None
    if sealer is None:
        raise SealingError("this session was not opened by service.db.Database, which carries the sealing keys")
    return sealer


def sealer_for(instance: object) -> Sealer:
    """The Sealer of the session an ORM object was loaded or added through."""
    return sealer_of(object_session(instance))
