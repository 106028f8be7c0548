"""Coral Talk's external moderation phase: signed requests as Coral sends them, over real HTTP to a running
Kavalu with a real analyze worker; the comment is stored through intake and goes on like any other."""

from __future__ import annotations

import json

import requests
from sqlalchemy import select

from service.analyze.coral import sign
from service.models import Comment, CommentRevision, SenderDetails
from service.publishers.accounts import rotate_secret
from tests.analyze_support import running_kavalu_fixture  # noqa: F401  (the running_kavalu fixture)
from tests.processes import wait_until

TOXIC = "You are a pathetic idiot and a disgusting moron, shut up you stupid worthless loser."


def _request(action: str, body: str, comment_id: str | None = "coral-c-1", **extra) -> dict:
    payload = {
        "action": action,
        "comment": {"body": body, "parentID": None},
        "author": {"id": "user-7", "role": "COMMENTER"},
        "story": {"id": "story-3", "url": "https://news.example/story-3"},
        "site": {"id": "site-1"},
        "tenantID": "tenant-1",
        "tenantDomain": "news.example",
        **extra,
    }
    if comment_id:
        payload["comment"]["id"] = comment_id
    return payload


def _post(base_url: str, publisher_id: str, raw: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Coral-Signature"] = signature
    return requests.post(f"{base_url}/v1/integrations/coral/{publisher_id}", data=raw, headers=headers, timeout=60)


def _send(base_url: str, publisher, payload: dict, secrets: list[str] | None = None) -> requests.Response:
    raw = json.dumps(payload).encode()
    return _post(base_url, publisher.id, raw, ",".join(sign(s, raw) for s in (secrets or [publisher.secret])))


def test_new_and_edit_are_answered_in_corals_terms_and_stored(running_kavalu, database, publisher):
    new = _send(running_kavalu.base_url, publisher, _request("NEW", "<p>Thanks, a <b>fair</b> report.</p>"))
    assert new.status_code == 200, new.text
    assert new.json() == {"status": "APPROVED", "actions": [], "tags": []}

    edit = _send(running_kavalu.base_url, publisher, _request("EDIT", f"<p>{TOXIC}</p>"))
    assert edit.status_code == 200, edit.text
    assert edit.json() == {
        "status": "REJECTED",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}],
        "tags": [],
    }
    with database.session() as session:
        (comment,) = session.scalars(select(Comment)).all()
        assert (comment.external_id, comment.article_id, comment.author_external_id) == (
            "coral:coral-c-1",
            "story-3",
            "user-7",
        )
        assert comment.author_email == "" and comment.current_revision == 2
        texts = session.scalars(select(CommentRevision.text).order_by(CommentRevision.number)).all()
        assert texts == ["Thanks, a fair report.", TOXIC]  # HTML stripped to text
        assert set(session.scalars(select(SenderDetails.ip))) == {""}  # Coral sends no IP
        comment_id = comment.id

    # The stored comment goes on through the workers like any other and gets the same verdict.
    def decided():
        with database.session() as session:
            return session.get(Comment, comment_id).status == "rejected"

    wait_until(decided, 60, message="the stored Coral comment decided")


def test_review_and_legal_review_map_to_premod_and_system_withheld(running_kavalu, database, publisher):
    phone = _send(running_kavalu.base_url, publisher, _request("NEW", "Call me on 98450 12345.", "c-phone"))
    assert phone.json() == {"status": "PREMOD", "actions": [], "tags": []}
    legal = _send(
        running_kavalu.base_url,
        publisher,
        # Older Coral sends tenant{id, domain}: accepted too.
        {
            **_request("NEW", "Councillor Ravi Kumar took a bribe from the builder.", "c-legal"),
            "tenant": {"id": "t-old", "domain": "old.example"},
        },
    )
    assert legal.status_code == 200, legal.text
    assert legal.json()["status"] == "SYSTEM_WITHHELD"


