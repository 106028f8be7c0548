"""The intake body, parsed once per request and guarded: any bytes a client sends give a value or a 4xx.

Both the view and the rate limiter's author-IP key read the body through here, so it is parsed
once and neither of them can raise anything but an ApiError. The guards, each a 400 `malformed_json`:
not UTF-8, not JSON, nested more than MAX_DEPTH levels, a number that is not finite (`1e999999`,
`NaN`) or has more digits than Python converts (its int-from-str limit).
"""

from __future__ import annotations

import json

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge

from service.errors import ApiError

MAX_DEPTH = 32  # a comment is two levels deep
MAX_INT_DIGITS = 100

_CACHE = "kavalu_json_body"


class _BadNumber(ValueError):
    pass


def json_body() -> object:
    """The parsed JSON body of this request; raises ApiError (400, 413 or 415) when there is none to give."""
    if _CACHE not in g:
        setattr(g, _CACHE, _parse())
    outcome = getattr(g, _CACHE)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def peek_json_body() -> object | None:
    """The parsed body if there is a good one, else None. Never raises, and never reads a body declared over the limit."""
    if not request.is_json:
        return None
    length, limit = request.content_length, request.max_content_length
    if length is not None and limit is not None and length > limit:
        return None
    try:
        return json_body()
    except ApiError:
        return None


def _malformed(message: str) -> ApiError:
    return ApiError.single(400, "malformed_json", message)


def _parse() -> object:
    if not request.is_json:
        return ApiError.single(415, "unsupported_media_type", "Send application/json.")
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as error:
        return ApiError.single(413, "body_too_large", error.description or "The body is too large.")
    return parse_json(raw)


def parse_json(raw: bytes) -> object | ApiError:
    """The JSON value of a body already read, or the 400 ApiError that says what is wrong with it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _malformed("The body is not valid UTF-8.")
    try:
        body = json.loads(text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        return _malformed(f"The body is nested more than {MAX_DEPTH} levels deep.")
    except _BadNumber as error:
        return _malformed(str(error))
    except ValueError:
        return _malformed("The body is not valid JSON.")
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(body, MAX_DEPTH):
        return _malformed(f"The body is nested more than {MAX_DEPTH} levels deep.")
    return body


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber("A number is out of range.")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(f"A number has more than {MAX_INT_DIGITS} digits.")
    return int(literal)


def _no_constant(name: str) -> object:
    raise _BadNumber(f"{name} is not a JSON number.")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels; iterative, so no depth can overflow it."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
