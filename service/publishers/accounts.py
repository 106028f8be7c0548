"""Publishers: creation, secrets and per-publisher policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Publisher, as_utc, utcnow
from service.policy import check_overrides, merged_policy
from service.publishers.signing import new_signing_secret
from service.sealing import KEYS_HINT, SealingError, sealer_for, sealer_of
from service.strings import storable


class PublisherError(ValueError):
    pass


MAX_NAME = 200
MAX_CALLBACK_URL = 2000
_HOST = re.compile(r"[^\s/\\?#@]+")  # no spaces in a host name ("exa mple.org")


def validate_callback_url(url: str | None) -> str | None:
    if url is None or url == "":
        return None
    if len(url) > MAX_CALLBACK_URL or not storable(url):
        raise PublisherError(f"callback_url must be at most {MAX_CALLBACK_URL} characters, without control characters")
    parts = urlsplit(url)
    try:
        port = parts.port  # raises for a port past 65535
    except ValueError:
        port = 0
    if port == 0:
        raise PublisherError("callback_url has a port that is not 1 to 65535")
    if parts.scheme not in ("http", "https") or not parts.hostname or not _HOST.fullmatch(parts.hostname):
        raise PublisherError("callback_url must be an http(s) URL with a host")
    return url


def shown_url(url: str | None) -> str | None:
    """A callback URL as shown to people (the CLI, the console) and kept in the audit trail: a password in it, and
    the values of its query string (`?token=...`), which a publisher may have put there as its endpoint's
    credential, replaced by ***."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(":" + parts.password + "@", ":***@", 1))
    if parts.query:
        names = (pair.partition("=")[0] for pair in parts.query.split("&"))
        parts = parts._replace(query="&".join(f"{name}=***" for name in names))
    return parts.geturl()


def create(session: Session, name: str, callback_url: str | None, actor: str = "cli") -> tuple[Publisher, str]:
    if not name.strip() or len(name.strip()) > MAX_NAME or not storable(name):
        raise PublisherError(f"name is required: 1 to {MAX_NAME} characters, without control characters")
    secret = new_signing_secret()
    publisher = Publisher(
        name=name.strip(),
        callback_url=validate_callback_url(callback_url),
        sealed_signing_secret=sealer_of(session).seal(secret),
        policy_overrides={},
    )
    session.add(publisher)
    session.flush()
    session.add(
        AuditEvent(
            publisher_id=publisher.id,
            actor=actor,
            action="publisher_created",
            after={"name": publisher.name, "callback_url": shown_url(publisher.callback_url)},
        )
    )
    return publisher, secret


def list_all(session: Session) -> list[Publisher]:
    return list(session.scalars(select(Publisher).order_by(Publisher.created_at)))


def get(session: Session, publisher_id: str, for_update: bool = False) -> Publisher:
    """for_update: to change the row; two changes at once (two rotations, two policy edits) then take turns instead
    of one overwriting the other's (a rotated secret handed to an operator and never stored)."""
    publisher = session.get(Publisher, publisher_id, with_for_update=for_update)
    if publisher is None:
        raise PublisherError(f"no publisher {publisher_id}")
    return publisher


DEFAULT_GRACE = timedelta(hours=24)
# A leaked secret stays usable for the whole grace, so it is bounded.
MAX_GRACE = timedelta(days=30)
_GRACE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_grace(text: str) -> timedelta:
    """`90s`, `15m`, `24h` or `7d` as a duration, from one second up to MAX_GRACE."""
    match = re.fullmatch(r"\s*(\d{1,7})\s*([smhd])\s*", text.lower())
    if not match:
        raise PublisherError(f"grace must be a number and a unit (s, m, h or d), like 90s, 15m, 24h or 7d: {text!r}")
    grace = timedelta(seconds=int(match.group(1)) * _GRACE_UNITS[match.group(2)])
    if not timedelta(seconds=1) <= grace <= MAX_GRACE:
        raise PublisherError("grace must be between 1s and 30d (use --now to revoke the old secret at once)")
    return grace


@dataclass
class Rotation:
    secret: str
    previous_valid_until: datetime | None  # None: the old secret was revoked at once


def rotate_secret(
    session: Session,
    publisher_id: str,
    grace: timedelta | None = DEFAULT_GRACE,
    now: datetime | None = None,
    actor: str = "cli",
) -> Rotation:
    """Issue a new signing secret. The replaced one stays valid for `grace` (None: revoked at once).

    At most two secrets are active: a second rotation inside the grace drops the oldest one.
    """
    now = now or utcnow()
    publisher = get(session, publisher_id, for_update=True)
    sealer = sealer_of(session)
    if grace is None:
        publisher.sealed_previous_signing_secret, publisher.previous_secret_expires_at = None, None
    else:
        # Sealed again, so that after a rotation both active secrets are under the first sealing key.
        publisher.sealed_previous_signing_secret = sealer.seal(sealer.open(publisher.sealed_signing_secret))
        publisher.previous_secret_expires_at = now + grace
    secret = new_signing_secret()
    publisher.sealed_signing_secret = sealer.seal(secret)
    valid_until = publisher.previous_secret_expires_at
    session.add(
        AuditEvent(
            publisher_id=publisher.id,
            actor=actor,
            action="secret_rotated",
            after={"previous_valid_until": valid_until.isoformat() if valid_until else None},
            created_at=now,
        )
    )
    return Rotation(secret, valid_until)


