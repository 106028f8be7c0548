"""`kavalu moderators|authors|feedback` commands, and the feedback CSV round trip into `kavalu eval`."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner
from sqlalchemy import select

from service.authors import rules as authors
from service.cli.main import cli
from service.models import AuditEvent, AuthorRule, Moderator
from service.scoring.jobs import ScoreResult, ScoringInput
from tests.review_support import bearer, make_moderator, make_review_comment


def _token(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token: "))


def test_create_list_revoke(client, database):
    runner = CliRunner()
    result = runner.invoke(cli, ["moderators", "create", "--name", "Meera", "--role", "legal"])
    assert result.exit_code == 0, result.output
    token = _token(result.output)
    assert token.startswith("kvm_") and len(token) > 40
    moderator_id = next(
        line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("moderator_id: ")
    )
    with database.session() as session:
        row = session.get(Moderator, moderator_id)
        assert (row.name, row.role) == ("Meera", "legal")
        assert token not in row.token_hash
    assert client.get("/v1/review/queue?queue=legal", headers=bearer(token)).status_code == 200

    listed = runner.invoke(cli, ["moderators", "list", "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.output)
    assert [(r["moderator_id"], r["role"], r["revoked_at"]) for r in rows] == [(moderator_id, "legal", None)]
    assert token not in listed.output and token not in runner.invoke(cli, ["moderators", "list"]).output

    revoked = runner.invoke(cli, ["moderators", "revoke", moderator_id])
    assert revoked.exit_code == 0, revoked.output
    response = client.get("/v1/review/queue", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["code"] == "invalid_token"
    assert "revoked" in runner.invoke(cli, ["moderators", "list"]).output
    with database.session() as session:
        assert [
            e.action
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("moderator_")
        ] == ["moderator_created", "moderator_revoked"]


def test_create_refuses_bad_input():
    runner = CliRunner()
    assert runner.invoke(cli, ["moderators", "create", "--name", "X", "--role", "boss"]).exit_code != 0
    assert runner.invoke(cli, ["moderators", "create", "--name", " ", "--role", "admin"]).exit_code != 0
    result = runner.invoke(cli, ["moderators", "revoke", "mod_missing"])
    assert result.exit_code != 0 and "no moderator" in result.output


def test_authors_ban_trust_list_revoke(database, publisher):
    runner = CliRunner()
    ban = runner.invoke(cli, ["authors", "ban", "--email", "Troll@Example.in", "--reason", "threats"])
    assert ban.exit_code == 0, ban.output
    rule = json.loads(ban.output)
    assert (rule["kind"], rule["value"], rule["action"], rule["publisher_id"]) == (
        "email",
        "troll@example.in",
        "ban",
        None,
    )
    domain = runner.invoke(cli, ["authors", "ban", "--domain", "spam.test", "--publisher", publisher.id])
    assert domain.exit_code == 0, domain.output
    trust = runner.invoke(cli, ["authors", "trust", "--ip-range", "192.0.2.0/24"])
    assert trust.exit_code == 0, trust.output
    assert runner.invoke(cli, ["authors", "ban", "--email", "a@b.in", "--domain", "b.in"]).exit_code != 0
    assert runner.invoke(cli, ["authors", "ban"]).exit_code != 0
    bad = runner.invoke(cli, ["authors", "ban", "--ip-range", "300.1.1.1/8"])
    assert bad.exit_code != 0 and "CIDR" in bad.output
    assert runner.invoke(cli, ["authors", "ban", "--email", "x@y.in", "--publisher", "pub_missing"]).exit_code != 0

    listed = json.loads(runner.invoke(cli, ["authors", "list", "--json"]).output)
    assert [(r["kind"], r["action"]) for r in listed] == [("email", "ban"), ("domain", "ban"), ("ip_range", "trust")]
    with database.session() as session:
        assert authors.author_state(session, publisher.id, "troll@example.in", None, {}) == "banned"
        assert authors.author_state(session, publisher.id, "bot@spam.test", None, {}) == "banned"
        assert authors.author_state(session, publisher.id, "a@b.in", "192.0.2.10", {}) == "trusted"

    assert runner.invoke(cli, ["authors", "unban", str(rule["id"])]).exit_code == 0
    assert runner.invoke(cli, ["authors", "revoke", "9999"]).exit_code != 0
    assert [r["id"] for r in json.loads(runner.invoke(cli, ["authors", "list", "--json"]).output)] == [
        listed[1]["id"],
        listed[2]["id"],
    ]
    assert len(json.loads(runner.invoke(cli, ["authors", "list", "--all", "--json"]).output)) == 3
    with database.session() as session:
        assert authors.author_state(session, publisher.id, "troll@example.in", None, {}) == "normal"
        assert session.get(AuthorRule, rule["id"]).revoked_at is not None
        assert [
            e.action
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("author_")
        ] == ["author_ban", "author_ban", "author_trust", "author_rule_revoked"]


def _overrides(client, database, publisher):
    _, token = make_moderator(database, "moderator")
    fair = make_review_comment(client, database, publisher, "c-1", text='Fair point, "well" argued, agreed.')
    nasty = make_review_comment(client, database, publisher, "c-2", text="You are a worthless idiot,\nget lost.")
    assert (
        client.post(
            f"/v1/review/comments/{fair}/decision", json={"action": "approve"}, headers=bearer(token)
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/v1/review/comments/{nasty}/decision",
            json={"action": "reject", "reason": "insult"},
            headers=bearer(token),
        ).status_code
        == 200
    )


def test_feedback_export_writes_text_label_source(client, database, publisher, tmp_path):
    _overrides(client, database, publisher)
    out = tmp_path / "feedback.csv"
    result = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 row(s)" in result.output
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["text", "label", "source"]
        rows = list(reader)
    assert rows == [
        {"text": 'Fair point, "well" argued, agreed.', "label": "0", "source": "moderator"},
        {"text": "You are a worthless idiot,\nget lost.", "label": "1", "source": "moderator"},
    ]


def test_empty_feedback_export_has_the_header(tmp_path):
    out = tmp_path / "empty.csv"
    assert CliRunner().invoke(cli, ["feedback", "export", "--out", str(out)]).exit_code == 0
    assert out.read_text() == "text,label,source\n"


class KeywordScorer:
    """A tiny scorer for the round trip: no model needed."""

    name = "keyword"
    model_version = "keyword-1"

    def score_batch(self, items: list[ScoringInput]) -> list[ScoreResult]:
        return [
            ScoreResult(self.name, self.model_version, {"toxicity": 1.0 if "idiot" in i.text else 0.0}) for i in items
        ]


def test_feedback_export_round_trips_into_kavalu_eval(client, database, publisher, tmp_path):
    from service.cli.main import cli as full_cli

    _overrides(client, database, publisher)
    out = tmp_path / "feedback.csv"
    assert CliRunner().invoke(full_cli, ["feedback", "export", "--out", str(out)]).exit_code == 0
    result = CliRunner().invoke(
        full_cli, ["eval", "abuse", str(out), "--scorer", f"{__name__}:KeywordScorer", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report[0]["overall"]["n"] == 2
    assert report[0]["overall"]["auc"] == 1.0
    assert "moderator" in report[0]["per_source"]
