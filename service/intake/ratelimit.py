"""Rate limits on intake, per publisher and per author IP (Flask-Limiter, on Redis when configured).

Only signed requests count, so nobody can spend a publisher's allowance by
sending junk under its id. If Redis is unreachable the limits are skipped
rather than refusing comments: losing accepted data is worse than a burst.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from service.errors import FieldError, error_response
from service.publishers.signing import PUBLISHER_HEADER

# X-RateLimit-* headers on every answer cost more than the rest of the check; a 429 still says Retry-After.
limiter = Limiter(key_func=lambda: "global", headers_enabled=False, swallow_errors=True, strategy="fixed-window")


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
    body = request.get_json(silent=True, cache=True)
    author = body.get("author") if isinstance(body, dict) else None
    ip = author.get("ip") if isinstance(author, dict) else None
    return "author-ip:" + (ip.strip()[:64] if isinstance(ip, str) else "-")


def _limit(name: str):
    return lambda: getattr(current_app.config["KAVALU_SETTINGS"], name)


per_publisher = limiter.limit(_limit("rate_limit_per_publisher"), key_func=_publisher_key, deduct_when=_signed)
per_author_ip = limiter.limit(_limit("rate_limit_per_author_ip"), key_func=_author_ip_key, deduct_when=_signed)
