"""A client's mistake is a 4xx in the contract's shape, and the logs stay quiet about it.

No bad body, header or size makes intake answer 5xx or log an ERROR (or a traceback); a Redis outage
logs one WARNING, not a traceback per request; gunicorn's own 414 and 431 have the API's error body.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import requests

from service.app import create_app
from service.config import Settings
from service.logs import JsonFormatter
from tests.helpers import comment, create_publisher, limiter_state_kept, signed_headers
from tests.processes import free_port, start_gunicorn, stop_process, wait_for_http, wait_until


@contextmanager
def log_lines():
    """The JSON log lines written while the block runs (attach after create_app: it resets the root handlers)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines() if line.strip())


def assert_quiet(lines: list[dict]) -> None:
    """No ERROR (or worse) and no traceback: a client's mistake is not the operator's problem."""
    loud = [line for line in lines if line["level"] in ("ERROR", "CRITICAL") or "exception" in line]
    assert not loud, loud


def assert_error_body(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    errors = response.get_json()["errors"]
    assert errors and all(set(e) == {"field", "code", "message"} for e in errors)
    if code is not None:
        assert errors[0]["code"] == code


HOSTILE_BODIES = {
    "unclosed 50,000 levels": (b"[" * 50_000, "malformed_json"),
    "30,000 levels": (b"[" * 30_000 + b"]" * 30_000, "malformed_json"),
    "10,000 levels of objects": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "malformed_json"),
    "deep inside a field": (
        json.dumps(comment()).encode()[:-1] + b', "extra": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        "malformed_json",
    ),
    "40 levels": (b"[" * 40 + b"]" * 40, "malformed_json"),
    "float overflow": (json.dumps(comment()).replace('"c-1"', "1e999999").encode(), "malformed_json"),
    "negative overflow": (b'{"comment_id": -1e999999}', "malformed_json"),
    "10,000-digit integer": (b'{"comment_id": ' + b"9" * 10_000 + b"}", "malformed_json"),
    "NaN": (b'{"comment_id": NaN}', "malformed_json"),
    "Infinity": (b"[Infinity]", "malformed_json"),
    "invalid UTF-8": (b'{"text": "\xff\xfe\xc3"}', "malformed_json"),
    "UTF-8 encoded surrogate": (b'{"text": "\xed\xa0\x80"}', "malformed_json"),
    "lone surrogate escape in text": (json.dumps(comment(text="\ud800 hi")).encode(), "invalid_characters"),
    "lone surrogate escape as a key": (b'{"\\udc00": 1}', None),
    "empty": (b"", "malformed_json"),
    "garbage": (b"\x00\x01{{", "malformed_json"),
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_bodies_are_a_4xx_and_log_no_error(client, publisher, name):
    raw, code = HOSTILE_BODIES[name]
    assert len(raw) <= 64 * 1024
    with log_lines() as lines:
        signed = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
        unsigned = client.post("/v1/comments", data=raw, headers={"Content-Type": "application/json"})
    status = 422 if code == "invalid_characters" or code is None else 400
    assert_error_body(signed, status, code)
    assert_error_body(unsigned, 401, "invalid_signature")
    assert_quiet(lines)


def test_a_valid_comment_still_goes_through(client, publisher):
    raw = json.dumps(comment()).encode()
    response = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
    assert response.status_code == 202, response.get_json()


def test_body_over_the_limit_is_a_413_the_rate_limiter_never_reads(client, publisher):
    raw = json.dumps(comment(text="x" * 70_000)).encode()
    with log_lines() as lines:
        signed = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
        unsigned = client.post("/v1/comments", data=raw, headers={"Content-Type": "application/json"})
    assert_error_body(signed, 413, "body_too_large")
    assert_error_body(unsigned, 413, "body_too_large")
    assert_quiet(lines)
    assert not [line for line in lines if line["logger"] == "flask-limiter"], lines


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Request-ID": "x" * 20_000},
        {"X-Request-ID": "\x7f\u00ff"},
        {"X-Kavalu-Publisher": "p" * 20_000, "X-Kavalu-Signature": "t=1,v1=" + "0" * 20_000},
        {"X-Kavalu-Signature": "t=99999999999999999999999999,v1=zz"},
        {"Content-Type": "application/json; charset=" + "x" * 5_000},
        {"Content-Type": 'application/json; boundary="'},
        {"Cookie": "a=" + "b" * 20_000},
        {"Accept": "*/*;q=" + "9" * 5_000},
    ],
    ids=[
        "long-request-id",
        "odd-request-id",
        "long-signature",
        "huge-timestamp",
        "long-charset",
        "odd-param",
        "cookie",
        "accept",
    ],
)
def test_huge_or_odd_headers_are_a_4xx_and_log_no_error(client, publisher, headers):
    raw = json.dumps(comment()).encode()
    with log_lines() as lines:
        response = client.post("/v1/comments", data=raw, headers={**signed_headers(publisher, raw), **headers})
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error_body(response, response.status_code)
    assert_quiet(lines)


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, so stopping it leaves the shared one alone."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=0.2)

    def up():
        try:
            return client.ping()
        except redis.RedisError:
            return False

    wait_until(up, 10, message="private redis-server")
    process.url = f"redis://127.0.0.1:{port}/0"
    yield process
    stop_process(process)


