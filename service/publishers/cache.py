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

import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from service.models import Publisher, as_utc
from service.policy import merged_policy
from service.publishers.signing import compute, parse_header
from service.sealing import sealer_for

TTL_S = 300.0
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class PublisherSnapshot:
    id: str
    # The current secret and, after a rotation, the previous one: each opened, with its sealed form as stored,
    # which the INSERT's guard compares.
    signing_secret: str = field(repr=False)
    sealed_signing_secret: str = field(repr=False)
    previous_signing_secret: str | None = field(repr=False)
    sealed_previous_signing_secret: str | None = field(repr=False)
    previous_secret_expires_at: datetime | None
    policy_version: int
    policy: dict = field(repr=False)  # the merged policy (defaults and this publisher's overrides)
    loaded_at: float = 0.0

    @classmethod
    def of(cls, publisher: Publisher, default_policy: dict) -> PublisherSnapshot:
        sealer = sealer_for(publisher)
        sealed_previous = publisher.sealed_previous_signing_secret
        return cls(
            id=publisher.id,
            signing_secret=sealer.open(publisher.sealed_signing_secret),
            sealed_signing_secret=publisher.sealed_signing_secret,
            previous_signing_secret=sealer.open(sealed_previous) if sealed_previous else None,
            sealed_previous_signing_secret=sealed_previous,
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

    def sealed(self, secret: str) -> str:
        """The stored form of one of this snapshot's secrets (what the INSERT's guard compares; never the secret)."""
        pairs = [(self.signing_secret, self.sealed_signing_secret)]
        if self.previous_signing_secret and self.sealed_previous_signing_secret:
            pairs.append((self.previous_signing_secret, self.sealed_previous_signing_secret))
        for opened, stored in pairs:
            if hmac.compare_digest(secret, opened):
                return stored
        raise ValueError("not a secret of this publisher")


# The guard of an intake INSERT: the publisher exists, the secret that verified the request is still active,
# and the policy is the one the comment was validated against. Parameters: publisher_id, sealed_secret (the
# secret's stored form, which changes with every rotation), policy_version, now.
GUARD_SQL = """
SELECT p.id FROM publishers AS p
WHERE p.id = :publisher_id AND p.policy_version = :policy_version
  AND (p.sealed_signing_secret = :sealed_secret
       OR (p.previous_secret_expires_at > :now AND p.sealed_previous_signing_secret = :sealed_secret))
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
