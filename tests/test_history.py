"""A comment's history opens with the automatic decision: scores, reasons and model versions, then the moderators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from service.models import Score
from tests.helpers import comment, get_signed, post_comment
from tests.processes import wait_until
from tests.review_support import bearer, make_moderator


def submit(client, keys, external_id: str, text: str) -> str:
    response = post_comment(client, keys, comment(comment_id=external_id, text=text))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def decided(client, keys, comment_id: str, revision: int = 1) -> dict:
    """The comment's status once the real worker has decided `revision`."""

    def status():
        body = get_signed(client, keys, f"/v1/comments/{comment_id}").get_json()
        return body if body["status"] != "pending" and body["revision"] == revision else None

    return wait_until(status, 90, interval=0.2, message=f"a decision on {comment_id} revision {revision}")


def history(client, token: str, comment_id: str) -> list[dict]:
    response = client.get(f"/v1/review/comments/{comment_id}/history", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def stored_versions(database, comment_id: str, revision: int) -> dict[str, str]:
    with database.session() as session:
        rows = session.scalars(select(Score).where(Score.comment_id == comment_id, Score.revision == revision))
        return {row.scorer: row.model_version for row in rows}


def test_the_automatic_decision_comes_before_the_moderators_action(worker_client, database, publisher):
    comment_id = submit(worker_client, publisher, "c-phone", "Call me on 98450 12345 for details.")
    automatic = decided(worker_client, publisher, comment_id)
    assert automatic["status"] == "review" and automatic["decided_by"] == "auto"
    moderator_id, token = make_moderator(database)
    approved = worker_client.post(
        f"/v1/review/comments/{comment_id}/decision", json={"action": "approve"}, headers=bearer(token)
    )
    assert approved.status_code == 200, approved.get_json()

    first, second = history(worker_client, token, comment_id)
    assert (first["action"], first["actor"]) == ("auto_decision", "kavalu")
    assert (first["status"], first["revision"]) == ("review", 1)
    assert first["scores"] == automatic["scores"] and "personal" in first["scores"]
    assert first["reasons"] == automatic["reasons"] and "personal" in {r["code"] for r in first["reasons"]}
    assert first["model_versions"] == stored_versions(database, comment_id, 1)
    assert {"detoxify", "defamation", "personal", "spam"} <= set(first["model_versions"])
    assert isinstance(first["policy_version"], int)
    assert datetime.fromisoformat(first["created_at"]) == datetime.fromisoformat(automatic["decided_at"])

    assert second["action"] == "decision" and moderator_id in second["actor"]
    assert (second["before"]["status"], second["after"]["status"]) == ("review", "approved")
    assert datetime.fromisoformat(first["created_at"]) <= datetime.fromisoformat(second["created_at"])


def test_an_edited_comment_has_one_automatic_entry_per_decision(worker_client, database, publisher):
    comment_id = submit(worker_client, publisher, "c-edit", "Nice article.")
    assert decided(worker_client, publisher, comment_id)["status"] == "approved"
    edited = post_comment(worker_client, publisher, comment(comment_id="c-edit", text="Nice article. Call 98450 12345"))
    assert edited.status_code == 202
    assert decided(worker_client, publisher, comment_id, revision=2)["status"] == "review"
    _, token = make_moderator(database)

    entries = history(worker_client, token, comment_id)
    assert [(e["action"], e["revision"], e["status"]) for e in entries] == [
        ("auto_decision", 1, "approved"),
        ("auto_decision", 2, "review"),
    ]
    assert entries[0]["reasons"] == [] and "personal" in {r["code"] for r in entries[1]["reasons"]}
    assert entries[1]["model_versions"] == stored_versions(database, comment_id, 2)


def test_openapi_describes_the_automatic_entry(client):
    spec = client.get("/openapi.json").get_json()
    response = spec["paths"]["/v1/review/comments/{comment_id}/history"]["get"]["responses"]["200"]
    history_ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    entry_ref = spec["components"]["schemas"][history_ref]["properties"]["events"]["items"]["$ref"].rsplit("/", 1)[1]
    properties = spec["components"]["schemas"][entry_ref]["properties"]
    assert {"action", "actor", "created_at", "status", "reasons", "scores", "model_versions", "policy_version"} <= set(
        properties
    )
    assert {"before", "after", "reason", "id"} <= set(properties)  # the audit events keep their shape


def test_an_edit_overtaken_by_a_later_one_is_in_the_history_with_its_text(client, database, publisher):
    first = post_comment(client, publisher, comment(comment_id="c-late", submitted_at="2026-05-05T10:00:00Z"))
    comment_id = first.get_json()["id"]
    second = comment(comment_id="c-late", text="The reader's second edit.", submitted_at="2026-05-05T10:02:00Z")
    assert post_comment(client, publisher, second).status_code == 202
    late = comment(comment_id="c-late", text="The reader's first edit.", submitted_at="2026-05-05T10:01:00Z")
    assert post_comment(client, publisher, late).status_code == 200
    _, token = make_moderator(database)

    [entry] = history(client, token, comment_id)
    assert (entry["action"], entry["actor"], entry["revision"]) == ("overtaken_edit", "publisher", 3)
    assert entry["after"] == {"text": "The reader's first edit.", "overtaken_by": 2}
    assert datetime.fromisoformat(entry["created_at"])
    status = get_signed(client, publisher, f"/v1/comments/{comment_id}").get_json()
    assert (status["revision"], status["status"]) == (2, "pending")