def test_a_redis_outage_is_one_warning_not_a_traceback_per_request(database, publisher, private_redis):
    with limiter_state_kept():
        app = create_app(Settings.from_env({**os.environ, "REDIS_URL": private_redis.url}))
        client = app.test_client()

        def post(n: int):
            raw = json.dumps(comment(comment_id=f"outage-{n}")).encode()
            return client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))

        assert post(0).status_code == 202  # counted in the private Redis
        stop_process(private_redis)
        with log_lines() as lines:
            started = time.monotonic()
            statuses = [post(n).status_code for n in range(1, 6)]
            elapsed = time.monotonic() - started
    assert statuses == [202] * 5
    assert_quiet(lines)
    warnings = [line for line in lines if line["level"] == "WARNING"]
    assert len(warnings) <= 1, warnings
    assert elapsed < 5, elapsed  # no per-request wait on the dead server


# -- gunicorn's own refusals ------------------------------------------------------------------------


@pytest.fixture
def gunicorn_api(migrated_database, tmp_path):
    port = free_port()
    log_path = tmp_path / "api.log"
    # No worker consumes this broker: an analyze request waits out its timeout.
    env = {
        **os.environ,
        "KAVALU_LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "KAVALU_ANALYZE_TIMEOUT_S": "4",
    }
    process = start_gunicorn(env, port, log_path)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        stop_process(process)


def _json_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert [set(e) for e in errors] == [{"field", "code", "message"}]
    assert errors[0]["code"] == code


