"""Moderator, legal and admin bearer tokens.

A token is "kvm_" + 32 random bytes (urlsafe base64). Only its sha256 is stored:
the token has 256 bits of entropy, so a slow password hash would add nothing,
and a fast hash lets every request be checked with one indexed look-up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Moderator, utcnow

ROLES = ("moderator", "legal", "admin")
TOKEN_PREFIX = "kvm_"
# Longer inputs are refused before hashing: no token we issue is anywhere near this.
MAX_TOKEN_LENGTH = 200


class ModeratorError(Exception):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(
    session: Session, name: str, role: str, actor: str = "cli", now: datetime | None = None
) -> tuple[Moderator, str]:
    """A new moderator and its token; the plaintext token is returned here once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ModeratorError("name must be 1-200 characters")
    if role not in ROLES:
        raise ModeratorError(f"role must be one of {', '.join(ROLES)}")
    now = now or utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moderator = Moderator(name=name, role=role, token_hash=hash_token(token), created_at=now)
    session.add(moderator)
    session.flush()
    session.add(
        AuditEvent(
            actor=actor,
            action="moderator_created",
            before=None,
            after={"moderator_id": moderator.id, "name": name, "role": role},
            created_at=now,
        )
    )
    return moderator, token


def list_all(session: Session, include_revoked: bool = True) -> list[Moderator]:
    query = select(Moderator).order_by(Moderator.created_at, Moderator.id)
    if not include_revoked:
        query = query.where(Moderator.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke(session: Session, moderator_id: str, actor: str = "cli", now: datetime | None = None) -> Moderator:
    """Revoke a token; the next request that carries it gets 401 (tokens are checked against the DB every time)."""
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise ModeratorError(f"no moderator {moderator_id}")
    if moderator.revoked_at is None:
        now = now or utcnow()
        moderator.revoked_at = now
        session.add(
            AuditEvent(
                actor=actor,
                action="moderator_revoked",
                before={"revoked_at": None},
                after={"moderator_id": moderator.id, "revoked_at": now.isoformat()},
                created_at=now,
            )
        )
    return moderator


def authenticate(session: Session, token: str | None) -> Moderator | None:
    """The active moderator holding `token`, or None.

    The row is found by the token's hash, so the database compares hashes, not
    tokens: timing can at most reveal a prefix of a sha256 digest, which says
    nothing about the token. The final comparison is still constant-time
    (hmac.compare_digest) so that no code path compares secrets byte by byte.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    moderator = session.scalars(select(Moderator).where(Moderator.token_hash == digest)).first()
    if moderator is None or not hmac.compare_digest(moderator.token_hash, digest):
        return None
    if moderator.revoked_at is not None:
        return None
    return moderator
