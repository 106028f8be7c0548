"""Reading an API key off a request, and the per-key rate limit (Flask-Limiter, the limiter intake uses).

Clients put the key where their ecosystem does: Perspective's `?key=` (or `X-Goog-Api-Key`), OpenAI's and
Kavalu's `Authorization: Bearer`. The limiter counts under a prefix of the key's hash; the key never reaches
a log line or the limiter's storage.
"""

from __future__ import annotations

from flask import current_app, request

from service.apikeys.keys import MAX_KEY_LENGTH, rate_limit_key
from service.intake.ratelimit import limiter


def presented_key() -> str | None:
    key = request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    if not key:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        key = value.strip() if scheme.lower() == "bearer" else None
    return key[: MAX_KEY_LENGTH + 1] if key else None


def _key_of_request() -> str:
    key = presented_key()
    return rate_limit_key(key) if key else "apikey:-"


def _counted(response) -> bool:
    # Only requests with a valid key spend its allowance: nobody can exhaust a key they do not hold.
    return response.status_code not in (401, 403) and not (
        response.status_code == 400 and b"API_KEY_INVALID" in response.get_data()
    )


def _limit() -> str:
    return current_app.config["KAVALU_SETTINGS"].rate_limit_per_api_key


per_api_key = limiter.limit(_limit, key_func=_key_of_request, deduct_when=_counted)
