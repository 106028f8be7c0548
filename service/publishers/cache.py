"""A per-process cache of publishers for intake, that never outlives a rotation, a revocation or a policy change.

Intake needs a publisher's secrets (to verify the signature) and its merged policy (to validate) before
it writes anything. Reading the publisher costs a database round trip per comment, so each API process
keeps a snapshot. The snapshot is never trusted alone:

- a signature that no cached secret verifies is checked again against the stored publisher (a secret
  rotated since the snapshot verifies at once);
- the comment's INSERT carries a guard (`guard_sql`): it writes only if the secret that verified the
  signature is still active in the database, and the policy version is still the snapshot's. A revoked or
  expired secret, or a changed policy, writes nothing; the caller drops the snapshot and starts over from
  the database (service.intake.lean). So the version the cache is keyed by is the secret itself, checked
  in the same statement that writes, and a change in the database takes effect on the next request.

Snapshots also expire after `TTL_S`, which bounds only the memory of publishers that went quiet.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from service.models import Publisher, as_utc
from service.policy import merged_policy
from service.publishers.accounts import active_secrets
from service.publishers.signing import compute, parse_header

TTL_S = 300.0
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class PublisherSnapshot:
    id: str
    signing_secret: str = field(repr=False)
    previous_signing_secret: str | None = field(repr=False)
    previous_secret_expires_at: datetime | None
    policy_version: int
    policy: dict = field(repr=False)  # the merged policy (defaults and this publisher's overrides)
    loaded_at: float = 0.0

    @classmethod
    def of(cls, publisher: Publisher, default_policy: dict) -> PublisherSnapshot:
        return cls(
            id=publisher.id,
            signing_secret=publisher.signing_secret,
            previous_signing_secret=publisher.previous_signing_secret,
            previous_secret_expires_at=as_utc(publisher.previous_secret_expires_at),
            policy_version=publisher.policy_version,
            policy=merged_policy(default_policy, publisher.policy_overrides),
            loaded_at=time.monotonic(),
        )

    def active_secrets(self, now: datetime) -> list[str]:
        active = [self.signing_secret]
        if self.previous_signing_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            active.append(self.previous_signing_secret)
        return active


def secret_digest(secret: str) -> bytes:
    """What the INSERT's guard compares (sha256 of the secret), so no statement carries a secret as a parameter."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


# The guard of an intake INSERT: the publisher exists, the secret that verified the request is still active,
# and the policy is the one the comment was validated against. Parameters: publisher_id, secret_digest,
# policy_version, now.
GUARD_SQL = """
SELECT p.id FROM publishers AS p
WHERE p.id = :publisher_id AND p.policy_version = :policy_version
  AND (sha256(convert_to(p.signing_secret, 'UTF8')) = :secret_digest
       OR (p.previous_signing_secret IS NOT NULL AND p.previous_secret_expires_at > :now
           AND sha256(convert_to(p.previous_signing_secret, 'UTF8')) = :secret_digest))
"""


def matching_secret(secrets: list[str], body: bytes, header: str | None, now_s: float, tolerance_s: int) -> str | None:
    """The secret whose signature the header carries, or None. Every pair is compared, in constant time,
    so timing tells neither which value nor which secret matched (as service.publishers.signing.verify_any)."""
    parsed = parse_header(header or "")
    if parsed is None or not secrets:
        return None
    timestamp, candidates = parsed
    if abs(now_s - timestamp) > tolerance_s:
        return None
    found = None
    for secret in secrets:
        expected = compute(secret, timestamp, body).encode()
        matched = False
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
        if matched and found is None:
            found = secret
    return found


class PublisherCache:
    """Snapshots by publisher id, per process (each gunicorn worker has its own)."""

    def __init__(self, default_policy: dict, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES):
        self.default_policy = default_policy
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, PublisherSnapshot] = {}
        self._lock = threading.Lock()

    def get(self, publisher_id: str) -> PublisherSnapshot | None:
        snapshot = self._entries.get(publisher_id)
        if snapshot is not None and time.monotonic() - snapshot.loaded_at > self.ttl_s:
            self.drop(publisher_id)
            return None
        return snapshot

    def put(self, publisher: Publisher) -> PublisherSnapshot:
        snapshot = PublisherSnapshot.of(publisher, self.default_policy)
        with self._lock:
            if len(self._entries) >= self.max_entries and publisher.id not in self._entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest entry
            self._entries[publisher.id] = snapshot
        return snapshot

    def drop(self, publisher_id: str) -> None:
        with self._lock:
            self._entries.pop(publisher_id, None)


def stored_secrets(publisher: Publisher, now: datetime) -> list[str]:
    """The secrets active now, as stored (service.publishers.accounts.active_secrets)."""
    return active_secrets(publisher, now)
