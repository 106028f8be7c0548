"""POST /v1/comments answered in front of Flask's request cycle.

Intake is the one endpoint every publisher calls for every comment, and Flask's cycle (the request and
response objects, routing, the app and request contexts, flask-smorest's decorators) cost more than the
rest of an intake request once that rest was one SQL statement and two Redis calls (docs/benchmarks.md,
*Intake alone*). This WSGI middleware reads the signed body straight off the environ and answers through the
same function as the view (service.api.comments.accept_comment), with the same error bodies, security
headers, X-Request-ID and intake metric as service.app gives every answer.

It passes to Flask, untouched, every request it would have to second-guess: another path or method, no
Content-Length (a chunked body), a body declared over the limit, a media type other than plain
`application/json`. The view answers those as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import HTTP_STATUS_CODES

from service.api.comments import accept_comment
from service.api.context import SECURITY_HEADERS, incoming_request_id
from service.errors import (
    INTERNAL_ERROR,
    SEALING_KEYS_MISSING,
    STORE_ERRORS,
    STORE_UNAVAILABLE,
    ApiError,
    error_body,
)
from service.intake import lean
from service.intake.body import parse_json
from service.logs import request_id
from service.ops.metrics import INTAKE_REQUESTS
from service.publishers.signing import PUBLISHER_HEADER, SIGNATURE_HEADER
from service.sealing import SealingError

INTAKE_PATH = "/v1/comments"
_PUBLISHER_KEY, _SIGNATURE_KEY = (
    "HTTP_" + name.upper().replace("-", "_") for name in (PUBLISHER_HEADER, SIGNATURE_HEADER)
)


class IntakeFastPath:
    """WSGI middleware: signed JSON posts to /v1/comments, without Flask; everything else, to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.wsgi_app = wsgi_app
        self.max_body = app.config["MAX_CONTENT_LENGTH"]
        self.database = app.extensions["kavalu.db"]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != INTAKE_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        length = self._plain_json_length(environ)
        if length is None:
            return self.wsgi_app(environ, start_response)
        request_id.set(incoming_request_id(environ.get("HTTP_X_REQUEST_ID", "")))
        try:
            status, body, headers = self._answer(environ, length)
            payload = (self.app.json.dumps(body, separators=(",", ":")) + "\n").encode()  # as jsonify
            INTAKE_REQUESTS.labels(status=str(status)).inc()
            start_response(
                f"{status} {HTTP_STATUS_CODES[status].upper()}",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(payload))),
                    *headers.items(),
                    *SECURITY_HEADERS.items(),
                    ("X-Request-ID", request_id.get() or ""),
                ],
            )
            return [payload]
        finally:
            request_id.set(None)

    def _plain_json_length(self, environ: dict) -> int | None:
        """The declared body length, if this request is one the fast path answers; else None."""
        declared = environ.get("CONTENT_LENGTH", "")
        if not declared.isdigit() or int(declared) > self.max_body:
            return None
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        return int(declared) if mimetype == "application/json" else None

    def _answer(self, environ: dict, length: int) -> tuple[int, dict, dict]:
        raw = environ["wsgi.input"].read(length) if length else b""
        if len(raw) < length:  # the client went away mid-body: werkzeug's answer
            return _error_body(ApiError.single(400, "bad_request", ClientDisconnected.description))
        parsed = parse_json(raw)

        def read_body() -> object:
            if isinstance(parsed, ApiError):
                raise parsed
            return parsed

        signed = lean.SignedRequest(
            publisher_id=environ.get(_PUBLISHER_KEY, ""),
            signature=environ.get(_SIGNATURE_KEY),
            raw=raw,
        )
        session = self.database.sessionmaker()
        try:
            status, body = accept_comment(
                self.app, session, signed, lambda: None if isinstance(parsed, ApiError) else parsed, read_body
            )
            return status, body, {}
        except ApiError as error:
            return _error_body(error)
        except STORE_ERRORS as error:
            self.app.logger.warning("database unavailable: %s", type(error).__name__)
            return _error_body(STORE_UNAVAILABLE)
        except SealingError as error:
            self.app.logger.error("cannot open a signing secret: %s", error)
            return _error_body(SEALING_KEYS_MISSING)
        except Exception as error:
            self.app.logger.error("unhandled error", exc_info=error)
            return _error_body(INTERNAL_ERROR)
        finally:
            session.close()


def _error_body(error: ApiError) -> tuple[int, dict, dict]:
    return error.status, error_body(error.errors), error.headers
