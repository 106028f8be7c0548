"""The OpenAPI document (operation ids, the outbound callback, the statuses) and the browsable reference at /docs."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from marshmallow import ValidationError
from werkzeug.serving import make_server

from service.api.review import BulkRequestSchema, DecisionRequestSchema, QueueQuerySchema
from service.app import create_app
from service.decisions.record import callback_payload
from service.delivery.attempts import DELIVERY_HEADER, EVENT_HEADER
from service.errors import flatten_errors
from service.publishers.signing import PUBLISHER_HEADER, SIGNATURE_HEADER

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

app = create_app()
client = app.test_client()
document = client.get("/openapi.json").get_json()


def _operations(paths: dict):
    for path, item in paths.items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _property(schema: dict, name: str) -> dict:
    prop = schema["properties"][name]
    return _resolve(prop["anyOf"][-1] if "anyOf" in prop else prop)


# -- operation ids ---------------------------------------------------------------------------------


def test_every_operation_has_a_unique_camel_case_operation_id():
    operations = list(_operations(document["paths"]))
    callbacks = [
        callback_op
        for _method, _path, operation in operations
        for callback in operation.get("callbacks", {}).values()
        for callback_op in _operations(callback)
    ]
    ids = [operation.get("operationId") for *_, operation in [*operations, *callbacks]]
    assert len(operations) >= 18
    assert all(ids), [(m, p) for m, p, op in operations if not op.get("operationId")]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", operation_id) for operation_id in ids), ids


@pytest.mark.parametrize(
    "method,path,operation_id",
    [
        ("POST", "/v1/comments", "submitComment"),
        ("GET", "/v1/comments/{comment_id}", "getCommentStatus"),
        ("GET", "/v1/decisions", "listDecisions"),
        ("GET", "/v1/review/queue", "listReviewQueue"),
        ("POST", "/v1/review/comments/{comment_id}/claim", "claimComment"),
        ("POST", "/v1/review/comments/{comment_id}/decision", "decideComment"),
        ("POST", "/v1/review/bulk", "bulkDecide"),
        ("GET", "/v1/review/comments/{comment_id}/history", "getCommentHistory"),
        ("GET", "/v1/legal/comments/{comment_id}/sender", "getSender"),
        ("GET", "/v1/admin/deliveries/failed", "listFailedDeliveries"),
        ("GET", "/healthz", "healthz"),
        ("GET", "/v1/ops/queues", "opsQueues"),
    ],
)
def test_operation_ids_name_what_the_operation_does(method, path, operation_id):
    assert document["paths"][path][method.lower()]["operationId"] == operation_id


# -- the outbound callback -------------------------------------------------------------------------


def _decided_callback() -> dict:
    callbacks = document["paths"]["/v1/comments"]["post"]["callbacks"]
    (path_item,) = callbacks["commentDecided"].values()
    return path_item["post"]


def test_the_comment_decided_callback_documents_the_payload_it_sends():
    now = datetime(2026, 5, 5, 10, 0, tzinfo=UTC)
    comment = SimpleNamespace(id="cmt_1", external_id="c-1", language="kn", detected_language="kn-Latn")
    decision = SimpleNamespace(
        revision=1, status="approved", decided_by="auto", reasons=[], scores={"toxicity": 0.1}, decided_at=now
    )
    sent = callback_payload("evt_1", comment, decision)

    body = _resolve(_decided_callback()["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["properties"]) == set(sent)
    assert _property(body, "type")["enum"] == [sent["type"]]
    data = _property(body, "data")
    assert set(data["properties"]) == set(sent["data"])
    assert set(_property(data, "status")["enum"]) == {"approved", "rejected"}
    assert _resolve(data["properties"]["reasons"]["items"])["properties"].keys() >= {"code", "score", "threshold"}


def test_the_comment_decided_callback_documents_its_signature_headers():
    headers = {p["name"]: p for p in _decided_callback()["parameters"] if p["in"] == "header"}
    assert set(headers) == {PUBLISHER_HEADER, SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER}
    assert all(header["required"] for header in headers.values())
    assert headers[EVENT_HEADER]["schema"]["enum"] == ["comment.decided"]
    assert "HMAC-SHA256" in headers[SIGNATURE_HEADER]["description"]


# -- statuses --------------------------------------------------------------------------------------


def test_the_decision_feed_documents_400_for_a_bad_query_not_422():
    responses = document["paths"]["/v1/decisions"]["get"]["responses"]
    assert "400" in responses
    assert "422" not in responses


def test_no_operation_hides_its_statuses_behind_a_default_response():
    assert [(m, p) for m, p, op in _operations(document["paths"]) if "default" in op["responses"]] == []


@pytest.mark.parametrize(
    "method,path,statuses",
    [
        ("POST", "/v1/comments", {"200", "202", "400", "401", "413", "415", "422", "429", "503"}),
        ("GET", "/v1/decisions", {"200", "400", "401", "413", "503"}),
        ("POST", "/v1/review/bulk", {"200", "400", "401", "413", "415", "422", "503"}),  # refusals per id: no 403
        ("GET", "/v1/ops/queues", {"200", "401", "403", "503"}),
        ("GET", "/healthz", {"200"}),
    ],
)
def test_operations_document_exactly_the_statuses_they_answer(method, path, statuses):
    assert set(document["paths"][path][method.lower()]["responses"]) == statuses


# -- marshmallow validators keep the contract's codes ---------------------------------------------


def _codes(schema, data) -> set[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    return {(error.field, error.code) for error in flatten_errors(raised.value.messages)}


def test_validator_failures_answer_with_the_fields_codes():
    assert _codes(QueueQuerySchema(), {"queue": "secret", "sort": "random", "limit": "0"}) == {
        ("queue", "invalid_queue"),
        ("sort", "invalid_sort"),
        ("limit", "invalid_limit"),
    }
    assert _codes(DecisionRequestSchema(), {"action": "nuke", "note": "x" * 2001, "redaction": "blur"}) == {
        ("action", "invalid_action"),
        ("note", "invalid_length"),
        ("redaction", "invalid_redaction"),
    }
    assert _codes(BulkRequestSchema(), {"action": "escalate", "ids": []}) == {
        ("action", "invalid_action"),
        ("ids", "invalid_length"),
    }


def test_validator_messages_are_unchanged():
    with pytest.raises(ValidationError) as raised:
        BulkRequestSchema().load({"action": "nuke", "ids": ["cmt_1"] * 101})
    messages = raised.value.messages
    assert messages["action"] == [{"code": "invalid_action", "message": "One of: approve, reject."}]
    assert messages["ids"] == [{"code": "invalid_length", "message": "1 to 100 ids."}]


def test_validators_describe_their_limits_in_the_document():
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/v1/review/queue"]["get"]["parameters"]}
    assert parameters["queue"]["enum"] == ["general", "legal"]
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["cursor"]["maxLength"] == 1000


# -- the browsable reference -----------------------------------------------------------------------


class _PageAssets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        if tag == "script":
            self._in_script = True
        for name in ("src", "href", "data-spec-url"):
            if attributes.get(name) and not attributes[name].startswith("data:"):
                self.urls.append(attributes[name])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (d.split() for d in header.split(";") if d.strip())}


def test_docs_page_needs_no_token_and_allows_no_inline_script_or_other_origin():
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    every_source = [source for sources in csp.values() for source in sources]
    assert not [s for s in every_source if "://" in s or s in ("*", "https:", "http:", "blob:", "'unsafe-eval'")]

    page = _PageAssets()
    page.feed(response.get_data(as_text=True))
    assert page.inline_scripts == []
    assert page.inline_handlers == []
    assert len(page.urls) >= 4


def test_every_asset_the_docs_page_references_is_served_from_here():
    page = _PageAssets()
    page.feed(client.get("/docs").get_data(as_text=True))
    for url in page.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        with client.get(url) as response:  # a static file's answer holds the file open until closed
            assert response.status_code == 200, url
            assert response.get_data(), url
            if url.endswith(".js"):
                assert response.mimetype == "text/javascript", url
    assert "/openapi.json" in page.urls


def _headless_browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-headless-shell")


@pytest.mark.skipif(_headless_browser() is None, reason="no headless chromium on this machine")
def test_docs_page_renders_in_a_browser_without_csp_violations():
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [
                str(_headless_browser()),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"http://127.0.0.1:{server.port}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
        thread.join()
    violations = [line for line in result.stderr.splitlines() if "Content Security Policy" in line]
    # ReDoc's footer logo comes from its CDN: blocked and hidden, as nothing on this page may leave this host.
    assert [v for v in violations if "cdn.redoc.ly" not in v] == []
    assert 'id="operation/submitComment"' in result.stdout or "operation/submitComment" in result.stdout
    assert "Callbacks" in result.stdout
