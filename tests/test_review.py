"""The moderator review API: tokens and roles, queue, item view, claims, decisions, bulk, audit, authors, feedback."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.authors import rules as authors
from service.models import (
    AuditEvent,
    AuthorRule,
    Comment,
    CommentRevision,
    Decision,
    FeedbackExample,
    Moderator,
    OutboundEvent,
)
from service.policy import merged_policy
from service.review import claims, feedback, highlighting, moderators, redaction
from service.review.actions import take_action
from service.review.errors import ReviewError
from tests.helpers import comment, error_codes, get_signed, post_comment
from tests.review_support import bearer, make_moderator, make_review_comment


@pytest.fixture
def mod(database):
    return make_moderator(database, "moderator", "Mo")


@pytest.fixture
def mod2(database):
    return make_moderator(database, "moderator", "Mina")


@pytest.fixture
def legal(database):
    return make_moderator(database, "legal", "Lea")


@pytest.fixture
def admin(database):
    return make_moderator(database, "admin", "Ada")


def decide(client, token, comment_id, **body):
    return client.post(f"/v1/review/comments/{comment_id}/decision", json=body, headers=bearer(token))


def claim(client, token, comment_id):
    return client.post(f"/v1/review/comments/{comment_id}/claim", headers=bearer(token))


def actions(database, comment_id):
    with database.session() as session:
        return [
            e.action
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.comment_id == comment_id).order_by(AuditEvent.id)
            )
        ]


# -- tokens and roles ------------------------------------------------------------------------------


def test_missing_invalid_and_revoked_tokens_get_401(client, database, mod):
    mod_id, token = mod
    assert client.get("/v1/review/queue").status_code == 401
    response = client.get("/v1/review/queue", headers=bearer("kvm_not-a-real-token"))
    assert response.status_code == 401
    assert error_codes(response) == {(None, "invalid_token")}
    assert client.get("/v1/review/queue", headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.get("/v1/review/queue", headers=bearer(token)).status_code == 200
    with database.session() as session:
        moderators.revoke(session, mod_id)
    response = client.get("/v1/review/queue", headers=bearer(token))
    assert response.status_code == 401
    assert error_codes(response) == {(None, "invalid_token")}


def test_tokens_are_stored_hashed(database, mod):
    mod_id, token = mod
    with database.session() as session:
        row = session.get(Moderator, mod_id)
        assert token not in row.token_hash and row.token_hash == moderators.hash_token(token)
        assert moderators.authenticate(session, token).id == mod_id
        assert moderators.authenticate(session, token + "x") is None
        assert moderators.authenticate(session, None) is None


def test_moderator_cannot_reach_legal_queue_or_legal_comments(client, database, publisher, mod, legal, admin):
    cid = make_review_comment(client, database, publisher, "c-legal", scores={"defamation": 0.8}, status="legal_review")
    response = client.get("/v1/review/queue?queue=legal", headers=bearer(mod[1]))
    assert response.status_code == 403
    assert error_codes(response) == {(None, "forbidden")}
    assert client.get(f"/v1/review/comments/{cid}", headers=bearer(mod[1])).status_code == 403
    assert claim(client, mod[1], cid).status_code == 403
    assert decide(client, mod[1], cid, action="approve").status_code == 403
    for token in (legal[1], admin[1]):
        response = client.get("/v1/review/queue?queue=legal", headers=bearer(token))
        assert response.status_code == 200
        assert [i["id"] for i in response.get_json()["items"]] == [cid]


def test_publisher_cannot_see_another_publishers_comment(client, database, publisher, other_publisher):
    cid = make_review_comment(client, database, publisher, "c-1")
    assert get_signed(client, publisher, f"/v1/comments/{cid}").status_code == 200
    assert get_signed(client, other_publisher, f"/v1/comments/{cid}").status_code == 404
    # A publisher's signature is no moderator token.
    assert client.get(f"/v1/review/comments/{cid}").status_code == 401


# -- queue ---------------------------------------------------------------------------------------


def test_queue_sorts_by_risk_or_age_and_filters(client, database, publisher, other_publisher, mod):
    now = datetime.now(UTC)
    low = make_review_comment(
        client, database, publisher, "c-low", scores={"toxicity": 0.55}, received_at=now - timedelta(hours=3)
    )
    high = make_review_comment(
        client,
        database,
        publisher,
        "c-high",
        scores={"toxicity": 0.85, "insult": 0.6},
        received_at=now - timedelta(hours=1),
    )
    spam = make_review_comment(
        client, database, other_publisher, "c-spam", scores={"spam": 0.7}, received_at=now - timedelta(hours=2)
    )
    make_review_comment(client, database, publisher, "c-done", scores={"toxicity": 0.2}, status="approved")
    headers = bearer(mod[1])

    items = client.get("/v1/review/queue", headers=headers).get_json()["items"]
    assert [i["id"] for i in items] == [high, spam, low]
    assert items[0]["risk"] == 0.85 and items[0]["scores"] == {"toxicity": 0.85, "insult": 0.6}
    assert items[0]["article"]["title"].startswith("India-Russia")
    assert items[0]["author"] == {"name": "Ravi", "email": "ravi@example.in"}
    assert "ip" not in json.dumps(items[0]["author"])

    oldest = client.get("/v1/review/queue?sort=oldest", headers=headers).get_json()["items"]
    assert [i["id"] for i in oldest] == [low, spam, high]
    by_publisher = client.get(f"/v1/review/queue?publisher={other_publisher.id}", headers=headers).get_json()["items"]
    assert [i["id"] for i in by_publisher] == [spam]
    insults = client.get("/v1/review/queue?category=insult", headers=headers).get_json()["items"]
    assert [i["id"] for i in insults] == [high]
    spammy = client.get("/v1/review/queue?category=spam", headers=headers).get_json()["items"]
    assert [i["id"] for i in spammy] == [spam]
    older = client.get("/v1/review/queue?older_than=5400&sort=oldest", headers=headers).get_json()["items"]
    assert [i["id"] for i in older] == [low, spam]
    since = (now - timedelta(minutes=150)).isoformat()
    newer = client.get("/v1/review/queue", query_string={"newer_than": since}, headers=headers).get_json()["items"]
    assert [i["id"] for i in newer] == [high, spam]


def test_category_filter_uses_the_publishers_review_threshold(client, database, publisher, mod):
    from service.publishers import accounts as publishers

    cid = make_review_comment(client, database, publisher, "c-1", scores={"toxicity": 0.7, "spam": 0.2}, reasons=[])
    headers = bearer(mod[1])
    assert client.get("/v1/review/queue?category=spam", headers=headers).get_json()["items"] == []
    with database.session() as session:
        publishers.set_policy(
            session,
            publisher.id,
            {"thresholds": {"spam": {"review": 0.1}}},
            merged_policy(client.application.config["KAVALU_SETTINGS"].default_policy, {}),
        )
    assert [i["id"] for i in client.get("/v1/review/queue?category=spam", headers=headers).get_json()["items"]] == [cid]


def test_bad_queue_parameters_answer_400_in_the_error_shape(client, mod):
    headers = bearer(mod[1])
    for query, code in [
        ("queue=secret", "invalid_queue"),
        ("sort=random", "invalid_sort"),
        ("limit=0", "invalid_limit"),
        ("limit=abc", "invalid_limit"),
        ("cursor=%%%", "invalid_cursor"),
        ("older_than=yesterday", "invalid_age"),
        ("publisher=pub%00", "invalid_characters"),
        ("category=%00", "invalid_characters"),
    ]:
        response = client.get(f"/v1/review/queue?{query}", headers=headers)
        assert response.status_code == 400, query
        assert code in {e["code"] for e in response.get_json()["errors"]}, (query, response.get_json())


@pytest.mark.parametrize("sort", ["risk", "oldest"])
def test_cursor_pagination_is_stable_while_new_comments_arrive(client, database, publisher, mod, sort):
    now = datetime.now(UTC)
    ids = [
        make_review_comment(
            client,
            database,
            publisher,
            f"c-{n}",
            scores={"toxicity": 0.5 + n / 100},
            received_at=now - timedelta(minutes=60 - n),
        )
        for n in range(7)
    ]
    headers = bearer(mod[1])
    seen, cursor, pages = [], None, 0
    while True:
        query = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/review/queue", query_string=query, headers=headers).get_json()
        seen.extend(i["id"] for i in page["items"])
        pages += 1
        if pages == 1:
            # New comments arrive between pages, riskier and newer than everything so far, and one ties.
            for n in range(3):
                make_review_comment(client, database, publisher, f"new-{n}", scores={"toxicity": 0.99 if n else 0.53})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = list(reversed(ids)) if sort == "risk" else ids
    original = [i for i in seen if i in ids]
    assert original == expected  # every original comment exactly once, in order
    assert len(seen) == len(set(seen))


# -- item view -----------------------------------------------------------------------------------


def test_item_view_escapes_html_and_highlights_spans(client, database, publisher, mod):
    text = "<script>alert('x')</script> you idiot & liar"
    start = text.index("idiot")
    cid = make_review_comment(
        client,
        database,
        publisher,
        "c-xss",
        text=text,
        scores={"insult": 0.8, "toxicity": 0.7},
        spans=[
            {"start": start, "end": start + 5, "category": "insult", "label": "insult"},
            {"start": start + 2, "end": start + 7, "category": "toxicity", "label": ""},
        ],
    )
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(mod[1])).get_json()
    assert item["text"] == text
    assert "<script>" not in item["highlighted"]
    assert item["highlighted"].startswith("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; you ")
    assert '<mark data-categories="insult toxicity">idiot &amp;</mark> liar' in item["highlighted"]
    assert {(s["start"], s["end"], s["category"]) for s in item["spans"]} == {
        (start, start + 5, "insult"),
        (start + 2, start + 7, "toxicity"),
    }
    queue_item = client.get("/v1/review/queue", headers=bearer(mod[1])).get_json()["items"][0]
    assert queue_item["highlighted"] == item["highlighted"]


def test_abuse_spans_are_highlighted_escaped_in_the_item_and_the_queue(client, database, settings, publisher, mod):
    """Abuse evidence from the scorers (the v2 model's toxicity spans) is recorded through the real results
    path and marked like defamation and personal data: escaped, with its category, beside the other evidence."""
    from service.scoring.jobs import ScoreResult, Span
    from tests.test_languages import post_and_score

    text = "<b>Hi</b> you <i>idiot</i> & liar, call 98450 12345"
    idiot, liar, phone = text.index("<i>idiot</i>"), text.index("liar"), text.index("98450")
    outputs = [
        ScoreResult(
            "abuse",
            "test-v2",
            {"toxicity": 0.8},
            [Span(idiot, idiot + len("<i>idiot</i>"), "toxicity", "abuse"), Span(liar, liar + 4, "toxicity", "abuse")],
            detected_language="en",
        ),
        ScoreResult("personal", "rules-1", {"personal": 1.0}, [Span(phone, phone + 11, "personal", "phone")]),
    ]
    cid = post_and_score(client, database, settings, publisher, "c-abuse", text, outputs)
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(mod[1])).get_json()
    assert item["status"] == "review" and item["detected_language"] == "en"
    assert item["highlighted"] == (
        "&lt;b&gt;Hi&lt;/b&gt; you "
        '<mark data-categories="toxicity">&lt;i&gt;idiot&lt;/i&gt;</mark> &amp; '
        '<mark data-categories="toxicity">liar</mark>, call '
        '<mark data-categories="personal">98450 12345</mark>'
    )
    assert [(s["category"], s["label"], text[s["start"] : s["end"]]) for s in item["spans"]] == [
        ("toxicity", "abuse", "<i>idiot</i>"),
        ("toxicity", "abuse", "liar"),
        ("personal", "phone", "98450 12345"),
    ]
    queued = client.get("/v1/review/queue?category=toxicity", headers=bearer(mod[1])).get_json()["items"]
    assert [(i["id"], i["highlighted"], i["spans"]) for i in queued] == [(cid, item["highlighted"], item["spans"])]


def test_highlight_clips_and_escapes_attributes():
    assert (
        highlighting.highlight("a<b", [{"start": 1, "end": 99, "category": '"x'}])
        == 'a<mark data-categories="&quot;x">&lt;b</mark>'
    )
    assert highlighting.highlight("abc", [{"start": "x", "end": 2}]) == "abc"


def test_item_view_shows_history_and_sender_details_to_no_role(client, database, publisher, mod, legal, admin):
    cid = make_review_comment(client, database, publisher, "c-1", email="asha@example.in")
    make_review_comment(client, database, publisher, "c-2", email="asha@example.in", status="approved")
    make_review_comment(client, database, publisher, "c-3", email="asha@example.in", status="rejected")
    make_review_comment(client, database, publisher, "c-4", email="other@example.in", status="rejected")
    make_review_comment(client, database, publisher, "c-5", email="asha@example.in", status="legal_review")
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(mod[1])).get_json()
    assert item["author"] == {
        "name": "Ravi",
        "email": "asha@example.in",
        "history": {"comments": 3, "approved": 1, "rejected": 1},  # not the legal-queue comment it may not open
    }
    for role in (legal, admin):
        seen = client.get(f"/v1/review/comments/{cid}", headers=bearer(role[1])).get_json()
        assert seen["author"]["history"] == {"comments": 4, "approved": 1, "rejected": 1}
    assert item["reasons"] == [{"code": "toxicity", "score": 0.7, "threshold": 0.5, "source": "test"}]
    # Sender details are disclosed by request reference only: not in the item view, for any role.
    for role in (mod, legal, admin):
        answer = client.get(f"/v1/review/comments/{cid}", headers=bearer(role[1])).get_data(as_text=True)
        seen = json.loads(answer)
        assert seen["author"].keys() == {"name", "email", "history"}
        assert "203.0.113.7" not in answer and "Mozilla" not in answer
    assert actions(database, cid) == []
    disclosed = client.get(f"/v1/legal/comments/{cid}/sender?request_reference=REQ-42", headers=bearer(legal[1]))
    assert disclosed.status_code == 200
    assert (disclosed.get_json()["ip"], disclosed.get_json()["user_agent"]) == ("203.0.113.7", "Mozilla/5.0")
    with database.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.comment_id == cid)).all()
        assert [(e.action, e.reason, e.after["request_reference"]) for e in events] == [
            ("sender_details_viewed", "REQ-42", "REQ-42")
        ]
        assert legal[0] in events[0].actor


def test_unknown_comment_is_404(client, mod):
    for response in (
        client.get("/v1/review/comments/cmt_nope", headers=bearer(mod[1])),
        claim(client, mod[1], "cmt_nope"),
        decide(client, mod[1], "cmt_nope", action="approve"),
        client.get("/v1/review/comments/cmt_nope/history", headers=bearer(mod[1])),
    ):
        assert response.status_code == 404
        assert error_codes(response) == {(None, "not_found")}


# -- claims --------------------------------------------------------------------------------------


def test_claim_gives_a_lease_that_others_cannot_take(client, database, publisher, mod, mod2):
    cid = make_review_comment(client, database, publisher, "c-1")
    first = claim(client, mod[1], cid)
    assert first.status_code == 200
    assert first.get_json()["claimed_by"] == mod[0]
    second = claim(client, mod2[1], cid)
    assert second.status_code == 409
    assert error_codes(second) == {(None, "claimed")}
    again = claim(client, mod[1], cid)  # the holder extends
    assert again.status_code == 200
    assert again.get_json()["claim_expires_at"] >= first.get_json()["claim_expires_at"]
    assert decide(client, mod2[1], cid, action="approve").status_code == 409
    assert decide(client, mod[1], cid, action="approve").status_code == 200
    assert actions(database, cid) == ["claim", "claim", "decision"]


def test_lease_expires_after_ten_minutes(database, client, publisher, mod, mod2):
    cid = make_review_comment(client, database, publisher, "c-1")
    start = datetime(2026, 5, 5, 10, 0, tzinfo=UTC)
    with database.session() as session:
        first = session.get(Moderator, mod[0])
        other = session.get(Moderator, mod2[0])
        claims.claim(session, cid, first, now=start)
    with database.session() as session:
        with pytest.raises(ReviewError) as refused:
            claims.claim(session, cid, other, now=start + timedelta(minutes=9, seconds=59))
        assert refused.value.status == 409 and refused.value.code == "claimed"
    with database.session() as session:
        outcome = claims.claim(session, cid, other, now=start + timedelta(minutes=10, seconds=1))
        assert outcome["claimed_by"] == mod2[0]
    with database.session() as session, pytest.raises(ReviewError):
        take_action(session, cid, first, action="approve", enqueue_delivery=None, now=start + timedelta(minutes=11))


def test_two_moderators_claiming_at_once_exactly_one_wins(app, database, publisher, mod, mod2):
    setup_client = app.test_client()
    ids = [make_review_comment(setup_client, database, publisher, f"c-{n}") for n in range(5)]
    for cid in ids:
        barrier = threading.Barrier(2)
        results = {}

        def attempt(token, cid, barrier, results):
            client = app.test_client()
            barrier.wait()
            results[token] = claim(client, token, cid).status_code

        threads = [threading.Thread(target=attempt, args=(t, cid, barrier, results)) for t in (mod[1], mod2[1])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(results.values()) == [200, 409], results
        with database.session() as session:
            assert session.get(Comment, cid).claimed_by in (mod[0], mod2[0])
            claims = session.scalars(
                select(AuditEvent).where(AuditEvent.comment_id == cid, AuditEvent.action == "claim")
            ).all()
            assert len(claims) == 1


# -- decisions -----------------------------------------------------------------------------------


def test_approve_takes_a_free_comment_and_creates_an_outbound_event(client, database, publisher, mod, queue_redis):
    cid = make_review_comment(client, database, publisher, "c-1")
    response = decide(client, mod[1], cid, action="approve", note="fine in context")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "approved"
    with database.session() as session:
        row = session.get(Comment, cid)
        assert (row.status, row.decided_by, row.claimed_by) == ("approved", "moderator", None)
        events = session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid)).all()
        assert len(events) == 1
        assert events[0].payload["data"]["status"] == "approved"
        assert events[0].payload["data"]["decided_by"] == "moderator"
        assert events[0].payload["data"]["scores"] == {"toxicity": 0.7}
    again = decide(client, mod[1], cid, action="approve")
    assert again.status_code == 409
    assert error_codes(again) == {(None, "already_decided")}
    status = get_signed(client, publisher, f"/v1/comments/{cid}").get_json()
    assert (status["status"], status["decided_by"]) == ("approved", "moderator")


def test_reject_needs_a_reason_code(client, database, publisher, mod):
    cid = make_review_comment(client, database, publisher, "c-1")
    response = decide(client, mod[1], cid, action="reject")
    assert response.status_code == 422
    assert error_codes(response) == {("reason", "reason_required")}
    assert error_codes(decide(client, mod[1], cid, action="reject", reason="Not A Code!")) == {
        ("reason", "invalid_reason")
    }
    response = decide(client, mod[1], cid, action="reject", reason="insult", note="personal attack")
    assert response.status_code == 200
    assert response.get_json()["reasons"] == [
        {"code": "insult", "score": None, "threshold": None, "source": "moderator"}
    ]
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.comment_id == cid)).one()
        assert (event.action, event.reason) == ("decision", "insult | personal attack")
        assert event.before["status"] == "review" and event.after["status"] == "rejected"


def test_a_moderators_note_stays_with_the_moderators(client, database, publisher, mod):
    """The note is written for other moderators and the audit trail, and may quote what a publisher must not see."""
    cid = make_review_comment(client, database, publisher, "c-1")
    note = "same sender as 203.0.113.7 yesterday"
    assert decide(client, mod[1], cid, action="reject", reason="insult", note=note).status_code == 200
    with database.session() as session:
        (event,) = session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid))
        sent = [event.payload["data"]["reasons"]]
    sent.append(get_signed(client, publisher, "/v1/decisions").get_json()["data"][0]["reasons"])
    sent.append(get_signed(client, publisher, f"/v1/comments/{cid}").get_json()["reasons"])
    assert sent == [[{"code": "insult", "score": None, "threshold": None, "source": "moderator"}]] * 3
    with database.session() as session:
        stored = session.scalars(select(Decision).where(Decision.comment_id == cid).order_by(Decision.id)).all()
        assert stored[-1].reasons[0]["note"] == note


def test_bad_decision_bodies_are_4xx_in_the_error_shape(client, database, publisher, mod):
    cid = make_review_comment(client, database, publisher, "c-1")
    headers = bearer(mod[1])
    url = f"/v1/review/comments/{cid}/decision"
    assert error_codes(client.post(url, data="{", headers={**headers, "Content-Type": "application/json"})) == {
        (None, "malformed_json")
    }
    assert client.post(url, data="action=approve", headers=headers).status_code == 415
    response = client.post(url, json={"action": "delete", "extra": 1}, headers=headers)
    assert response.status_code == 422
    assert error_codes(response) == {("action", "invalid_action"), ("extra", "unknown_field")}
    assert error_codes(client.post(url, json={}, headers=headers)) == {("action", "required")}
    assert error_codes(client.post(url, json=[1], headers=headers)) == {(None, "invalid_type")}
    assert error_codes(client.post(url, json={"action": "approve", "expected_revision": "1"}, headers=headers)) == {
        ("expected_revision", "invalid_type")
    }
    assert error_codes(client.post(url, json={"action": "approve", "note": "a\x00b"}, headers=headers)) == {
        ("note", "invalid_characters")
    }
    assert error_codes(
        client.post(url, json={"action": "redact", "spans": [{"start": "0", "end": 2}]}, headers=headers)
    ) == {("spans.0.start", "invalid_span")}
    assert (
        client.post("/v1/review/comments/cmt%00x/decision", json={"action": "approve"}, headers=headers).status_code
        == 404
    )


def test_stale_decisions_get_409(client, database, publisher, mod):
    cid = make_review_comment(client, database, publisher, "c-1")
    response = decide(client, mod[1], cid, action="approve", expected_revision=2)
    assert (response.status_code, error_codes(response)) == (409, {(None, "stale_revision")})
    response = decide(client, mod[1], cid, action="approve", if_status="legal_review")
    assert (response.status_code, error_codes(response)) == (409, {(None, "stale_status")})
    assert decide(client, mod[1], cid, action="approve", expected_revision=1, if_status="review").status_code == 200


def test_a_comment_still_pending_cannot_be_decided(client, database, publisher, mod):
    cid = post_comment(client, publisher, comment(comment_id="c-pending")).get_json()["id"]
    response = decide(client, mod[1], cid, action="approve")
    assert (response.status_code, error_codes(response)) == (409, {(None, "not_in_review")})
    assert claim(client, mod[1], cid).status_code == 409


def test_escalate_moves_to_legal_queue_where_legal_decides(client, database, publisher, mod, legal):
    cid = make_review_comment(client, database, publisher, "c-1", scores={"defamation": 0.4, "toxicity": 0.6})
    response = decide(client, mod[1], cid, action="escalate", note="names a local official")
    assert response.status_code == 200
    assert response.get_json()["status"] == "legal_review"
    assert client.get("/v1/review/queue", headers=bearer(mod[1])).get_json()["items"] == []
    assert [
        i["id"] for i in client.get("/v1/review/queue?queue=legal", headers=bearer(legal[1])).get_json()["items"]
    ] == [cid]
    assert decide(client, legal[1], cid, action="escalate").status_code == 409
    assert decide(client, legal[1], cid, action="reject", reason="defamation").status_code == 200
    with database.session() as session:
        assert len(session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid)).all()) == 1
    assert actions(database, cid) == ["escalation", "decision"]


def test_overturn_of_an_automatic_decision(client, database, publisher, mod, admin):
    cid = make_review_comment(client, database, publisher, "c-1", scores={"toxicity": 0.95}, status="rejected")
    response = decide(client, admin[1], cid, action="approve")
    assert (response.status_code, error_codes(response)) == (409, {(None, "already_decided")})
    assert decide(client, mod[1], cid, action="approve", overturn=True).status_code == 403
    response = decide(client, admin[1], cid, action="approve", overturn=True, note="quoting the minister")
    assert response.status_code == 200
    with database.session() as session:
        events = session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid)).all()
        assert [e.payload["data"]["status"] for e in events] == ["rejected", "approved"]
    assert actions(database, cid) == ["overturn"]
    open_one = make_review_comment(client, database, publisher, "c-2")
    response = decide(client, admin[1], open_one, action="approve", overturn=True)
    assert (response.status_code, error_codes(response)) == (409, {(None, "not_decided")})


def test_redaction_keeps_the_original(client, database, publisher, mod, queue_redis):
    text = "Call me on 98450 12345 or mail ravi@example.in today"
    cid = make_review_comment(client, database, publisher, "c-1", text=text, scores={"personal": 0.9})
    phone = (text.index("98450"), text.index("98450") + 11)
    bad = decide(client, mod[1], cid, action="redact", spans=[{"start": 5, "end": 500}])
    assert (bad.status_code, error_codes(bad)) == (422, {("spans.0", "invalid_span")})
    assert error_codes(decide(client, mod[1], cid, action="redact")) == {("spans", "spans_required")}
    response = decide(
        client, mod[1], cid, action="redact", spans=[{"start": phone[0], "end": phone[1]}], reason="personal"
    )
    assert response.status_code == 200, response.get_json()
    redacted = "Call me on ███████████ or mail ravi@example.in today"
    assert response.get_json()["redacted_text"] == redacted
    assert response.get_json()["status"] == "approved"
    with database.session() as session:
        revision = session.scalars(select(CommentRevision).where(CommentRevision.comment_id == cid)).one()
        assert (revision.text, revision.redacted_text) == (text, redacted)
        event = session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid)).one()
        assert event.payload["data"]["redacted_text"] == redacted
    # A publisher whose callback failed reads the redaction from the feed, or from the comment's status.
    feed = get_signed(client, publisher, "/v1/decisions").get_json()["data"]
    assert [(item["id"], item["status"], item["redacted_text"]) for item in feed] == [(cid, "approved", redacted)]
    assert get_signed(client, publisher, f"/v1/comments/{cid}").get_json()["redacted_text"] == redacted
    # Redacting an approved comment again is a later change: another event, label mode this time.
    email = (text.index("ravi@"), text.index("ravi@") + len("ravi@example.in"))
    response = decide(
        client,
        mod[1],
        cid,
        action="redact",
        redaction="label",
        spans=[{"start": phone[0], "end": phone[1]}, {"start": email[0], "end": email[1]}],
    )
    assert response.get_json()["redacted_text"] == "Call me on [redacted] or mail [redacted] today"
    with database.session() as session:
        assert len(session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == cid)).all()) == 2
    history = client.get(f"/v1/review/comments/{cid}/history", headers=bearer(mod[1])).get_json()["events"]
    assert [e["action"] for e in history] == ["auto_decision", "redaction", "redaction"]
    assert history[1]["before"]["redacted_text"] is None and history[1]["after"]["redacted_text"] == redacted
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(mod[1])).get_json()
    assert item["text"] == text


def test_redact_helper_modes():
    assert redaction.redact_text("abcdef", [{"start": 1, "end": 3}, {"start": 2, "end": 4}]) == "a███ef"
    assert (
        redaction.redact_text("abcdef", [{"start": 4, "end": 6}, {"start": 0, "end": 1}], "label")
        == "[redacted]bcd[redacted]"
    )


# -- bulk ----------------------------------------------------------------------------------------


def test_bulk_decisions_check_each_id(client, database, publisher, mod, mod2):
    a = make_review_comment(client, database, publisher, "c-a")
    b = make_review_comment(client, database, publisher, "c-b")
    held = make_review_comment(client, database, publisher, "c-held")
    done = make_review_comment(client, database, publisher, "c-done", status="approved")
    assert claim(client, mod2[1], held).status_code == 200
    response = client.post(
        "/v1/review/bulk",
        headers=bearer(mod[1]),
        json={"action": "reject", "reason": "spam", "ids": [a, held, "cmt_missing", done, b, a]},
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["ok"], r["error"]["code"] if r["error"] else None) for r in results] == [
        (a, True, None),
        (held, False, "claimed"),
        ("cmt_missing", False, "not_found"),
        (done, False, "already_decided"),
        (b, True, None),
        (a, False, "duplicate_id"),
    ]
    with database.session() as session:
        statuses = {c.id: c.status for c in session.scalars(select(Comment))}
    assert (statuses[a], statuses[b], statuses[held], statuses[done]) == ("rejected", "rejected", "review", "approved")
    response = client.post("/v1/review/bulk", headers=bearer(mod[1]), json={"action": "approve", "ids": [held]})
    assert response.get_json()["results"][0]["error"]["code"] == "claimed"
    bad = client.post("/v1/review/bulk", headers=bearer(mod[1]), json={"action": "escalate", "ids": []})
    assert bad.status_code == 422
    assert error_codes(bad) == {("action", "invalid_action"), ("ids", "invalid_length")}
    no_reason = client.post("/v1/review/bulk", headers=bearer(mod[1]), json={"action": "reject", "ids": [held]})
    assert (no_reason.status_code, error_codes(no_reason)) == (422, {("reason", "reason_required")})


# -- audit trail ---------------------------------------------------------------------------------


def test_history_lists_every_action_with_actor_before_after(client, database, publisher, mod, legal):
    cid = make_review_comment(client, database, publisher, "c-1")
    claim(client, mod[1], cid)
    decide(client, mod[1], cid, action="escalate", note="legal risk")
    client.get(f"/v1/legal/comments/{cid}/sender?request_reference=REQ-7", headers=bearer(legal[1]))
    decide(client, legal[1], cid, action="redact", spans=[{"start": 0, "end": 3}])
    response = client.get(f"/v1/review/comments/{cid}/history", headers=bearer(legal[1]))
    assert response.status_code == 200
    events = response.get_json()["events"]
    automatic, *events = events
    assert (automatic["action"], automatic["actor"], automatic["status"]) == ("auto_decision", "kavalu", "review")
    assert [e["action"] for e in events] == ["claim", "escalation", "sender_details_viewed", "redaction"]
    assert mod[0] in events[0]["actor"] and legal[0] in events[3]["actor"]
    assert events[0]["before"]["claimed_by"] is None and events[0]["after"]["claimed_by"] == mod[0]
    assert events[1]["reason"] == "legal risk"
    assert events[2]["reason"] == "REQ-7"
    assert all(e["created_at"] for e in events)
    # Once the legal team has decided, the comment (and its trail) is back within a moderator's reach.
    assert client.get(f"/v1/review/comments/{cid}/history", headers=bearer(mod[1])).status_code == 200


# -- feedback ------------------------------------------------------------------------------------


def test_overrides_become_feedback_examples(client, database, publisher, mod, admin):
    approved = make_review_comment(client, database, publisher, "c-1", text="Sharp but fair criticism.")
    rejected = make_review_comment(client, database, publisher, "c-2", text="You people are vermin.")
    auto_rejected = make_review_comment(client, database, publisher, "c-3", text="Plain spam", status="rejected")
    decide(client, mod[1], approved, action="approve")
    decide(client, mod[1], rejected, action="reject", reason="identity_attack")
    decide(client, admin[1], auto_rejected, action="reject", reason="spam")  # 409: agrees, nothing to learn
    with database.session() as session:
        rows = {
            (e.comment_id, e.label, e.automatic_status, e.moderator_status)
            for e in session.scalars(select(FeedbackExample))
        }
        assert rows == {(approved, 0, "review", "approved"), (rejected, 1, "review", "rejected")}
        assert feedback.feedback_csv(session).splitlines() == [
            "text,label,source",
            "Sharp but fair criticism.,0,moderator",
            "You people are vermin.,1,moderator",
        ]


def test_a_redacted_revision_is_no_feedback_example(client, database, publisher, mod, admin):
    """What a moderator cut out is never kept for training, and the rest, approved, is no reject-worthy example:
    a redaction was exported with the whole text and label 1."""
    text = "Call me on 98450 12345 or mail ravi@example.in today"
    phone = {"start": text.index("98450"), "end": text.index("98450") + 11}
    email = {"start": text.index("ravi@"), "end": text.index("ravi@") + len("ravi@example.in")}
    # Redacted straight from review: no example.
    direct = make_review_comment(client, database, publisher, "c-1", text=text, scores={"personal": 0.9})
    assert decide(client, mod[1], direct, action="redact", spans=[phone, email], reason="personal").status_code == 200
    # Approved first (an example with the whole text), redacted afterwards: that example goes.
    later = make_review_comment(client, database, publisher, "c-2", text=text, scores={"personal": 0.6})
    assert decide(client, mod[1], later, action="approve").status_code == 200
    with database.session() as session:
        assert session.scalars(select(FeedbackExample.text).where(FeedbackExample.comment_id == later)).all() == [text]
    response = decide(client, mod[1], later, action="redact", redaction="label", spans=[phone, email])
    assert response.status_code == 200, response.get_json()
    # Rejected automatically, approved on overturn (an example), redacted: that example goes too.
    overturned = make_review_comment(client, database, publisher, "c-3", text=text, status="rejected")
    assert decide(client, admin[1], overturned, action="approve", overturn=True).status_code == 200
    assert decide(client, admin[1], overturned, action="redact", spans=[phone]).status_code == 200
    kept = make_review_comment(client, database, publisher, "c-4", text="A fair point, well made.")
    assert decide(client, mod[1], kept, action="reject", reason="insult").status_code == 200
    with database.session() as session:
        assert session.scalars(select(FeedbackExample.comment_id)).all() == [kept]
        assert feedback.feedback_csv(session).splitlines() == [
            "text,label,source",
            '"A fair point, well made.",1,moderator',
        ]
        # An example an older version kept of a redacted revision is not exported.
        session.add(
            FeedbackExample(
                comment_id=direct,
                revision=1,
                text=text,
                label=1,
                automatic_status="review",
                moderator_status="approved",
                actor="old",
            )
        )
    with database.session() as session:
        assert "98450" not in feedback.feedback_csv(session)


def test_the_upgrade_drops_the_examples_an_older_version_kept_of_redacted_revisions(own_store):
    from service.intake import comments
    from service.intake.schemas import CommentSubmissionSchema
    from service.migrate import downgrade, upgrade
    from service.publishers import accounts

    _client, store = own_store
    with store.session() as session:
        publisher, _secret = accounts.create(session, "Old Daily", None)
        ids = [
            comments.submit(
                session, publisher, CommentSubmissionSchema().load(comment(comment_id=f"c-{n}")), lambda _id: None
            ).comment_id
            for n in (1, 2)
        ]
    with store.session() as session:
        redacted = session.scalars(select(CommentRevision).where(CommentRevision.comment_id == ids[0])).one()
        redacted.redacted_text = "Call me on ███████████"
        for comment_id in ids:
            session.add(
                FeedbackExample(
                    comment_id=comment_id,
                    revision=1,
                    text="Call me on 98450 12345",
                    label=1,
                    automatic_status="approved",
                    moderator_status="approved",
                    actor="old",
                )
            )
    downgrade(store.settings, "0014")
    upgrade(store.settings)
    with store.session() as session:
        assert session.scalars(select(FeedbackExample.comment_id)).all() == [ids[1]]


# -- authors -------------------------------------------------------------------------------------


POLICY = {"author_rejection_rate_threshold": 0.5}


def _rule(session, kind, value, action="ban", publisher_id=None):
    return authors.add_author_rule(
        session, kind=kind, value=value, action=action, actor="test", publisher_id=publisher_id
    )


def test_author_state_from_rules(database, publisher, other_publisher):
    with database.session() as session:
        state = lambda email, ip="198.51.100.1", pid=publisher.id: authors.author_state(session, pid, email, ip, POLICY)  # noqa: E731
        assert state("ravi@example.in") == "normal"
        _rule(session, "email", "Troll@Example.in")
        assert state("troll@example.in") == "banned" and state("TROLL@example.in ") == "banned"
        _rule(session, "domain", "@spam.test")
        assert state("x@spam.test") == "banned" and state("x@mail.spam.test") == "banned"
        assert state("x@notspam.test") == "normal"
        _rule(session, "ip_range", "203.0.113.0/24")
        assert state("a@b.in", "203.0.113.99") == "banned"
        assert state("a@b.in", "::ffff:203.0.113.5") == "banned"
        assert state("a@b.in", "203.0.114.1") == "normal" and state("a@b.in", "not an ip") == "normal"
        _rule(session, "ip_range", "2001:db8::/32")
        assert state("a@b.in", "2001:db8::1") == "banned" and state("a@b.in", "2001:db9::1") == "normal"
        _rule(session, "email", "local@example.in", publisher_id=publisher.id)
        assert state("local@example.in") == "banned"
        assert state("local@example.in", pid=other_publisher.id) == "normal"
        _rule(session, "email", "editor@example.in", action="trust")
        assert state("editor@example.in") == "trusted"
        _rule(session, "domain", "example.in", action="trust")
        assert state("troll@example.in") == "banned"  # a ban beats a trust mark
        trust = _rule(session, "email", "pat@example.org", action="trust")
        assert state("pat@example.org") == "trusted"
        authors.revoke_author_rule(session, trust.id, "test")
        assert state("pat@example.org") == "normal"
        audit_actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert audit_actions.count("author_ban") == 5 and audit_actions[-1] == "author_rule_revoked"


def test_rule_values_are_checked(database):
    with database.session() as session:
        for kind, value, code in [
            ("email", "nope", "invalid_email"),
            ("domain", "x", "invalid_domain"),
            ("ip_range", "10.0.0.0/99", "invalid_ip_range"),
            ("phone", "1", "invalid_kind"),
        ]:
            with pytest.raises(ReviewError) as refused:
                _rule(session, kind, value)
            assert refused.value.code == code


def test_author_history_sends_frequent_offenders_to_premoderation(client, database, publisher):
    email = "hot@example.in"
    make_review_comment(client, database, publisher, "c-1", email=email, status="rejected")
    make_review_comment(client, database, publisher, "c-2", email=email, status="rejected")
    with database.session() as session:
        # Two decisions are too few to judge.
        assert authors.author_state(session, publisher.id, email, None, POLICY) == "normal"
    make_review_comment(client, database, publisher, "c-3", email=email, status="approved")
    with database.session() as session:
        assert authors.author_state(session, publisher.id, email, None, POLICY) == "premoderated"
        assert authors.STATE_REASONS["premoderated"] == "author_history"
        assert (
            authors.author_state(session, publisher.id, email, None, {"author_rejection_rate_threshold": 0.7})
            == "normal"
        )
        assert authors.author_state(session, publisher.id, email, None, {}) == "normal"
        later = datetime.now(UTC) + timedelta(days=31)
        assert authors.author_state(session, publisher.id, email, None, POLICY, now=later) == "normal"
        _rule(session, "email", email, action="trust")
        assert authors.author_state(session, publisher.id, email, None, POLICY) == "trusted"


def test_admin_author_endpoints(client, database, publisher, mod, admin):
    body = {"kind": "domain", "value": "spam.test", "action": "ban", "reason": "bot farm", "publisher_id": publisher.id}
    assert client.post("/v1/admin/authors", json=body, headers=bearer(mod[1])).status_code == 403
    response = client.post("/v1/admin/authors", json=body, headers=bearer(admin[1]))
    assert response.status_code == 201, response.get_json()
    rule = response.get_json()
    assert (rule["kind"], rule["value"], rule["action"], rule["publisher_id"]) == (
        "domain",
        "spam.test",
        "ban",
        publisher.id,
    )
    bad = client.post(
        "/v1/admin/authors", json={"kind": "ip_range", "value": "nope", "action": "ban"}, headers=bearer(admin[1])
    )
    assert (bad.status_code, error_codes(bad)) == (422, {("value", "invalid_ip_range")})
    bad = client.post("/v1/admin/authors", json={"kind": "x", "action": "mute"}, headers=bearer(admin[1]))
    assert error_codes(bad) == {("kind", "invalid_kind"), ("action", "invalid_action"), ("value", "required")}
    listed = client.get("/v1/admin/authors", headers=bearer(admin[1])).get_json()["rules"]
    assert [r["id"] for r in listed] == [rule["id"]]
    assert client.delete(f"/v1/admin/authors/{rule['id']}", headers=bearer(admin[1])).get_json()["revoked_at"]
    assert client.get("/v1/admin/authors", headers=bearer(admin[1])).get_json()["rules"] == []
    assert len(client.get("/v1/admin/authors?include_revoked=true", headers=bearer(admin[1])).get_json()["rules"]) == 1
    assert client.delete("/v1/admin/authors/999", headers=bearer(admin[1])).status_code == 404
    with database.session() as session:
        assert [
            e.action
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("author")
        ] == ["author_ban", "author_rule_revoked"]
        assert session.scalars(select(AuthorRule)).one().revoked_at is not None


def test_failed_deliveries_listing_is_admin_only(client, database, publisher, mod, admin):
    assert client.get("/v1/admin/deliveries/failed", headers=bearer(mod[1])).status_code == 403
    assert client.get("/v1/admin/deliveries/failed", headers=bearer(admin[1])).get_json()["events"] == []
    # The publisher has no callback URL, so the approval's event fails at once and is listed.
    cid = make_review_comment(
        client, database, publisher, "c-undeliverable", status="approved", scores={"toxicity": 0.1}
    )
    response = client.get("/v1/admin/deliveries/failed", headers=bearer(admin[1]))
    assert response.status_code == 200
    [event] = response.get_json()["events"]
    assert (event["comment_id"], event["status"], event["last_error"]) == (cid, "failed", "no_callback_url")


def test_openapi_documents_the_review_endpoints(client):
    spec = client.get("/openapi.json").get_json()
    for path in (
        "/v1/review/queue",
        "/v1/review/comments/{comment_id}",
        "/v1/review/comments/{comment_id}/claim",
        "/v1/review/comments/{comment_id}/decision",
        "/v1/review/bulk",
        "/v1/review/comments/{comment_id}/history",
        "/v1/legal/comments/{comment_id}/sender",
        "/v1/admin/authors",
    ):
        assert path in spec["paths"], path
    decision = spec["paths"]["/v1/review/comments/{comment_id}/decision"]["post"]
    assert "requestBody" in decision and "409" in decision["responses"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    names = {p["name"] for p in spec["paths"]["/v1/review/queue"]["get"]["parameters"]}
    assert {"queue", "publisher", "category", "sort", "limit", "cursor"} <= names