def previous_secret_valid_until(publisher: Publisher, now: datetime | None = None) -> datetime | None:
    """When the replaced secret stops working, or None if it already has (or there is none)."""
    expires_at = as_utc(publisher.previous_secret_expires_at)
    if publisher.sealed_previous_signing_secret and expires_at is not None and expires_at > (now or utcnow()):
        return expires_at
    return None


def active_sealed_secrets(publisher: Publisher, now: datetime | None = None) -> list[str]:
    """The secrets that sign and verify now, as stored: the current one first, then the previous one during its
    grace."""
    active = [publisher.sealed_signing_secret]
    if publisher.sealed_previous_signing_secret and previous_secret_valid_until(publisher, now):
        active.append(publisher.sealed_previous_signing_secret)
    return active


def reseal_secrets(session: Session, actor: str = "cli") -> int:
    """Seal every stored secret again under the first sealing key; the secrets themselves stay the same. After it, the
    keys after the first can be taken out of KAVALU_SEALING_KEYS. Returns the number of publishers."""
    sealer = sealer_of(session)
    stored = list(session.scalars(select(Publisher).order_by(Publisher.id).with_for_update()))
    for publisher in stored:
        publisher.sealed_signing_secret = sealer.reseal(publisher.sealed_signing_secret)
        if publisher.sealed_previous_signing_secret:
            publisher.sealed_previous_signing_secret = sealer.reseal(publisher.sealed_previous_signing_secret)
    session.add(AuditEvent(actor=actor, action="signing_secrets_resealed", after={"publishers": len(stored)}))
    return len(stored)


def unreadable_publishers(session: Session, now: datetime | None = None) -> list[str]:
    """The ids of the publishers whose active signing secrets this process's keys do not open (a store restored
    without its sealing key, a process given other keys, a key dropped before `reseal-secrets`)."""
    sealer = sealer_of(session)
    stored = session.execute(
        select(
            Publisher.id,
            Publisher.sealed_signing_secret,
            Publisher.sealed_previous_signing_secret,
            Publisher.previous_secret_expires_at,
        ).order_by(Publisher.id)
    )
    now = now or utcnow()
    unreadable = []
    for publisher_id, sealed, sealed_previous, previous_expires_at in stored:
        active = [sealed]
        if sealed_previous and previous_expires_at is not None and as_utc(previous_expires_at) > now:
            active.append(sealed_previous)
        if not all(sealer.opens(value) for value in active):
            unreadable.append(publisher_id)
    return unreadable


def check_sealing_keys(session: Session) -> None:
    """Raise SealingError unless this process's keys open every publisher's active signing secrets (readiness: a
    process with other keys than those that sealed them can neither verify requests nor sign callbacks), or this
    process has no keys to seal a new publisher's secret with."""
    sealer_of(session).check_keys()
    unreadable = unreadable_publishers(session)
    if unreadable:
        shown = ", ".join(unreadable[:5]) + (f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else "")
        raise SealingError(
            f"the signing secrets of {len(unreadable)} publisher(s) ({shown}) were sealed with a key this process"
            f" does not have: {KEYS_HINT}; a store restored without its key: `kavalu publishers rotate-secret"
            " --unreadable`"
        )


def active_secrets(publisher: Publisher, now: datetime | None = None) -> list[str]:
    """The secrets that sign and verify now, opened: the current one first, then the previous one during its
    grace. `publisher` must belong to a session (whose sealer opens them)."""
    sealer = sealer_for(publisher)
    return [sealer.open(sealed) for sealed in active_sealed_secrets(publisher, now)]


def set_policy(session: Session, publisher_id: str, overrides: dict, default_policy: dict, actor: str = "cli") -> dict:
    """Replace the publisher's overrides; raises PolicyInvalid listing every problem, or PublisherError.

    The one place the CLI, the admin API and the console change a policy."""
    check_overrides(overrides, default_policy)
    publisher = get(session, publisher_id, for_update=True)
    before = publisher.policy_overrides
    publisher.policy_overrides = overrides
    publisher.policy_version += 1
    session.add(
        AuditEvent(publisher_id=publisher.id, actor=actor, action="policy_changed", before=before, after=overrides)
    )
    return merged_policy(default_policy, overrides)
