"""HMAC-SHA256 request signing, used in both directions.

Header: `X-Kavalu-Signature: t=<unix seconds>,v1=<hex>`, the hex being
HMAC-SHA256 of "<t>." + raw body under the publisher's signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Kavalu-Signature"
PUBLISHER_HEADER = "X-Kavalu-Publisher"


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def parse_header(header: str) -> tuple[int, list[str]] | None:
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return None
    return timestamp, candidates


def verify(secret: str, body: bytes, header: str | None, now: float, tolerance_s: int) -> bool:
    parsed = parse_header(header or "")
    if parsed is None:
        return False
    timestamp, candidates = parsed
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = compute(secret, timestamp, body).encode()
    # Check every candidate so timing doesn't reveal which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
    return matched