def test_a_bad_signature_is_refused_and_a_rotated_secret_with_two_signatures_passes(
    running_kavalu, database, publisher
):
    payload = _request("NEW", "A calm comment.", "c-sig")
    raw = json.dumps(payload).encode()
    for signature in (None, "sha256=" + "0" * 64, sign("whsec_other", raw), sign(publisher.secret, raw + b" ")):
        refused = _post(running_kavalu.base_url, publisher.id, raw, signature)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["code"] == "invalid_signature"
    assert _post(running_kavalu.base_url, "pub_unknown", raw, sign(publisher.secret, raw)).status_code == 401

    with database.session() as session:
        new_secret = rotate_secret(session, publisher.id).secret
    # During the grace Coral may sign with both (one value per active secret), or still with the old one alone.
    both = _send(running_kavalu.base_url, publisher, payload, [new_secret, publisher.secret])
    assert both.status_code == 200, both.text
    old_only = _send(running_kavalu.base_url, publisher, _request("NEW", "Another calm one.", "c-sig-2"))
    assert old_only.status_code == 200
    with database.session() as session:
        rotate_secret(session, publisher.id, grace=None)  # --now: the old secret is revoked
    assert _send(running_kavalu.base_url, publisher, payload).status_code == 401


def test_a_body_that_is_not_a_coral_request_gets_field_errors(running_kavalu, publisher):
    bad = _send(running_kavalu.base_url, publisher, {"action": "DELETE", "comment": {"body": "x"}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "action"
    raw = b"{not json"
    assert _post(running_kavalu.base_url, publisher.id, raw, sign(publisher.secret, raw)).status_code == 400
    empty = _send(running_kavalu.base_url, publisher, _request("NEW", "<p> </p>", "c-empty"))
    assert empty.status_code == 204


def test_only_the_flag_reasons_corals_external_phase_accepts_are_sent():
    """Coral's response schema allows COMMENT_DETECTED_TOXIC and COMMENT_DETECTED_SPAM only, and drops an answer with
    any other: a blocked term rejects through the status alone."""
    from service.analyze.coral import answer
    from service.decisions.engine import Verdict

    blocked = Verdict("rejected", [{"code": "blocked_term"}, {"code": "toxicity"}, {"code": "spam"}])
    assert answer(blocked) == {
        "status": "REJECTED",
        "actions": [
            {"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"},
            {"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"},
        ],
        "tags": [],
    }
    assert answer(Verdict("review", [{"code": "suspect_term"}, {"code": "defamation"}])) == {
        "status": "PREMOD",
        "actions": [],
        "tags": [],
    }


def test_an_edit_without_a_comment_id_is_answered_but_not_stored_as_a_new_comment(running_kavalu, database, publisher):
    """Coral's requests carry no comment id (comment {body, parentID}): an EDIT cannot be matched to the comment it
    changes. It is still scored and answered, so Coral moderates the edited text, but it is not stored as another
    comment (which moderators would then review and the publisher be called back about)."""
    new = _send(running_kavalu.base_url, publisher, _request("NEW", "A calm first version.", comment_id=None))
    assert new.status_code == 200 and new.json()["status"] == "APPROVED"
    edit = _send(running_kavalu.base_url, publisher, _request("EDIT", TOXIC, comment_id=None))
    assert edit.status_code == 200, edit.text
    assert edit.json()["status"] == "REJECTED"
    with database.session() as session:
        (stored,) = session.scalars(select(Comment)).all()
        assert stored.current_revision == 1
        assert session.scalars(select(CommentRevision.text)).all() == ["A calm first version."]
    # ...and the contract says so, rather than that every comment Coral sends is stored.
    spec = requests.get(f"{running_kavalu.base_url}/openapi.json", timeout=10).json()
    description = " ".join(spec["paths"]["/v1/integrations/coral/{publisher_id}"]["post"]["description"].split())
    assert "no `comment.id`" in description and "keeps its first text and decision" in description
