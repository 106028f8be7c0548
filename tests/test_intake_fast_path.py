"""POST /v1/comments in front of Flask (service.api.intake_fast_path) answers exactly as the Flask view does.

Every other intake test goes through the fast path (it takes every plain JSON post). Here the same requests
are also sent with another JSON media type, `application/vnd.kavalu+json`, which the fast path passes to the
Flask view: both answers must match, status, body and headers.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata

import pytest
from flask import request_started
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from service.app import create_app
from service.config import Settings
from service.intake.schemas import CleanString, CommentAcceptedSchema
from service.models import Comment
from tests.helpers import comment, signed_headers

FAST, VIEW = "application/json", "application/vnd.kavalu+json"
VARYING_HEADERS = {"X-Request-ID"}  # a new one for each request that sends none


def post(client, keys, body, content_type, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        "/v1/comments", data=raw, headers={**signed_headers(keys, raw, content_type=content_type), **headers}
    )


def comparable(response) -> tuple[int, object, dict]:
    """Status, body and headers, less what two requests cannot share: a new comment's own ids."""
    body = response.get_json()
    if response.status_code == 202:
        assert set(body) == {"id", "comment_id", "status", "links"} and body["links"] == {
            "self": f"/v1/comments/{body['id']}"
        }
        body = {**body, "id": "<new>", "comment_id": "<sent>", "links": "<self>"}
    headers = {name: value for name, value in response.headers.items() if name not in VARYING_HEADERS}
    return response.status_code, body, headers


@pytest.fixture
def flask_requests(app):
    """The paths of the requests that went through Flask's request cycle."""
    seen: list[str] = []

    def record(sender, **extra):
        from flask import request

        seen.append(request.path)

    request_started.connect(record, app)
    yield seen
    request_started.disconnect(record, app)


def test_plain_json_intake_skips_flask_and_other_media_types_reach_the_view(client, publisher, flask_requests):
    assert post(client, publisher, comment(comment_id="fast-1"), FAST).status_code == 202
    assert flask_requests == []
    assert post(client, publisher, comment(comment_id="view-1"), VIEW).status_code == 202
    assert flask_requests == ["/v1/comments"]


@pytest.mark.parametrize(
    "name, make_request",
    [
        ("new", lambda keys, n: (comment(comment_id=f"new-{n}"), {})),
        ("unknown field", lambda keys, n: (comment(comment_id=f"bad-{n}", surprise=1), {})),
        ("every rule broken", lambda keys, n: (comment(comment_id="", text="", author__email="x"), {})),
        ("not JSON", lambda keys, n: (b'{"comment_id": ', {})),
        ("not an object", lambda keys, n: (b"[1, 2]", {})),
        ("not UTF-8", lambda keys, n: (b'{"text": "\xff"}', {})),
        ("empty body", lambda keys, n: (b"", {})),
        ("a request id sent", lambda keys, n: (comment(comment_id=f"rid-{n}"), {"X-Request-ID": "trace-42"})),
    ],
)
def test_the_fast_path_and_the_view_answer_alike(client, publisher, name, make_request):
    answers = []
    for n, content_type in enumerate((FAST, VIEW)):
        body, headers = make_request(publisher, n)
        answers.append(post(client, publisher, body, content_type, **headers))
    assert comparable(answers[0]) == comparable(answers[1]), name
    assert answers[0].headers["X-Content-Type-Options"] == "nosniff"
    if "X-Request-ID" in (headers := make_request(publisher, 0)[1]):
        assert [a.headers["X-Request-ID"] for a in answers] == ["trace-42", "trace-42"]


def test_retries_edits_and_bad_signatures_answer_alike(client, publisher, database):
    first = post(client, publisher, comment(comment_id="same"), FAST)
    assert first.status_code == 202
    retries = [post(client, publisher, comment(comment_id="same"), kind) for kind in (FAST, VIEW)]
    assert [r.status_code for r in retries] == [200, 200]
    assert comparable(retries[0]) == comparable(retries[1])
    assert retries[0].get_json()["id"] == first.get_json()["id"]

    edits = [
        post(client, publisher, comment(comment_id="same", text=f"Edited {n}."), kind)
        for n, kind in enumerate((FAST, VIEW))
    ]
    assert [e.status_code for e in edits] == [202, 202]
    with database.session() as session:
        assert session.get(Comment, first.get_json()["id"]).current_revision == 3

    raw = json.dumps(comment(comment_id="forged")).encode()
    forged = [
        client.post(
            "/v1/comments",
            data=raw,
            headers={**signed_headers(publisher, raw, content_type=kind), "X-Kavalu-Signature": "t=1,v1=00"},
        )
        for kind in (FAST, VIEW)
    ]
    assert [f.status_code for f in forged] == [401, 401]
    assert comparable(forged[0]) == comparable(forged[1])


