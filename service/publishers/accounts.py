"""Publishers: creation, secrets and per-publisher policy."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Publisher
from service.policy import merged_policy
from service.publishers.signing import new_signing_secret


class PublisherError(ValueError):
    pass


def validate_callback_url(url: str | None) -> str | None:
    if url is None or url == "":
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublisherError("callback_url must be an http(s) URL with a host")
    return url


def create(session: Session, name: str, callback_url: str | None) -> tuple[Publisher, str]:
    if not name.strip():
        raise PublisherError("name is required")
    secret = new_signing_secret()
    publisher = Publisher(
        name=name.strip(), callback_url=validate_callback_url(callback_url), signing_secret=secret, policy_overrides={}
    )
    session.add(publisher)
    session.flush()
    session.add(
        AuditEvent(
            publisher_id=publisher.id,
            actor="cli",
            action="publisher_created",
            after={"name": publisher.name, "callback_url": publisher.callback_url},
        )
    )
    return publisher, secret


def list_all(session: Session) -> list[Publisher]:
    return list(session.scalars(select(Publisher).order_by(Publisher.created_at)))


def get(session: Session, publisher_id: str) -> Publisher:
    publisher = session.get(Publisher, publisher_id)
    if publisher is None:
        raise PublisherError(f"no publisher {publisher_id}")
    return publisher


def rotate_secret(session: Session, publisher_id: str) -> str:
    publisher = get(session, publisher_id)
    publisher.signing_secret = new_signing_secret()
    session.add(AuditEvent(publisher_id=publisher.id, actor="cli", action="secret_rotated"))
    return publisher.signing_secret


def set_policy(session: Session, publisher_id: str, overrides: dict, defaults: dict, actor: str = "cli") -> dict:
    """Replace the publisher's overrides after checking them against the default policy's keys and types."""
    check_overrides(overrides, defaults)
    publisher = get(session, publisher_id)
    before = publisher.policy_overrides
    publisher.policy_overrides = overrides
    publisher.policy_version += 1
    session.add(
        AuditEvent(publisher_id=publisher.id, actor=actor, action="policy_changed", before=before, after=overrides)
    )
    return merged_policy(defaults, overrides)


def check_overrides(overrides: dict, defaults: dict) -> None:
    if not isinstance(overrides, dict):
        raise PublisherError("policy must be a JSON object")
    for key, value in overrides.items():
        if key == "version" or key not in defaults:
            raise PublisherError(f"unknown policy key: {key}")
        if key == "thresholds":
            _check_thresholds(value, defaults["thresholds"])
            continue
        expected = type(defaults[key])
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise PublisherError(f"policy key {key} must be {expected.__name__}")
        if expected is list and not all(isinstance(item, str) for item in value):
            raise PublisherError(f"policy key {key} must be a list of strings")
    if "max_length" in overrides and not 1 <= overrides["max_length"] <= 60000:
        raise PublisherError("max_length must be between 1 and 60000")


def _check_thresholds(thresholds: dict, known: dict) -> None:
    if not isinstance(thresholds, dict):
        raise PublisherError("thresholds must be an object")
    for category, limits in thresholds.items():
        if category not in known or not isinstance(limits, dict):
            raise PublisherError(f"unknown threshold category: {category}")
        for kind, value in limits.items():
            if kind not in ("review", "reject"):
                raise PublisherError(f"threshold kind must be review or reject, not {kind}")
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
            ):
                raise PublisherError(f"threshold {category}.{kind} must be a number in [0, 1] or null")
