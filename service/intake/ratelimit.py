"""Rate limits on intake, per publisher and per author IP, both in one Redis round trip.

Only signed requests count, so nobody can spend a publisher's allowance by sending junk under its id:
the view checks the limits after the signature. Both limits are fixed windows, counted by one Lua script
(`IntakeLimits`): it counts the request against both, and if either is over, takes it back from both, so
refused requests count against neither (as before). If Redis is unreachable, comments are not refused
(losing accepted data is worse than a burst): each process counts the limits in its own memory and
tries Redis again after 1, 2, 4 ... 32 s. The switch is logged once each way, a WARNING when Redis is
lost and an INFO when it is back, with no traceback per request.

The per-IP counter is named by a keyed hash of the sender's IP (`ident_hash`), never the IP: Redis keeps key names
in its append-only file, which is not where senders' IPs may go. The hash key is derived from the first sealing key
(service/sealing.py), which every API process already shares, so the processes still count each IP together; it comes
from the app's own Sealer (service.db.Database.sealer), which reads the keys once per process. An unkeyed hash would
not do: every IPv4 address is hashed in minutes.

The Flask-Limiter instance `limiter` stays for the other endpoints' limits (API keys).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import threading
import time
from dataclasses import dataclass

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse

from service.config import Settings
from service.errors import ApiError, FieldError, error_response
from service.sealing import Sealer

log = logging.getLogger(__name__)

# X-RateLimit-* headers on every answer cost more than the rest of the check; a 429 still says Retry-After.
# in_memory_fallback_enabled: on a storage error, count in memory and look at Redis again now and then
# (after 1, 2, 4 ... 32 s) instead of logging "Failed to rate limit" with a traceback on every request.
limiter = Limiter(
    key_func=lambda: "global",
    headers_enabled=False,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    strategy="fixed-window",
)

# Endpoints no Flask-Limiter limit applies to: intake counts its own limits (IntakeLimits), and the probes are
# never limited. Flask-Limiter resolves the limits of every request before it looks at them: this filter
# skips that work on the hottest paths (8 % of a loaded intake worker's CPU, py-spy).
UNLIMITED_ENDPOINTS = frozenset({"comments.submit_comment", "ops.healthz", "ops.readyz", "ops.metrics"})


@limiter.request_filter
def _not_limited() -> bool:
    return request.endpoint in UNLIMITED_ENDPOINTS


def init_app(app: Flask) -> None:
    settings = app.config["KAVALU_SETTINGS"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if settings.redis_url else {},
    )
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "kavalu-ratelimit")
    app.config.setdefault("RATELIMIT_ENABLED", settings.rate_limits_enabled)
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        # The window's length: an upper bound on the wait, without another round trip to Redis.
        retry_after = max(1, int(error.limit.limit.get_expiry()))
        return error_response(
            429,
            [FieldError(None, "rate_limited", f"Rate limit hit ({error.description}).")],
            {"Retry-After": str(retry_after)},
        )


NO_AUTHOR_IP = "-"


def author_ip_key(body: object) -> str:
    """The author IP of a parsed body (None for a bad or missing body): what the per-IP limit counts by."""
    author = body.get("author") if isinstance(body, dict) else None
    ip = author.get("ip") if isinstance(author, dict) else None
    return ip.strip()[:64] if isinstance(ip, str) else NO_AUTHOR_IP


@dataclass(frozen=True)
class Window:
    name: str
    amount: int
    seconds: int
    text: str


# KEYS: one counter per limit; ARGV: each limit's amount and expiry in turn. Returns 0, or the 1-based index
# of a limit that is over (and then every counter is taken back: a refused request counts against none).
_COUNT_SCRIPT = """
local over = 0
for i, key in ipairs(KEYS) do
  local seen = redis.call('INCR', key)
  if seen == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if over == 0 and seen > tonumber(ARGV[2 * i - 1]) then over = i end
end
if over > 0 then
  for _, key in ipairs(KEYS) do redis.call('DECR', key) end
end
return over
"""
KEY_PREFIX = "kavalu-intake-limit"
MAX_BACKOFF_S = 32.0
IDENT_KEY_CONTEXT = b"kavalu rate-limit keys"


def ident_hash_key(sealer: Sealer) -> bytes:
    """The key of `ident_hash`, derived from the first sealing key and so shared by every process (a new first
    sealing key starts the per-IP counters of the current window over, nothing more). SealingKeysMissing on
    PostgreSQL without keys, as intake's signature check."""
    return sealer.derived_key(IDENT_KEY_CONTEXT)


def ident_hash(key: bytes, ident: str) -> str:
    """What a per-IP counter is named by: HMAC-SHA256 of the IP (or no-IP bucket) under `key`, 128 bits in hex."""
    # surrogatepass: counted before the body is validated, an "ip" may hold a lone surrogate ("\\ud800").
    return hmac.new(key, ident.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


class IntakeLimits:
    """The per-publisher and per-author-IP limits of intake, checked together in one round trip."""

    def __init__(self, settings: Settings, sealer: Sealer):
        """`sealer`: the app's (service.db.Database.sealer): the per-IP hash key is derived from its keys, read once
        per process."""
        self.enabled = settings.rate_limits_enabled
        self.windows = [
            _window("publisher", settings.rate_limit_per_publisher),
            _window("author-ip", settings.rate_limit_per_author_ip),
        ]
        self.redis = None
        self._script = None
        self._settings = settings
        self._sealer = sealer
        if settings.redis_url:
            import redis

            self.redis = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)
            self._script = self.redis.register_script(_COUNT_SCRIPT)
        self._memory: dict[str, int] = {}
        self._memory_lock = threading.Lock()
        self._redis_lost = False
        self._retry_at = 0.0
        self._backoff_s = 1.0

    @functools.cached_property
    def _ident_key(self) -> bytes:
        # Counted in this process's memory only, a key of its own is enough; in Redis, every process's must match.
        return ident_hash_key(self._sealer) if self._settings.redis_url else os.urandom(32)

    def check(self, publisher_id: str, author_ip: str, now: float | None = None) -> None:
        """Count this request against both limits; raise a 429 ApiError (with Retry-After) if either is over."""
        if not self.enabled:
            return
        now = time.time() if now is None else now
        keys = [
            f"{KEY_PREFIX}:{window.name}:{window.amount}/{window.seconds}:{int(now // window.seconds)}:{ident}"
            # A body without an author IP (malformed, or a 422 to come) counts in its publisher's own "no IP" bucket:
            # one shared by every publisher let one publisher's bad requests refuse another's.
            for window, ident in zip(
                self.windows,
                (
                    publisher_id[:40],
                    ident_hash(
                        self._ident_key,
                        author_ip if author_ip != NO_AUTHOR_IP else f"{NO_AUTHOR_IP}{publisher_id[:40]}",
                    ),
                ),
            )
        ]
        over = self._count_in_redis(keys, now)
        if over is None:
            over = self._count_in_memory(keys, now)
        if over:
            window = self.windows[over - 1]
            retry_after = max(1, int(window.seconds - now % window.seconds + 0.999))
            raise ApiError(
                429,
                [FieldError(None, "rate_limited", f"Rate limit hit ({window.text}).")],
                {"Retry-After": str(retry_after)},
            )

    def _count_in_redis(self, keys: list[str], now: float) -> int | None:
        if self._script is None or (self._redis_lost and time.monotonic() < self._retry_at):
            return None
        args: list[int] = []
        for window in self.windows:
            args += [window.amount, window.seconds + 1]
        try:
            over = int(self._script(keys=keys, args=args))
        except Exception as error:  # redis raises connection, timeout and response errors
            if not self._redis_lost:
                log.warning(
                    "rate limit storage unreachable; counting in memory until it answers",
                    extra={"error": type(error).__name__},
                )
            self._redis_lost = True
            self._retry_at = time.monotonic() + self._backoff_s
            self._backoff_s = min(self._backoff_s * 2, MAX_BACKOFF_S)
            return None
        if self._redis_lost:
            log.info("rate limit storage answers again")
            self._redis_lost, self._backoff_s = False, 1.0
        return over

    def _count_in_memory(self, keys: list[str], now: float) -> int:
        with self._memory_lock:
            if len(self._memory) > 100_000:  # old windows' counters: drop them all now and then
                self._memory.clear()
            seen = [self._memory.get(key, 0) + 1 for key in keys]
            over = next((i + 1 for i, (n, w) in enumerate(zip(seen, self.windows)) if n > w.amount), 0)
            if not over:
                for key, count in zip(keys, seen):
                    self._memory[key] = count
            return over


def _window(name: str, text: str) -> Window:
    item = parse(text)
    return Window(name, int(item.amount), int(item.get_expiry()), text)
