"""Values PostgreSQL refuses (NUL, lone surrogates, NaN, numbers past bigint, strings past a column) and values that
would stop a worker are refused at the door with a 4xx, on every route that takes them, never a 500.

Each case was a 500 (or a stored value a worker could not use) before its check was added."""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DataError

from service.analyze.coral import sign
from service.cli.main import cli
from tests.analyze_support import create_key
from tests.helpers import comment, get_signed, post_comment
from tests.review_support import bearer, make_moderator

LONE_SURROGATE = b'"\\ud800"'


def admin_put_policy(client, token: str, publisher_id: str, raw: bytes):
    return client.put(
        f"/v1/admin/publishers/{publisher_id}/policy",
        data=raw,
        headers={**bearer(token), "Content-Type": "application/json"},
    )


def codes(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.get_json()["errors"]]


def test_a_policy_is_refused_with_each_bad_value_named(client, database, publisher):
    _, admin = make_moderator(database, "admin")
    refused = {
        b'{"author_rejection_rate_threshold": NaN}': (400, [(None, "malformed_json")]),
        b'{"blocked_terms": ["a\\u0000b"]}': (422, [("blocked_terms.0", "invalid_characters")]),
        b'{"blocked_terms": [' + LONE_SURROGATE + b"]}": (422, [("blocked_terms.0", "invalid_characters")]),
        b'{"duplicate_window_seconds": 1000000000000000000000000000000}': (
            422,
            [("duplicate_window_seconds", "out_of_range")],
        ),
        b'{"max_links": -3, "verbatim_copy_min_words": 0, "author_rejection_rate_threshold": 7.5}': (
            422,
            [
                ("max_links", "out_of_range"),
                ("verbatim_copy_min_words", "out_of_range"),
                ("author_rejection_rate_threshold", "out_of_range"),
            ],
        ),
        b'{"blocked_ip_ranges": ["203.0.113.0/24", "not-a-range", "fe80::%eth0/64"]}': (
            422,
            [("blocked_ip_ranges.1", "invalid_ip_range"), ("blocked_ip_ranges.2", "invalid_ip_range")],
        ),
    }
    for raw, (status, expected) in refused.items():
        response = admin_put_policy(client, admin, publisher.id, raw)
        assert (response.status_code, sorted(codes(response), key=str)) == (status, sorted(expected, key=str)), raw
    accepted = admin_put_policy(
        client, admin, publisher.id, b'{"duplicate_window_seconds": 86400, "blocked_ip_ranges": ["203.0.113.0/24"]}'
    )
    assert accepted.status_code == 200, accepted.get_data(as_text=True)

    # The CLI and the console's form parse a policy the same way.
    result = CliRunner().invoke(cli, ["publishers", "set-policy", publisher.id, "--json", '{"max_links": NaN}'])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    from service.console.forms import ConsoleRefusal, parse_overrides

    with pytest.raises(ConsoleRefusal):
        parse_overrides("[" * 20000)


def test_nul_in_a_path_is_a_404_and_an_id_past_bigint_too(client, database, publisher):
    _, admin = make_moderator(database, "admin")
    assert get_signed(client, publisher, "/v1/comments/%00").status_code == 404
    assert client.get("/v1/admin/publishers/%00/policy", headers=bearer(admin)).status_code == 404
    raw = b'{"action": "NEW"}'
    coral = client.post(
        "/v1/integrations/coral/%00",
        data=raw,
        headers={"Content-Type": "application/json", "X-Coral-Signature": sign(publisher.secret, raw)},
    )
    assert coral.status_code == 404 and codes(coral) == [(None, "not_found")]
    huge = client.delete("/v1/admin/authors/99999999999999999999999999", headers=bearer(admin))
    assert huge.status_code == 404


def _cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_forged_review_queue_cursor_is_a_400(client, database):
    _, moderator = make_moderator(database)
    for sort, forged in (
        ("risk", {"s": "risk", "k": 0.5, "id": "\u0000"}),
        ("risk", {"s": "risk", "k": 10**400, "id": "cmt_a"}),
        ("risk", {"s": "risk", "k": True, "id": "cmt_a"}),
        ("oldest", {"s": "oldest", "k": "2026-01-01T00:00:00+00:00", "id": "\ud800"}),
        ("oldest", {"s": "oldest", "k": "2026-01-01T00:00:00+00:00", "id": "x" * 41}),
    ):
        response = client.get(f"/v1/review/queue?sort={sort}&cursor={_cursor(forged)}", headers=bearer(moderator))
        assert (response.status_code, codes(response)) == (400, [("cursor", "invalid_cursor")]), forged