@pytest.mark.slow
def test_gunicorn_answers_414_and_431_with_the_error_body(gunicorn_api, database):
    base, log_path = gunicorn_api
    _json_error(requests.get(f"{base}/v1/comments/{'x' * 20_000}", timeout=10), 414, "uri_too_long")
    _json_error(
        requests.get(f"{base}/healthz", headers={"X-Padding": "x" * 20_000}, timeout=10), 431, "headers_too_large"
    )
    many = {f"X-H{n}": "x" for n in range(150)}
    _json_error(requests.get(f"{base}/healthz", headers=many, timeout=10), 431, "headers_too_large")
    # What Flask answers through gunicorn is quiet too: a deep body, an over-limit body.
    keys = create_publisher(database, "Gunicorn Daily")
    for raw, status in ((b"[" * 50_000, 400), (json.dumps(comment(text="x" * 70_000)).encode(), 413)):
        response = requests.post(f"{base}/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=10)
        _json_error(response, status, "malformed_json" if status == 400 else "body_too_large")
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    log = log_path.read_text()
    assert "Traceback" not in log
    assert '"level": "ERROR"' not in log


@pytest.mark.slow
def test_analyze_requests_waiting_on_a_missing_scorer_do_not_hold_up_the_api(gunicorn_api, database):
    """One gunicorn worker (config/gunicorn.conf.py: threads), no analyze worker: three /v1/analyze requests
    wait out their 4 s timeout, and meanwhile intake and /healthz answer at once. With sync workers they
    would queue behind the waits."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.analyze_support import create_key

    base, _ = gunicorn_api
    keys = create_publisher(database, "Threads Daily")
    key = create_key(database, keys.id, "analyze")

    def analyze(_):
        started = time.monotonic()
        response = requests.post(
            f"{base}/v1/analyze", json={"text": "hello"}, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        return response, time.monotonic() - started

    with ThreadPoolExecutor(3) as pool:
        waiting = [pool.submit(analyze, n) for n in range(3)]
        time.sleep(0.5)
        started = time.monotonic()
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        raw = json.dumps(comment(comment_id="threads-1")).encode()
        assert (
            requests.post(f"{base}/v1/comments", data=raw, headers=signed_headers(keys, raw), timeout=10).status_code
            == 202
        )
        answered_in = time.monotonic() - started
        results = [future.result() for future in waiting]
    assert answered_in < 2.0, answered_in  # not behind the 4 s waits
    for response, seconds in results:
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.json()["errors"][0]["code"] == "service_unavailable"
        assert 3.5 < seconds < 10


def _raw_request(base: str, head: bytes, body: bytes = b"") -> bytes:
    """One request as bytes on a fresh connection, and the whole answer (its head and body may come apart)."""
    host, port = base.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head + b"\r\n\r\n" + body)
        while chunk := connection.recv(4096):
            answer += chunk
            answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", answer_head)
            if length and len(answer_body) >= int(length.group(1)):
                break
    return answer


@pytest.mark.slow
def test_requests_gunicorn_cannot_read_leave_no_sender_details_or_token_in_the_log(gunicorn_api, database):
    """gunicorn's errors quote what they could not read: a body sent as `Transfer-Encoding: chunked` that is not
    chunked was a 500 whose ERROR line held the sender's IP, email and name (or a moderator's token, at sign-in),
    and a header line without its colon was logged whole, token and all."""
    base, log_path = gunicorn_api
    keys = create_publisher(database, "Chunked Daily")
    raw = json.dumps(comment(author__ip="203.0.113.66", author__email="chunk-leak@example.org")).encode()
    headers = "".join(f"{name}: {value}\r\n" for name, value in signed_headers(keys, raw).items())
    chunked = f"Host: x\r\n{headers}Transfer-Encoding: chunked".encode()
    for head, body in (
        (b"POST /v1/comments HTTP/1.1\r\n" + chunked, raw + b"\r\n0\r\n\r\n"),
        (
            b"POST /console/signin HTTP/1.1\r\n"
            + chunked.replace(b"application/json", b"application/x-www-form-urlencoded"),
            b"token=kvm_leakcheck_token&csrf_token=x\r\n0\r\n\r\n",
        ),
    ):
        answer = _raw_request(base, head, body)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert b'"code": "bad_request"' in answer or b'"code":"bad_request"' in answer, answer
    answer = _raw_request(
        base, b"GET /v1/review/queue HTTP/1.1\r\nHost: x\r\nAuthorization Bearer kvm_leakcheck_header"
    )
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    requests.get(f"{base}/healthz", timeout=10)  # the worker's log lines are flushed before the next request ends
    log = log_path.read_text()
    for sent in ("203.0.113.66", "chunk-leak@example.org", "kvm_leakcheck_token", "kvm_leakcheck_header"):
        assert sent not in log
    assert "Traceback" not in log and '"level": "ERROR"' not in log
    assert log.count("unreadable request body") == 2
    assert "Invalid HTTP Header" in log
