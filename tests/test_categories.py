"""One registry of the score categories the scorers really output (service/scoring/categories.py): the default
policy, set-policy (API and CLI), the categories endpoint and old stored overrides all follow it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli.main import cli
from service.models import AuditEvent, Comment, Publisher, Score
from service.scoring import categories, claims, results
from service.scoring.jobs import ScoreResult
from tests.helpers import comment, get_signed, post_comment
from tests.review_support import bearer, make_moderator
from tests.test_languages import abuse, post_and_score, set_policy_api

DEFAULT_POLICY = json.loads((Path(__file__).resolve().parents[1] / "config/policy.default.json").read_text())
REGISTRY = ["toxicity", "defamation", "personal", "spam", "infringing"]
REMOVED = ["severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit"]


def test_the_registry_is_the_default_policys_thresholds():
    assert list(categories.SCORED_CATEGORIES) == REGISTRY
    assert list(DEFAULT_POLICY["thresholds"]) == REGISTRY
    assert not set(REMOVED) & set(DEFAULT_POLICY["thresholds"])
    assert (sorted(categories.ABUSE_CATEGORIES), sorted(categories.LEGAL_CATEGORIES)) == (["toxicity"], ["defamation"])


def test_the_shipped_scorers_output_exactly_the_registered_categories(client, database, settings, publisher):
    """The worker's pipeline, with the shipped abuse model, over comments that trip every scorer: every score
    and span it gives is a registered category, every registered category is given, and all of it records."""
    pytest.importorskip("torch")
    from workers.scoring.pipeline import ScoringPipeline, fingerprint

    article = " ".join(f"word{n}" for n in range(60))
    texts = {
        "c-civil": "Thank you for this well researched article.",
        "c-abuse": "You are a complete idiot and everyone here hates you.",
        "c-personal": "Call me on 98450 12345 or write to ravi.k@example.in",
        "c-links": "Buy now https://bit.ly/x1 https://spam.example/a https://spam.example/b",
        "c-defamation": "Councillor Ravi Kumar took a bribe from the builder last year.",
        "c-copy": "As the article says: " + article,
    }
    ids = []
    for external_id, text in texts.items():
        body = comment(comment_id=external_id, text=text)
        body["article"]["body"] = article
        response = post_comment(client, publisher, body)
        assert response.status_code == 202, response.get_json()
        ids.append(response.get_json()["id"])
    with database.session() as session:
        jobs = claims.claim_for_scoring(session, ids[0], defaults=settings.default_policy, batch_size=10, lease_s=120)
    assert sorted(job.comment_id for job in jobs) == sorted(ids)
    pipeline = ScoringPipeline(dataclasses.replace(settings, abuse_precision="fp32"))
    outputs = pipeline.score(jobs)
    given = {category for row in outputs for result in row for category in result.scores}
    # Each category comes from the scorer the registry names (what /v1/analyze's `categories` runs).
    emitters = {(category, result.scorer) for row in outputs for result in row for category in result.scores}
    assert {(name, entry.scorer) for name, entry in categories.CATEGORIES.items()} <= emitters
    spanned = {span.category for row in outputs for result in row for span in result.spans}
    assert given == set(REGISTRY)
    assert spanned <= set(REGISTRY) and {"personal", "spam", "infringing"} <= spanned
    with database.session() as session:
        decided = results.finish_batch(
            session, jobs, outputs, fingerprints=[fingerprint(job) for job in jobs], enqueue_deliveries=None
        )
        assert all(decision is not None for decision in decided)
        stored = {score.category for score in session.query(Score)}
        # Whatever language the shipped model detects (None before the v2 model) is what each comment keeps.
        languages = {c.id: c.detected_language for c in session.query(Comment)}
    assert stored == set(REGISTRY)
    assert languages == {job.comment_id: results.detected_language(row) for job, row in zip(jobs, outputs)}
    assert status_codes(client, publisher, ids[1]) >= {"toxicity"}
    assert {"personal"} <= status_codes(client, publisher, ids[2])


def status_codes(client, keys, comment_id: str) -> set[str]:
    return {reason["code"] for reason in get_signed(client, keys, f"/v1/comments/{comment_id}").get_json()["reasons"]}


# -- the categories endpoint ------------------------------------------------------------------------


def test_the_categories_endpoint_lists_exactly_the_registry(client, database):
    for role in ("moderator", "legal", "admin"):
        token = make_moderator(database, role, f"{role} reader")[1]
        response = client.get("/v1/admin/categories", headers=bearer(token))
        assert response.status_code == 200
        listed = response.get_json()["categories"]
        assert [c["name"] for c in listed] == REGISTRY
    by_name = {c["name"]: c for c in listed}
    assert by_name["toxicity"]["default_thresholds"] == {"review": 0.5, "reject": 0.9}
    assert by_name["toxicity"]["abuse"] is True and by_name["toxicity"]["scorer"] == "detoxify"
    assert by_name["defamation"]["legal"] is True and by_name["defamation"]["default_thresholds"]["reject"] is None
    assert by_name["infringing"]["scorer"] == "verbatim-copy"
    response = client.get("/v1/admin/categories")
    assert response.status_code == 401 and response.get_json()["errors"][0]["code"] == "invalid_token"


def test_the_openapi_document_describes_categories_and_policies(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["paths"]["/v1/admin/categories"]["get"]["operationId"] == "listCategories"
    policy_path = spec["paths"]["/v1/admin/publishers/{publisher_id}/policy"]
    assert policy_path["get"]["operationId"] == "getPublisherPolicy"
    assert policy_path["put"]["operationId"] == "setPublisherPolicy"
    assert {"404", "422"} <= set(policy_path["put"]["responses"])
    schemas = spec["components"]["schemas"]
    assert schemas["Category"]["properties"]["name"]["enum"] == REGISTRY
    assert "languages" in schemas["PolicyOverrides"]["properties"]
    assert "detected_language" in schemas["ReviewItem"]["properties"]


# -- set-policy refuses unknown categories ------------------------------------------------------------

UNKNOWN_CATEGORIES = {
    "thresholds": {"threat": {"review": 0.3}, "toxicity": {"review": 0.4}},
    "languages": {"kn": {"thresholds": {"insult": {"review": 0.2}}}},
}


def test_set_policy_api_refuses_unknown_categories_with_every_error(client, database, publisher):
    admin = make_moderator(database, "admin")
    response = set_policy_api(client, admin[1], publisher.id, UNKNOWN_CATEGORIES)
    assert response.status_code == 422
    errors = sorted(response.get_json()["errors"], key=lambda e: e["field"], reverse=True)
    assert [(e["field"], e["code"]) for e in errors] == [
        ("thresholds.threat", "unknown_category"),
        ("languages.kn.thresholds.insult", "unknown_category"),
    ]
    assert errors[0]["message"] == (
        "No scorer outputs the category 'threat'; the categories are: toxicity, defamation, personal, spam, infringing."
    )
    with database.session() as session:
        assert session.get(Publisher, publisher.id).policy_version == 1

    for body, status, expected in [
        ({"thresholds": {"toxicity": {"review": "high"}}}, 422, ("thresholds.toxicity.review", "invalid_threshold")),
        ({"max_lenght": 5}, 422, ("max_lenght", "unknown_field")),
        ([1], 422, (None, "invalid_type")),
    ]:
        response = set_policy_api(client, admin[1], publisher.id, body)
        assert (
            response.status_code == status
            and (
                response.get_json()["errors"][0]["field"],
                response.get_json()["errors"][0]["code"],
            )
            == expected
        ), response.get_json()
    bad_json = client.put(
        f"/v1/admin/publishers/{publisher.id}/policy",
        data="{nope",
        content_type="application/json",
        headers=bearer(admin[1]),
    )
    assert bad_json.status_code == 400 and bad_json.get_json()["errors"][0]["code"] == "malformed_json"
    missing = set_policy_api(client, admin[1], "pub_nope", {})
    assert missing.status_code == 404 and missing.get_json()["errors"][0]["code"] == "not_found"
    moderator = make_moderator(database, "moderator")
    assert set_policy_api(client, moderator[1], publisher.id, {}).status_code == 403
    assert client.get(f"/v1/admin/publishers/{publisher.id}/policy", headers=bearer(moderator[1])).status_code == 403

    good = set_policy_api(client, admin[1], publisher.id, {"thresholds": {"toxicity": {"review": 0.4}}})
    assert good.status_code == 200
    assert good.get_json()["policy_version"] == 2
    assert good.get_json()["effective"]["thresholds"]["toxicity"] == {"review": 0.4, "reject": 0.9}
    with database.session() as session:
        event = session.query(AuditEvent).filter_by(publisher_id=publisher.id, action="policy_changed").one()
        assert event.actor.startswith("admin:")


def test_set_policy_cli_refuses_unknown_categories(database, publisher):
    result = CliRunner().invoke(
        cli, ["publishers", "set-policy", publisher.id, "--json", json.dumps(UNKNOWN_CATEGORIES)]
    )
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("thresholds.threat", "unknown_category"),
        ("languages.kn.thresholds.insult", "unknown_category"),
    ]
    assert "error: policy refused:" in result.stderr
    assert (
        "thresholds.threat: unknown_category: No scorer outputs the category 'threat'; "
        "the categories are: toxicity, defamation, personal, spam, infringing." in result.stderr
    )
    with database.session() as session:
        assert session.get(Publisher, publisher.id).policy_overrides == {}


# -- old stored overrides -------------------------------------------------------------------------------

OLD_OVERRIDES = {
    "thresholds": {"threat": {"review": 0.1, "reject": 0.2}, "toxicity": {"review": 0.4}},
    "languages": {"kn": {"thresholds": {"insult": {"review": 0.1}}}},
}


def test_old_overrides_naming_removed_categories_are_ignored_not_fatal(client, database, settings, publisher):
    with database.session() as session:  # stored before the categories were removed
        session.get(Publisher, publisher.id).policy_overrides = OLD_OVERRIDES

    # Intake, scoring and the decision: the removed categories never decide, the rest still applies.
    threat = ScoreResult("detoxify", "original", {"threat": 0.99, "insult": 0.99})
    calm = post_and_score(client, database, settings, publisher, "c-1", "A calm remark.", [abuse(0.1, "kn"), threat])
    rude = post_and_score(client, database, settings, publisher, "c-2", "A rude remark.", [abuse(0.45, "kn")])
    assert get_signed(client, publisher, f"/v1/comments/{calm}").get_json()["status"] == "approved"
    body = get_signed(client, publisher, f"/v1/comments/{rude}").get_json()
    assert body["status"] == "review" and body["reasons"][0]["threshold"] == 0.4

    # The review queue's category filter reads every publisher's thresholds.
    moderator = make_moderator(database)
    for category in ("threat", "toxicity"):
        response = client.get(f"/v1/review/queue?category={category}", headers=bearer(moderator[1]))
        assert response.status_code == 200
    assert [i["id"] for i in response.get_json()["items"]] == [rude]

    # Admins see what is ignored: the API, `kavalu publishers show` and `list --json`.
    admin = make_moderator(database, "admin")
    view = client.get(f"/v1/admin/publishers/{publisher.id}/policy", headers=bearer(admin[1])).get_json()
    assert view["ignored_overrides"] == ["thresholds.threat", "languages.kn.thresholds.insult"]
    assert view["overrides"] == OLD_OVERRIDES
    assert "threat" not in view["effective"]["thresholds"]
    assert view["effective"]["languages"] == {"kn": {"thresholds": {}}}
    shown = CliRunner().invoke(cli, ["publishers", "show", publisher.id])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["ignored_overrides"] == view["ignored_overrides"]
    assert "warning: ignored overrides" in shown.stderr and "thresholds.threat" in shown.stderr
    listed = json.loads(CliRunner().invoke(cli, ["publishers", "list", "--json"]).stdout)
    assert listed[0]["ignored_policy_overrides"] == view["ignored_overrides"]
    missing = CliRunner().invoke(cli, ["publishers", "show", "pub_nope"])
    assert missing.exit_code == 1 and "no publisher pub_nope" in missing.stderr