def test_intake_refuses_a_scoped_ipv6_address_and_nested_values_of_the_wrong_type(client, publisher):
    scoped = post_comment(client, publisher, comment(author={**comment()["author"], "ip": "fe80::1%" + "a" * 100}))
    assert (scoped.status_code, codes(scoped)) == (422, [("author.ip", "invalid_ip")])
    for changes, field in (({"author": "x"}, "author"), ({"article": [1]}, "article")):
        response = post_comment(client, publisher, comment(**changes))
        assert (response.status_code, codes(response)) == (422, [(field, "invalid_type")])
    listed = post_comment(client, publisher, [comment()])
    assert (listed.status_code, codes(listed)) == (422, [(None, "invalid_type")])


def test_the_store_never_writes_a_statements_values_into_an_error(database):
    """Parameters hold sender IPs and emails: an error's message (which reaches the logs) must not."""
    with pytest.raises(DataError) as raised, database.session() as session:
        session.execute(
            text("INSERT INTO publishers (id, name, sealed_signing_secret) VALUES (:id, :name, 'x')"),
            {"id": "pub_" + "9" * 100, "name": "sender@example.org"},
        )
    assert "sender@example.org" not in str(raised.value) and "9" * 100 not in str(raised.value)


def test_an_author_rule_for_a_scoped_range_is_refused(client, database):
    _, admin = make_moderator(database, "admin")
    response = client.post(
        "/v1/admin/authors",
        json={"kind": "ip_range", "value": "fe80::%" + "a" * 313, "action": "ban"},
        headers=bearer(admin),
    )
    assert (response.status_code, codes(response)) == (422, [("value", "invalid_ip_range")])


def test_drop_in_apis_refuse_unstorable_strings_in_their_own_shapes(client, database, publisher):
    key = create_key(database, publisher.id, "perspective")
    body = {"comment": {"text": "hello"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}
    for extra in ({"clientToken": "a\u0000b"}, {"clientToken": "\udc00"}, {"languages": ["e\u0000"]}):
        raw = json.dumps({**body, **extra}).encode()
        response = client.post(
            f"/v1alpha1/comments:suggestscore?key={key}", data=raw, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400 and response.get_json()["error"]["status"] == "INVALID_ARGUMENT", extra
    for field, value in (("story", {"id": "\ud800"}), ("comment", {"id": "\ud800", "body": "hi"})):
        raw = json.dumps({"action": "NEW", "comment": {"body": "hi"}, field: value}).encode()
        coral = client.post(
            f"/v1/integrations/coral/{publisher.id}",
            data=raw,
            headers={"Content-Type": "application/json", "X-Coral-Signature": sign(publisher.secret, raw)},
        )
        assert (coral.status_code, codes(coral)) == (422, [(f"{field}.id", "invalid_type")])


def test_a_wrong_method_on_a_drop_in_route_answers_in_its_clients_shape(client):
    openai = client.get("/v1/moderations")
    assert openai.status_code == 405 and openai.get_json()["error"]["type"] == "invalid_request_error"
    perspective = client.get("/v1alpha1/comments:suggestscore")
    assert perspective.status_code == 405 and perspective.get_json()["error"]["code"] == 405
    kavalu = client.get("/v1/comments")
    assert kavalu.status_code == 405 and codes(kavalu) == [(None, "method_not_allowed")]


def test_a_bulk_id_listed_twice_carries_its_http_status(client, database):
    _, moderator = make_moderator(database)
    response = client.post(
        "/v1/review/bulk", json={"action": "approve", "ids": ["cmt_a", "cmt_a"]}, headers=bearer(moderator)
    )
    assert response.status_code == 200
    errors = [result["error"] for result in response.get_json()["results"]]
    assert errors[1] == {"code": "duplicate_id", "message": "Listed twice.", "http_status": 422}
