"""HMAC-SHA256 request signing, used in both directions.

Header: `X-Kavalu-Signature: t=<unix seconds>,v1=<hex>`, the hex being
HMAC-SHA256 of "<t>." + raw body under the publisher's signing secret.
While a rotated secret is in its grace period, a header may carry one `v1=`
per active secret (`t=...,v1=<new>,v1=<old>`), and any of them may match.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Kavalu-Signature"
PUBLISHER_HEADER = "X-Kavalu-Publisher"


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return signature_header_for_secrets([secret], body, timestamp)


def signature_header_for_secrets(signing_secrets: Sequence[str], body: bytes, timestamp: int) -> str:
    """One `v1=` per secret, in the order given (the current secret first)."""
    return ",".join([f"t={timestamp}", *(f"v1={compute(secret, timestamp, body)}" for secret in signing_secrets)])


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
    return verify_any([secret], body, header, now, tolerance_s)


def verify_any(signing_secrets: Sequence[str], body: bytes, header: str | None, now: float, tolerance_s: int) -> bool:
    """True when any `v1=` value of the header is the signature under any of the secrets."""
    parsed = parse_header(header or "")
    if parsed is None or not signing_secrets:
        return False
    timestamp, candidates = parsed
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = [compute(secret, timestamp, body).encode() for secret in signing_secrets]
    # Compare every pair, so timing tells neither which value nor which secret matched.
    matched = False
    for candidate in candidates:
        given = candidate.encode("ascii", "replace")
        for signature in expected:
            matched |= hmac.compare_digest(signature, given)
    return matched
