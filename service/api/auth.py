"""Who is calling: publishers sign their requests (see service/publishers/signing.py)."""

from __future__ import annotations

import time

from flask import current_app, request

from service.errors import ApiError
from service.models import Publisher
from service.publishers import signing
from service.publishers.accounts import active_secrets


def _invalid_signature() -> ApiError:
    # One answer for unknown publisher, bad signature and stale timestamp: don't tell which.
    return ApiError.single(401, "invalid_signature", "The request signature is missing, invalid or expired.")


def authenticate_publisher(session) -> Publisher:
    publisher_id = request.headers.get(signing.PUBLISHER_HEADER, "")
    header = request.headers.get(signing.SIGNATURE_HEADER)
    body = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not publisher_id or len(publisher_id) > 40 or not header:
        raise _invalid_signature()
    publisher = session.get(Publisher, publisher_id)
    settings = current_app.config["KAVALU_SETTINGS"]
    # During a rotation's grace the previous secret verifies too.
    if publisher is None or not signing.verify_any(
        active_secrets(publisher), body, header, time.time(), settings.signature_tolerance_s
    ):
        raise _invalid_signature()
    return publisher