def test_a_rate_limited_answer_is_the_same_on_both_paths(database, publisher):
    limited = create_app(Settings.from_env({**os.environ, "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "1/minute"})).test_client()
    assert post(limited, publisher, comment(comment_id="limit-0"), FAST).status_code == 202
    refused = [
        post(limited, publisher, comment(comment_id=f"limit-{n}"), kind) for n, kind in enumerate((FAST, VIEW), 1)
    ]
    assert [r.status_code for r in refused] == [429, 429]
    fast, view = (comparable(r) for r in refused)
    # Retry-After counts down to the window's end: both within the same minute.
    assert abs(int(fast[2].pop("Retry-After")) - int(view[2].pop("Retry-After"))) <= 1
    assert fast == view


def test_requests_the_fast_path_would_second_guess_reach_the_view(client, publisher, flask_requests, app):
    raw = json.dumps(comment(comment_id="chunked")).encode()
    headers = signed_headers(publisher, raw)
    # No Content-Length: a chunked body, as gunicorn hands it on.
    environ = EnvironBuilder("/v1/comments", method="POST", data=raw, headers=headers).get_environ()
    del environ["CONTENT_LENGTH"]
    environ.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    body, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("202") and json.loads(b"".join(body))["comment_id"] == "chunked"
    # A body declared over the limit: the view's 413, and the body is never read.
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    too_big = client.post("/v1/comments", data=big, headers=signed_headers(publisher, big))
    assert too_big.status_code == 413 and too_big.get_json()["errors"][0]["code"] == "body_too_large"
    # Another method, and a path under it.
    assert client.get("/v1/comments").status_code == 405
    assert flask_requests == ["/v1/comments", "/v1/comments", "/v1/comments"]


@pytest.mark.parametrize("allow_newlines, allowed", [(False, {"\t"}), (True, {"\t", "\n", "\r"})])
def test_the_character_check_refuses_exactly_unicodes_controls_and_surrogates(allow_newlines, allowed):
    """The schema's regular expression against Unicode's own categories, over every code point."""
    field = CleanString(allow_newlines=allow_newlines)
    refused = {chr(c) for c in range(sys.maxunicode + 1) if field.forbidden.search(chr(c))}
    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cs" or (unicodedata.category(chr(c)) == "Cc" and chr(c) not in allowed)
    }
    assert refused == expected


def test_a_body_shorter_than_its_content_length_is_the_same_400_on_both_paths(app, publisher, database):
    """A client that went away mid-body: nothing is stored, and both paths give werkzeug's 400."""
    answers = []
    for content_type in (FAST, VIEW):
        raw = json.dumps(comment(comment_id="cut")).encode()
        headers = signed_headers(publisher, raw, content_type=content_type)
        environ = EnvironBuilder("/v1/comments", method="POST", data=raw[:20], headers=headers).get_environ()
        environ["CONTENT_LENGTH"] = str(len(raw))
        body, status, _ = run_wsgi_app(app, environ, buffered=True)
        answers.append((status, json.loads(b"".join(body))))
    assert answers[0] == answers[1]
    assert answers[0][0].startswith("400") and answers[0][1]["errors"][0]["code"] == "bad_request"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment).where(Comment.external_id == "cut")) == 0


def test_an_accepted_comment_is_answered_in_the_documented_shape(client, publisher):
    """The 202 body is written out by hand (service.api.comments.accept_comment): it must stay what the
    OpenAPI document's CommentAcceptedSchema says."""
    body = post(client, publisher, comment(comment_id="shape"), FAST).get_json()
    schema = CommentAcceptedSchema()
    assert schema.dump(schema.load(body)) == body
    assert set(body) == set(schema.fields) and body["links"] == {"self": f"/v1/comments/{body['id']}"}
