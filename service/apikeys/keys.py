"""API keys for the drop-in endpoints (/v1/analyze, Perspective, OpenAI moderation, Coral), one scope each.

A key is "kvk_" + 32 random bytes (urlsafe base64), shown once. Only its sha256 is stored, as for moderator
tokens: 256 bits of entropy need no slow hash. Keys are checked against the database on every request, so a
revoked key fails on its next use.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import ApiKey, AuditEvent, Publisher, utcnow
from service.review.moderators import hash_token  # keys are hashed as moderator tokens are

KEY_PREFIX = "kvk_"
SCOPES = ("analyze", "perspective", "openai", "coral")
MAX_KEY_LENGTH = 200


class ApiKeyError(ValueError):
    pass


def rate_limit_key(key: str) -> str:
    """What the rate limiter counts under: a prefix of the key's hash, never the key itself."""
    return "apikey:" + hash_token(key[:MAX_KEY_LENGTH])[:32]


def create(
    session: Session, publisher_id: str, scope: str, store_text: bool = True, now: datetime | None = None
) -> tuple[ApiKey, str]:
    if scope not in SCOPES:
        raise ApiKeyError(f"scope must be one of {', '.join(SCOPES)}")
    if session.get(Publisher, publisher_id) is None:
        raise ApiKeyError(f"no publisher {publisher_id}")
    now = now or utcnow()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        publisher_id=publisher_id, scope=scope, token_hash=hash_token(key), store_text=store_text, created_at=now
    )
    session.add(row)
    session.flush()
    session.add(
        AuditEvent(
            publisher_id=publisher_id,
            actor="cli",
            action="api_key_created",
            after={"key_id": row.id, "scope": scope, "store_text": store_text},
            created_at=now,
        )
    )
    return row, key


def list_keys(session: Session, publisher_id: str | None = None, include_revoked: bool = False) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if publisher_id:
        query = query.where(ApiKey.publisher_id == publisher_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke(session: Session, key_id: str, now: datetime | None = None) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise ApiKeyError(f"no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(
            AuditEvent(publisher_id=row.publisher_id, actor="cli", action="api_key_revoked", after={"key_id": row.id})
        )
    return row


def authenticate(session: Session, key: str | None, scope: str) -> ApiKey | None:
    """The active key of this scope, or None (unknown, revoked, another scope: the caller does not learn which)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(KEY_PREFIX):
        return None
    digest = hash_token(key)
    row = session.scalars(select(ApiKey).where(ApiKey.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or row.scope != scope:
        return None
    return row


def view(row: ApiKey) -> dict:
    return {
        "id": row.id,
        "publisher_id": row.publisher_id,
        "scope": row.scope,
        "store_text": row.store_text,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }
