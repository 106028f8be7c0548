"""Rate limits on intake, per publisher and per author IP (Flask-Limiter, on Redis when configured).

Only signed requests count, so nobody can spend a publisher's allowance by
sending junk under its id. If Redis is unreachable, comments are not refused
(losing accepted data is worse than a burst): each process counts the limits in
its own memory until Redis answers again. The switch is logged once each way,
a WARNING when Redis is lost and an INFO when it is back, with no traceback per request.

The key functions never raise: a key function that raises makes Flask-Limiter
log an ERROR traceback for what is only a client's bad body.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from service.errors import FieldError, error_response
from service.intake.body import peek_json_body
from service.publishers.signing import PUBLISHER_HEADER

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


def _signed(response) -> bool:
    return response.status_code != 401


def _publisher_key() -> str:
    return "publisher:" + request.headers.get(PUBLISHER_HEADER, "")[:40]


def _author_ip_key() -> str:
    body = peek_json_body()  # the view's own parse, cached; None for a bad, missing or over-limit body
    author = body.get("author") if isinstance(body, dict) else None
    ip = author.get("ip") if isinstance(author, dict) else None
    return "author-ip:" + (ip.strip()[:64] if isinstance(ip, str) else "-")


def _limit(name: str):
    return lambda: getattr(current_app.config["KAVALU_SETTINGS"], name)


per_publisher = limiter.limit(_limit("rate_limit_per_publisher"), key_func=_publisher_key, deduct_when=_signed)
per_author_ip = limiter.limit(_limit("rate_limit_per_author_ip"), key_func=_author_ip_key, deduct_when=_signed)
