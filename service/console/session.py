"""Console sessions: a moderator token exchanged for a signed cookie, checked against the moderator row every time.

No session table. The cookie holds the moderator id, a fingerprint of the token's stored hash, the
sign-in and last-request times and the CSRF token, signed with the console secret (itsdangerous, HMAC).
Every request loads the moderator row, so a revoked token (or a token replaced by a new moderator row)
ends its sessions at once; a session idle longer than console_idle_timeout_s, or older than
console_session_max_s, is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from service.config import Settings
from service.models import Moderator
from service.review import moderators
from service.review.audit import actor_name, audit
from service.sealing import Sealer

COOKIE_NAME = "kavalu_console"
SIGN_IN_COOKIE_NAME = "kavalu_console_signin"
COOKIE_PATH = "/console"
SECRET_CONTEXT = b"kavalu console session cookie"


@dataclass(frozen=True)
class ConsoleSession:
    moderator_id: str
    fingerprint: str
    issued_at: float
    last_seen: float
    csrf_token: str


def console_secret(settings: Settings, sealer: Sealer) -> str:
    """KAVALU_CONSOLE_SECRET, or a key derived from the first sealing key: every API host that can open the
    publishers' signing secrets signs the same cookies, with nothing more to configure (a new first sealing key
    signs every moderator out). SealingKeysMissing on PostgreSQL without keys."""
    if settings.console_secret:
        return settings.console_secret
    return sealer.derived_key(SECRET_CONTEXT).hex()


def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt)


def token_fingerprint(secret: str, token_hash: str) -> str:
    """Ties a session to the token it was opened with, without putting the token's hash in the cookie."""
    return hmac.new(secret.encode(), token_hash.encode(), hashlib.sha256).hexdigest()[:32]


def sign_in(session: Session, token: str | None, secret: str, now: float) -> tuple[ConsoleSession, Moderator] | None:
    """A new console session for the holder of an active moderator token, or None. Either way the attempt goes
    into the audit trail (never the token), for the caller to commit."""
    moderator = moderators.authenticate(session, (token or "").strip() or None)
    if moderator is None:
        audit(session, actor="anonymous", action="console_sign_in_refused")
        return None
    audit(session, actor=actor_name(moderator), action="console_signed_in")
    opened = ConsoleSession(
        moderator_id=moderator.id,
        fingerprint=token_fingerprint(secret, moderator.token_hash),
        issued_at=now,
        last_seen=now,
        csrf_token=secrets.token_urlsafe(32),
    )
    return opened, moderator


def sign_out(session: Session, moderator: Moderator) -> None:
    """Into the audit trail, for the caller to commit (the cookie is dropped by the view)."""
    audit(session, actor=actor_name(moderator), action="console_signed_out")


def encode(console_session: ConsoleSession, secret: str) -> str:
    return str(_serializer(secret, "console-session").dumps(asdict(console_session)))


def decode(raw: str | None, secret: str) -> ConsoleSession | None:
    if not raw or len(raw) > 4000:
        return None
    try:
        data = _serializer(secret, "console-session").loads(raw)
        return ConsoleSession(**data)
    except (BadSignature, TypeError, ValueError):
        return None


def resume(
    session: Session, raw: str | None, settings: Settings, secret: str, now: float
) -> tuple[ConsoleSession, Moderator] | None:
    """The session a cookie carries and its moderator, or None: bad signature, idle, too old, revoked token."""
    current = decode(raw, secret)
    if current is None:
        return None
    if (
        now - current.last_seen > settings.console_idle_timeout_s
        or now - current.issued_at > settings.console_session_max_s
    ):
        return None
    moderator = session.get(Moderator, current.moderator_id)
    if moderator is None or moderator.revoked_at is not None:
        return None
    if not hmac.compare_digest(current.fingerprint, token_fingerprint(secret, moderator.token_hash)):
        return None
    return current, moderator


def touched(current: ConsoleSession, now: float) -> ConsoleSession:
    return ConsoleSession(current.moderator_id, current.fingerprint, current.issued_at, now, current.csrf_token)


def csrf_matches(expected: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(expected.encode(), (submitted or "").encode())


# The sign-in form has no session yet: its CSRF token is a random value in a short-lived signed cookie
# that the form must echo (a cross-site page can neither read the cookie nor make the browser send it).


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def encode_sign_in_token(token: str, secret: str) -> str:
    return str(_serializer(secret, "console-sign-in").dumps(token))


def decode_sign_in_token(raw: str | None, secret: str) -> str | None:
    if not raw or len(raw) > 1000:
        return None
    try:
        value = _serializer(secret, "console-sign-in").loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None
