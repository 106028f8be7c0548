"""Lawful disclosure: the legal-only sender endpoint and `kavalu legal export`, both audited."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from service.cli.main import cli
from service.models import AuditEvent
from tests.helpers import comment, error_codes, post_comment
from tests.review_support import bearer, make_moderator, make_review_comment


def _audit(database, action):
    with database.session() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_sender_details_are_for_the_legal_role_only(client, database, publisher):
    cid = make_review_comment(client, database, publisher, "c-1")
    url = f"/v1/legal/comments/{cid}/sender?request_reference=REQ-1"
    assert client.get(url).status_code == 401
    for role in ("moderator", "admin"):
        _, token = make_moderator(database, role)
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 403, role
        assert error_codes(response) == {(None, "forbidden")}
    assert _audit(database, "sender_details_viewed") == []


def test_sender_details_need_a_request_reference(client, database, publisher):
    cid = make_review_comment(client, database, publisher, "c-1")
    _, token = make_moderator(database, "legal")
    for query in ("", "?request_reference=", "?request_reference=%20%20"):
        response = client.get(f"/v1/legal/comments/{cid}/sender{query}", headers=bearer(token))
        assert response.status_code == 400, query
        assert error_codes(response) == {("request_reference", "request_reference_required")}
    assert _audit(database, "sender_details_viewed") == []
    response = client.get("/v1/legal/comments/cmt_nope/sender?request_reference=R", headers=bearer(token))
    assert response.status_code == 404


def test_sender_details_are_returned_and_audited(client, database, publisher):
    cid = make_review_comment(client, database, publisher, "c-1", email="asha@example.in", ip="2001:db8::7")
    # An edit is a second revision with its own sender details.
    edited = post_comment(
        client,
        publisher,
        comment(
            comment_id="c-1",
            text="An edited comment.",
            author__email="asha@example.in",
            author__ip="198.51.100.9",
            author__user_agent="Edited/1.0",
        ),
    )
    assert edited.status_code == 202
    legal_id, token = make_moderator(database, "legal", "Lea")
    response = client.get(
        f"/v1/legal/comments/{cid}/sender",
        query_string={"request_reference": "Cyber Cell 2026/17"},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["ip"], body["user_agent"], body["email"], body["name"], body["revision"]) == (
        "198.51.100.9",
        "Edited/1.0",
        "asha@example.in",
        "Ravi",
        2,
    )
    assert body["submitted_at"].startswith("2026-05-05T10:00:00") and body["received_at"]
    assert [(r["revision"], r["ip"]) for r in body["revisions"]] == [(1, "2001:db8::7"), (2, "198.51.100.9")]
    assert body["request_reference"] == "Cyber Cell 2026/17"
    events = _audit(database, "sender_details_viewed")
    assert len(events) == 1
    assert (events[0].comment_id, events[0].reason) == (cid, "Cyber Cell 2026/17")
    assert legal_id in events[0].actor
    assert events[0].after == {"request_reference": "Cyber Cell 2026/17", "revisions": [1, 2]}
    # That an authority asked, and its case reference, are in the history for the legal and admin roles only.
    for role, shown in (("legal", True), ("admin", True), ("moderator", False)):
        _, reader = make_moderator(database, role)
        history = client.get(f"/v1/review/comments/{cid}/history", headers=bearer(reader)).get_json()["events"]
        assert ("sender_details_viewed" in [e["action"] for e in history]) is shown, role
        assert ("Cyber Cell 2026/17" in json.dumps(history)) is shown, role


def test_legal_export_writes_every_comment_and_audits_each(client, database, publisher, tmp_path):
    first = make_review_comment(client, database, publisher, "c-1", email="one@example.in", ip="203.0.113.1")
    second = make_review_comment(
        client, database, publisher, "c-2", email="two@example.in", ip="203.0.113.2", status="rejected"
    )
    out = tmp_path / "disclosure" / "req-9.json"
    result = CliRunner().invoke(
        cli,
        [
            "legal",
            "export",
            "--request-reference",
            "REQ-9",
            "--comment",
            first,
            "--comment",
            second,
            "--out",
            str(out),
            "--actor",
            "Lea (legal)",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["request_reference"] == "REQ-9" and data["exported_by"] == "Lea (legal)" and data["exported_at"]
    assert [(c["id"], c["ip"], c["email"], c["user_agent"], c["name"]) for c in data["comments"]] == [
        (first, "203.0.113.1", "one@example.in", "Mozilla/5.0", "Ravi"),
        (second, "203.0.113.2", "two@example.in", "Mozilla/5.0", "Ravi"),
    ]
    assert all(c["submitted_at"] and c["received_at"] for c in data["comments"])
    events = _audit(database, "sender_details_exported")
    assert [(e.comment_id, e.reason, e.actor) for e in events] == [
        (first, "REQ-9", "Lea (legal)"),
        (second, "REQ-9", "Lea (legal)"),
    ]


def test_legal_export_refuses_unknown_comments_and_writes_nothing(client, database, publisher, tmp_path):
    first = make_review_comment(client, database, publisher, "c-1")
    out = tmp_path / "req.json"
    result = CliRunner().invoke(
        cli,
        [
            "legal",
            "export",
            "--request-reference",
            "REQ-1",
            "--comment",
            first,
            "--comment",
            "cmt_missing",
            "--out",
            str(out),
            "--actor",
            "Lea",
        ],
    )
    assert result.exit_code != 0
    assert "No such comment" in result.output
    assert not out.exists()
    assert _audit(database, "sender_details_exported") == []
    result = CliRunner().invoke(
        cli, ["legal", "export", "--request-reference", " ", "--comment", first, "--out", str(out), "--actor", "Lea"]
    )
    assert result.exit_code != 0 and not out.exists()


def test_legal_export_discloses_nothing_when_its_audit_events_do_not_commit(
    client, database, publisher, tmp_path, monkeypatch
):
    """The file takes its name only after the audit events are committed: a disclosure is never unaudited."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    first = make_review_comment(client, database, publisher, "c-1", ip="203.0.113.1")
    commit = Session.commit

    def commit_fails_with_audit_events(session):
        if any(isinstance(row, AuditEvent) for row in session.new):
            raise OperationalError("COMMIT", {}, Exception("the store went away"))
        commit(session)

    monkeypatch.setattr(Session, "commit", commit_fails_with_audit_events)
    out = tmp_path / "disclosure" / "req.json"
    result = CliRunner().invoke(
        cli,
        ["legal", "export", "--request-reference", "REQ-2", "--comment", first, "--out", str(out), "--actor", "Lea"],
    )
    monkeypatch.setattr(Session, "commit", commit)
    assert result.exit_code != 0
    assert list(out.parent.iterdir()) == []  # neither the file nor its staged copy
    assert _audit(database, "sender_details_exported") == []
