"""Property tests: no JSON body, header or size makes intake answer 500."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.logs import JsonFormatter
from tests.helpers import VALID_COMMENT, signed_headers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# Near-valid comments with one field swapped for anything: these reach the deepest validation.
field_paths = st.sampled_from(
    [
        "comment_id",
        "text",
        "article",
        "author",
        "submitted_at",
        "parent_comment_id",
        "language",
        "article.id",
        "article.title",
        "article.body",
        "author.name",
        "author.email",
        "author.ip",
        "author.user_agent",
    ]
)
hostile_text = st.text(alphabet=st.characters(codec=None), max_size=60) | st.sampled_from(
    [
        "\u0000",
        "\ud800",
        "a\u202eb",
        "\u200b",
        "e\u0301" * 3,
        "x" * 2001,
        "𝕏" * 2000,
        "ñ@münchen.de",
        "a@b",
        "::1",
        "1.2.3.4\u0000",
    ]
)


def _mutated(path: str, value) -> dict:
    body = json.loads(json.dumps(VALID_COMMENT))
    if "." in path:
        outer, inner = path.split(".")
        body[outer][inner] = value
    else:
        body[path] = value
    return body


def _dumps(body) -> bytes:
    # ensure_ascii keeps lone surrogates as \ud800 escapes, as a hostile client would send them.
    return json.dumps(body, ensure_ascii=True, allow_nan=False).encode()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=json_values)
def test_any_json_body_is_never_a_500(client, publisher, body):
    response = client.post("/v1/comments", data=_dumps(body), headers=signed_headers(publisher, _dumps(body)))
    assert response.status_code < 500, response.get_data(as_text=True)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(path=field_paths, value=json_values | hostile_text, comment_id=st.text(min_size=1, max_size=8))
def test_near_valid_comments_are_never_a_500(client, publisher, path, value, comment_id):
    body = _mutated(path, value)
    if path != "comment_id":
        body["comment_id"] = comment_id
    raw = _dumps(body)
    response = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
    assert response.status_code in (200, 202, 400, 422), response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.get_json()["errors"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(["application/json", "text/plain", "", "application/json; charset=latin-1"]),
)
def test_any_bytes_are_never_a_500(client, publisher, raw, content_type):
    response = client.post(
        "/v1/comments", data=raw, headers=signed_headers(publisher, raw, content_type=content_type or None)
    )
    assert response.status_code in (400, 415, 422, 202, 200)


header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(publisher_header=header_text, signature=header_text)
def test_any_signature_headers_are_a_401_not_a_500(client, publisher_header, signature):
    raw = _dumps(VALID_COMMENT)
    response = client.post(
        "/v1/comments",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Kavalu-Publisher": publisher_header,
            "X-Kavalu-Signature": signature,
        },
    )
    assert response.status_code == 401


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=60 * 1024, max_value=200 * 1024))
def test_any_size_is_never_a_500(client, publisher, size):
    raw = _dumps(dict(VALID_COMMENT, text="x" * size))
    response = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
    assert response.status_code in (413, 422)


# Fragments that reach the parser's edges: nesting past any recursion limit, numbers Python will not
# convert, bytes that are not UTF-8, lone surrogates in \u escapes, constants JSON does not have.
hostile_fragments = st.sampled_from(
    [
        b"[" * 30_000,
        b"]" * 10,
        b'{"a":' * 5_000,
        b"}" * 5_000,
        b"1e999999",
        b"-1e999999",
        b"9" * 10_000,
        b"NaN",
        b"Infinity",
        b'"\\ud800"',
        b'"\\udfff\\ud800"',
        b"\xff\xfe",
        b"\xed\xa0\x80",
        b"\xc3",
        b"\x00",
        b'"comment_id": ',
        json.dumps(VALID_COMMENT).encode()[:-1] + b", ",
    ]
)
hostile_bytes = st.lists(hostile_fragments | st.binary(max_size=40), max_size=6).map(b"".join)


@contextmanager
def _error_log_lines():
    """JSON log lines at ERROR or above written while the block runs, from any logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[str] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(line for line in stream.getvalue().splitlines() if line.strip())


@settings(
    max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(raw=hostile_bytes | st.binary(max_size=300), signed=st.booleans())
def test_any_raw_bytes_are_a_4xx_and_log_no_error(client, publisher, raw, signed):
    headers = signed_headers(publisher, raw) if signed else {"Content-Type": "application/json"}
    with _error_log_lines() as errors:
        response = client.post("/v1/comments", data=raw, headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert errors == []
    if response.status_code >= 400:
        assert response.get_json()["errors"]
