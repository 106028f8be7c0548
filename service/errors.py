"""One error shape for every answer: {"errors": [{"field", "code", "message"}]}."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, jsonify, request
from gunicorn.http.errors import NoMoreData, ParseException
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import BadRequest, HTTPException

from service.keyfile import KeyFileError
from service.sealing import SealingError


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


class ApiError(Exception):
    def __init__(self, status: int, errors: list[FieldError], headers: dict | None = None):
        super().__init__(errors[0].code if errors else str(status))
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def single(cls, status: int, code: str, message: str, field: str | None = None, **kw) -> ApiError:
        return cls(status, [FieldError(field, code, message)], **kw)


def flatten_errors(messages, prefix: str | None = None) -> list[FieldError]:
    """marshmallow's nested {"author": {"email": [...]}} → [FieldError("author.email", ...)]."""
    if isinstance(messages, dict):
        errors: list[FieldError] = []
        for key, value in messages.items():
            if key == "_schema":
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            errors.extend(flatten_errors(value, name))
        return errors
    if isinstance(messages, list):
        errors = []
        for item in messages:
            if isinstance(item, dict) and "code" in item:
                errors.append(FieldError(prefix, item["code"], item["message"]))
            elif isinstance(item, (dict, list)):
                errors.extend(flatten_errors(item, prefix))
            else:
                errors.append(FieldError(prefix, _code_of(str(item)), str(item)))
        return errors
    return [FieldError(prefix, "invalid", str(messages))]


# marshmallow's and webargs' own messages, where a schema gave none of its own (see coded()).
_CODES_OF_MESSAGES = (
    ("Unknown field.", "unknown_field"),
    ("Missing data for required field.", "required"),
    ("Field may not be null.", "required"),
    ("Not a valid", "invalid_type"),
    ("Invalid input type.", "invalid_type"),
    ("Invalid value.", "invalid_type"),
    ("Length must be", "invalid_length"),
    ("Longer than maximum length", "invalid_length"),
    ("Shorter than minimum length", "invalid_length"),
    ("Must be one of", "invalid_choice"),
    ("Must be greater than", "out_of_range"),
    ("Must be less than", "out_of_range"),
)


def _code_of(message: str) -> str:
    return next((code for start, code in _CODES_OF_MESSAGES if message.startswith(start)), "invalid")


def error_body(errors: list[FieldError]) -> dict:
    return {"errors": [e.to_dict() for e in errors]}


def error_response(status: int, errors: list[FieldError], headers: dict | None = None):
    response = jsonify(error_body(errors))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    431: "headers_too_large",
    503: "service_unavailable",
}


def register_error_handlers(app: Flask, shapes_by_path: dict[str, Callable] | None = None) -> None:
    """shapes_by_path: the HTTP error handlers of drop-in APIs by path prefix, for the errors raised before a route
    (and so its blueprint's handlers) is known: a wrong method answers in the shape their clients parse."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return _as_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        for prefix, shaped in (shapes_by_path or {}).items():
            if request.path.startswith(prefix):
                return shaped(error)
        status = error.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        errors = [FieldError(None, code, error.description or error.name)]
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:  # a webargs/flask-smorest validation error: keep its fields
            locations = (
                messages.values()
                if all(key in ("query", "json", "headers", "path") for key in messages)
                else [messages]
            )
            errors = [e for location in locations for e in flatten_errors(location)] or errors
        response = error_response(status, errors)
        valid_methods = getattr(error, "valid_methods", None)  # a MethodNotAllowed's
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(ParseException)
    @app.errorhandler(NoMoreData)
    def _unreadable_body(error: Exception):
        # gunicorn could not read the body it was handed (`Transfer-Encoding: chunked` over a body that is not
        # chunked, one cut short): the client's fault. The error's text quotes the body, which holds a sender's
        # details or a moderator's token: only its kind is logged.
        app.logger.warning("unreadable request body", extra={"error": type(error).__name__})
        return _http_error(
            BadRequest(f"The request body could not be read ({type(error).__name__}): check its framing.")
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(error: Exception):
        app.logger.warning("database unavailable: %s", type(error).__name__)
        return _as_response(STORE_UNAVAILABLE)

    @app.errorhandler(KeyFileError)
    def _key_file_unavailable(error: KeyFileError):
        app.logger.error("%s", error)  # the path and what to do; no key
        return _as_response(KEY_FILE_UNAVAILABLE)

    @app.errorhandler(SealingError)
    def _sealing_keys_missing(error: SealingError):
        app.logger.error("cannot open a signing secret: %s", error)
        return _as_response(SEALING_KEYS_MISSING)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.error("unhandled error", exc_info=error)
        return _as_response(INTERNAL_ERROR)


def _as_response(error: ApiError):
    return error_response(error.status, error.errors, error.headers)


# This process lacks the key that sealed a publisher's signing secret (service/sealing.py): an operator's fault,
# not the request's; nothing was stored, and the same request succeeds once the keys are right.
SEALING_KEYS_MISSING = ApiError.single(
    503,
    "service_unavailable",
    "The service cannot check signatures now (a configuration fault on its side); retry later.",
    headers={"Retry-After": "60"},
)


# A key kept in the data folder (the console's, service/keyfile.py) cannot be read or created: a full or read-only
# disk. The same request succeeds once the operator has made room.
KEY_FILE_UNAVAILABLE = ApiError.single(
    503,
    "service_unavailable",
    "The service cannot read its keys now (a fault on its side); retry later.",
    headers={"Retry-After": "60"},
)


# A refused or lost connection, a store that did not answer in time (service.db.StoreUnavailable, a statement
# timeout) or no pooled connection within db_pool_timeout_s. Nothing was stored, or (a commit cut off by a frozen
# store) the outcome is unknown: a retry with the same comment_id is safe either way.
STORE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)
STORE_UNAVAILABLE = ApiError.single(
    503,
    "service_unavailable",
    "The store is unavailable; retry with the same comment_id.",
    headers={"Retry-After": "5"},
)
INTERNAL_ERROR = ApiError.single(500, "internal_error", "Internal error.")
