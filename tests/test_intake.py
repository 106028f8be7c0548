"""POST /v1/comments against real PostgreSQL and Redis: the contract's answers and the seed policy rules."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from service.config import Settings
from service.intake import comments as comments_service
from service.intake.schemas import CommentSubmissionSchema
from service.models import Comment, CommentRevision, Publisher, SenderDetails
from service.publishers import accounts as publishers
from tests.helpers import comment, error_codes, get_signed, post_comment, signed_headers


def settle_wakes() -> None:
    """Wait out the API's scoring wake window: a comment's wake is sent up to `scoring_wake_delay_s` after it was
    stored (service.taskqueue.DeferredWake)."""
    time.sleep(Settings.scoring_wake_delay_s * 4 + 0.05)


def scoring_messages(queue_redis) -> list[str]:
    """Comment ids waiting on the real Redis scoring queue, once the API's wake window has passed."""
    settle_wakes()
    ids = []
    for raw in queue_redis.lrange("scoring", 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == "kavalu.score_comment"
        ids.append(message["headers"]["argsrepr"].strip("[]()',\" "))
    return ids


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_new_comment_is_stored_and_enqueued(client, publisher, database, queue_redis):
    response = post_comment(client, publisher, comment())
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending" and body["comment_id"] == "c-1"
    assert body["links"]["self"] == f"/v1/comments/{body['id']}"
    with database.session() as session:
        stored = session.get(Comment, body["id"])
        assert stored.publisher_id == publisher.id and stored.author_email == "ravi@example.in"
        sender = session.scalars(select(SenderDetails).where(SenderDetails.comment_id == body["id"])).one()
        assert (sender.ip, sender.user_agent) == ("203.0.113.7", "Mozilla/5.0")
    assert scoring_messages(queue_redis) == [body["id"]]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"author__name": ...}, ("author.name", "name_required")),
        ({"author__name": "   "}, ("author.name", "name_required")),
        ({"author__name": "x" * 101}, ("author.name", "name_invalid")),
        ({"author__name": "12345"}, ("author.name", "name_invalid")),
        ({"author__name": "?!..."}, ("author.name", "name_invalid")),
        ({"author__email": ...}, ("author.email", "email_required")),
        ({"author__email": ""}, ("author.email", "email_required")),
        ({"author__email": "ravi at example"}, ("author.email", "invalid_email")),
        ({"author__email": "ravi@"}, ("author.email", "invalid_email")),
        ({"text": ...}, ("text", "text_required")),
        ({"text": " \n\t "}, ("text", "text_required")),
        ({"text": "\u200b\u200b"}, ("text", "text_required")),
        ({"text": "x" * 2001}, ("text", "text_too_long")),
        ({"article__id": ...}, ("article.id", "required")),
        ({"article__title": ...}, ("article.title", "required")),
        ({"author__ip": ...}, ("author.ip", "invalid_ip")),
        ({"author__ip": "999.1.1.1"}, ("author.ip", "invalid_ip")),
        ({"author__ip": "not-an-ip"}, ("author.ip", "invalid_ip")),
        ({"comment_id": ...}, ("comment_id", "required")),
        ({"comment_id": ""}, ("comment_id", "invalid_length")),
        ({"comment_id": "x" * 129}, ("comment_id", "invalid_length")),
        ({"text": "nul\u0000byte"}, ("text", "invalid_characters")),
        ({"surprise": 1}, ("surprise", "unknown_field")),
        ({"text": 42}, ("text", "invalid_type")),
        ({"submitted_at": "yesterday"}, ("submitted_at", "invalid_datetime")),
    ],
)
def test_each_seed_rule_has_its_code(client, publisher, database, changes, expected):
    response = post_comment(client, publisher, comment(**changes))
    assert response.status_code == 422
    assert expected in error_codes(response)
    assert count(database, Comment) == 0


def test_every_broken_rule_is_reported_at_once(client, publisher):
    response = post_comment(
        client,
        publisher,
        {"comment_id": "c-9", "text": "x" * 2001, "article": {}, "author": {"email": "bad", "ip": "1.2.3"}},
    )
    assert response.status_code == 422
    assert error_codes(response) == {
        ("author.name", "name_required"),
        ("author.email", "invalid_email"),
        ("author.ip", "invalid_ip"),
        ("text", "text_too_long"),
        ("article.id", "required"),
        ("article.title", "required"),
    }


def test_missing_author_object_reports_each_author_rule(client, publisher):
    response = post_comment(client, publisher, comment(author=...))
    codes = error_codes(response)
    assert {("author.name", "name_required"), ("author.email", "email_required"), ("author.ip", "invalid_ip")} <= codes


def test_length_is_code_points_after_nfc(client, publisher):
    decomposed = "e\u0301" * 2000  # 4000 code points, 2000 after NFC
    assert post_comment(client, publisher, comment(text=decomposed)).status_code == 202
    assert post_comment(client, publisher, comment(comment_id="c-2", text="😀" * 2000)).status_code == 202


def test_internationalised_email_and_ipv6_are_accepted(client, publisher):
    response = post_comment(client, publisher, comment(author__email="रवि@उदाहरण.भारत", author__ip="2001:db8::7"))
    assert response.status_code == 202


def test_publisher_policy_overrides_the_length_limit(client, publisher, database, settings):
    with database.session() as session:
        publishers.set_policy(session, publisher.id, {"max_length": 10}, settings.default_policy)
    response = post_comment(client, publisher, comment(text="eleven chars"))
    assert response.status_code == 422 and error_codes(response) == {("text", "text_too_long")}
    assert post_comment(client, publisher, comment(text="ten chars!")).status_code == 202


def test_malformed_json_is_400(client, publisher):
    response = post_comment(client, publisher, b'{"comment_id": ')
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["code"] == "malformed_json"


def test_not_json_is_415(client, publisher):
    raw = b"comment_id=c-1"
    response = client.post(
        "/v1/comments",
        data=raw,
        headers=signed_headers(publisher, raw, content_type="application/x-www-form-urlencoded"),
    )
    assert response.status_code == 415
    assert response.get_json()["errors"][0]["code"] == "unsupported_media_type"


def test_body_over_64_kib_is_413(client, publisher):
    raw = json.dumps(comment(text="x" * (65 * 1024))).encode()
    response = client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["code"] == "body_too_large"


def test_non_object_json_is_422(client, publisher):
    response = post_comment(client, publisher, [1, 2, 3])
    assert response.status_code == 422


def _assert_generic_401(response):
    assert response.status_code == 401
    assert response.get_json() == {
        "errors": [
            {
                "field": None,
                "code": "invalid_signature",
                "message": "The request signature is missing, invalid or expired.",
            }
        ]
    }


def test_wrong_expired_and_unknown_signatures_get_the_same_401(client, publisher, other_publisher):
    raw = json.dumps(comment()).encode()
    wrong = signed_headers(other_publisher, raw)
    wrong["X-Kavalu-Publisher"] = publisher.id
    _assert_generic_401(client.post("/v1/comments", data=raw, headers=wrong))
    _assert_generic_401(
        client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw, timestamp=int(time.time()) - 301))
    )
    _assert_generic_401(
        client.post("/v1/comments", data=raw, headers=signed_headers(publisher, raw, timestamp=int(time.time()) + 301))
    )
    unknown = signed_headers(publisher, raw)
    unknown["X-Kavalu-Publisher"] = "pub_000000000000000000000000"
    _assert_generic_401(client.post("/v1/comments", data=raw, headers=unknown))
    _assert_generic_401(client.post("/v1/comments", data=raw, headers={"Content-Type": "application/json"}))
    tampered = signed_headers(publisher, raw)
    _assert_generic_401(client.post("/v1/comments", data=raw.replace(b"Ravi", b"Ravu"), headers=tampered))


def test_signature_inside_the_window_is_accepted(client, publisher):
    assert post_comment(client, publisher, comment(), timestamp=int(time.time()) - 290).status_code == 202


def test_retry_returns_the_same_record_without_duplicates(client, publisher, database, queue_redis):
    first = post_comment(client, publisher, comment())
    retry = post_comment(client, publisher, comment())
    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert retry.get_json()["status"] == "pending" and retry.get_json()["revision"] == 1
    assert count(database, Comment) == 1 and count(database, CommentRevision) == 1
    assert len(scoring_messages(queue_redis)) == 1


def test_twenty_concurrent_identical_posts_make_one_row_and_one_task(app, publisher, database, queue_redis):
    raw = json.dumps(comment(comment_id="race")).encode()
    headers = signed_headers(publisher, raw)

    def post(_):
        return app.test_client().post("/v1/comments", data=raw, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(20)))
    assert sorted(statuses) == [200] * 19 + [202]
    assert count(database, Comment) == 1 and count(database, CommentRevision) == 1
    assert len(scoring_messages(queue_redis)) == 1


def test_a_burst_wakes_one_worker_and_a_worker_that_starts_lets_the_next_comment_wake_another(
    client, publisher, settings, queue_redis
):
    from service.taskqueue import ScoringWake

    ids = [post_comment(client, publisher, comment(comment_id=f"burst-{n}")).get_json()["id"] for n in range(5)]
    assert scoring_messages(queue_redis) == ids[:1]  # the woken worker drains all five
    assert 0 < queue_redis.pttl("kavalu:scoring:wake") <= settings.scoring_wake_ttl_s * 1000
    ScoringWake(settings).taken()
    later = post_comment(client, publisher, comment(comment_id="burst-later")).get_json()["id"]
    assert sorted(scoring_messages(queue_redis)) == sorted([ids[0], later])


def test_comments_stored_in_one_wake_window_cost_one_wake_and_the_window_is_sent_on_its_own(
    publisher, settings, queue_redis, monkeypatch
):
    """An API process wakes scoring once per window (service.taskqueue.DeferredWake): not at once, not once per
    comment, and without waiting for another comment."""
    import os

    from service.app import create_app

    slow = Settings.from_env({**os.environ, "KAVALU_SCORING_WAKE_DELAY_S": "0.5"})
    app = create_app(slow)
    queue = app.extensions["kavalu.tasks"]
    wakes: list[str] = []
    real_wake = queue.wake_scoring
    monkeypatch.setattr(
        queue.deferred_wake, "wake_now", lambda comment_id: wakes.append(comment_id) or real_wake(comment_id)
    )
    client = app.test_client()

    started = time.monotonic()
    ids = [post_comment(client, publisher, comment(comment_id=f"window-{n}")).get_json()["id"] for n in range(8)]
    assert time.monotonic() - started < 0.5, "the posts must fall in one window for this test"
    assert queue_redis.lrange("scoring", 0, -1) == [] and wakes == []  # not yet: the window is open

    deadline = time.monotonic() + 5
    while not queue_redis.lrange("scoring", 0, -1) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert time.monotonic() - started >= 0.5
    assert wakes == ids[:1]  # one round trip for the eight comments; the woken worker drains them all
    assert scoring_messages(queue_redis) == ids[:1]


def test_an_api_process_that_exits_sends_the_wake_it_holds(publisher, settings, queue_redis):
    """A graceful exit (gunicorn's workers leave through sys.exit) does not wait for the window, nor lose it."""
    import os
    import subprocess
    import sys

    script = (
        "from service.config import Settings\n"
        "from service.taskqueue import TaskQueue\n"
        "TaskQueue(Settings.from_env()).enqueue_scoring('cmt_exiting')\n"
    )
    env = {**os.environ, "KAVALU_SCORING_WAKE_DELAY_S": "30"}
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    assert time.monotonic() - started < 30
    assert scoring_messages(queue_redis) == ["cmt_exiting"]


def test_edit_creates_a_new_revision_and_rescoring(client, publisher, database, settings, queue_redis):
    from service.taskqueue import ScoringWake

    first = post_comment(client, publisher, comment()).get_json()
    settle_wakes()
    ScoringWake(settings).taken()  # a worker took the first wake-up
    edited = post_comment(client, publisher, comment(text="An edited comment."))
    assert edited.status_code == 202 and edited.get_json()["id"] == first["id"]
    with database.session() as session:
        revisions = session.scalars(
            select(CommentRevision).where(CommentRevision.comment_id == first["id"]).order_by(CommentRevision.number)
        ).all()
        assert [(r.number, r.text) for r in revisions] == [
            (1, "A thoughtful comment about the visit."),
            (2, "An edited comment."),
        ]
        assert session.get(Comment, first["id"]).current_revision == 2
    assert scoring_messages(queue_redis) == [first["id"], first["id"]]
    status = get_signed(client, publisher, f"/v1/comments/{first['id']}").get_json()
    assert status["revision"] == 2 and status["status"] == "pending"


def test_same_comment_id_from_two_publishers_are_two_comments(client, publisher, other_publisher, database):
    a = post_comment(client, publisher, comment()).get_json()
    b = post_comment(client, other_publisher, comment()).get_json()
    assert a["id"] != b["id"] and count(database, Comment) == 2


def test_status_is_visible_only_to_its_own_publisher(client, publisher, other_publisher):
    created = post_comment(client, publisher, comment()).get_json()
    own = get_signed(client, publisher, f"/v1/comments/{created['id']}")
    assert own.status_code == 200
    assert own.get_json() | {} == own.get_json()
    assert own.get_json()["status"] == "pending" and own.get_json()["decided_by"] is None
    assert own.get_json()["reasons"] == [] and own.get_json()["scores"] == {}
    other = get_signed(client, other_publisher, f"/v1/comments/{created['id']}")
    missing = get_signed(client, publisher, "/v1/comments/cmt_doesnotexist")
    assert other.status_code == 404 and missing.status_code == 404
    assert other.get_json() == missing.get_json()
    _assert_generic_401(client.get(f"/v1/comments/{created['id']}"))


def test_enqueue_happens_only_after_commit(app, publisher, database, queue_redis):
    queue = app.extensions["kavalu.tasks"]
    body = comment(comment_id="rolled-back", author={"name": "Ravi", "email": "ravi@example.in", "ip": "203.0.113.7"})
    with database.sessionmaker() as session:
        pub = publishers.get(session, publisher.id)
        comments_service.submit(session, pub, body, queue.enqueue_scoring)
        session.flush()
        assert scoring_messages(queue_redis) == []  # not before commit
        session.rollback()
    assert scoring_messages(queue_redis) == [] and count(database, Comment) == 0

    with database.sessionmaker() as session:
        pub = publishers.get(session, publisher.id)
        result = comments_service.submit(session, pub, dict(body, comment_id="committed"), queue.enqueue_scoring)
        assert scoring_messages(queue_redis) == []
        session.commit()
    assert scoring_messages(queue_redis) == [result.comment_id]


def test_openapi_is_generated_from_the_schemas(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/comments", "/v1/comments/{comment_id}"} <= set(spec["paths"])
    submission = spec["components"]["schemas"]["CommentSubmission"]
    assert set(submission["required"]) == {"comment_id", "article", "author", "text"}


def test_submitted_at_is_kept_in_utc_and_refused_where_utc_has_no_year(client, publisher, database):
    """9999-12-31T23:00-05:00 is year 10000 in UTC: PostgreSQL stored it, then failed every read of the row (the
    retry, the status, the scoring batch) with a 500. And SQLite kept no offset: the legal export was 5.5 h off."""
    for moment in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"):
        response = post_comment(client, publisher, comment(comment_id="far", submitted_at=moment))
        assert (response.status_code, error_codes(response)) == (422, {("submitted_at", "invalid_datetime")})
    ist = post_comment(client, publisher, comment(comment_id="ist", submitted_at="2026-05-05T10:00:00+05:30"))
    assert ist.status_code == 202
    with database.session() as session:
        details = session.scalars(select(SenderDetails).where(SenderDetails.comment_id == ist.get_json()["id"])).one()
        assert details.submitted_at.isoformat() == "2026-05-05T04:30:00+00:00"
    from service.intake.schemas import CommentSubmissionSchema

    loaded = CommentSubmissionSchema().load(comment(submitted_at="2026-05-05T10:00:00+05:30"))
    assert loaded["submitted_at"].isoformat() == "2026-05-05T04:30:00+00:00"  # what SQLite stores, offset and all


def test_an_edit_takes_every_field_it_is_scored_and_shown_with(client, publisher, database):
    first = post_comment(
        client,
        publisher,
        comment(language="en", parent_comment_id="p-1", author={**comment()["author"], "id": "u-1"}),
    ).get_json()
    edited = post_comment(
        client,
        publisher,
        comment(
            text="ನಮಸ್ಕಾರ, ಒಳ್ಳೆಯ ವರದಿ.",
            language="kn",
            parent_comment_id="p-2",
            author={**comment()["author"], "id": "u-2", "name": "Ravi K"},
            article={**comment()["article"], "id": "a-999", "title": "Moved"},
        ),
    )
    assert edited.status_code == 202
    with database.session() as session:
        row = session.get(Comment, first["id"])
        assert (row.language, row.parent_comment_id, row.author_external_id, row.article_id, row.author_name) == (
            "kn",
            "p-2",
            "u-2",
            "a-999",
            "Ravi K",
        )
    assert get_signed(client, publisher, f"/v1/comments/{first['id']}").get_json()["language"] == "kn"


def test_bodies_without_an_author_ip_count_per_publisher():
    """A body with no author IP counted in one bucket shared by every publisher: one publisher's malformed
    requests got another's a 429 instead of its 422."""
    from service.errors import ApiError
    from service.intake.ratelimit import NO_AUTHOR_IP, IntakeLimits
    from service.sealing import Sealer

    settings = Settings.from_env({"KAVALU_RATE_LIMITS": "true", "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "2/minute"})
    limits = IntakeLimits(settings, Sealer(settings))
    now = 1_000_000.0
    for _ in range(2):
        limits.check("pub_a", NO_AUTHOR_IP, now)
    with pytest.raises(ApiError):
        limits.check("pub_a", NO_AUTHOR_IP, now)
    limits.check("pub_b", NO_AUTHOR_IP, now)  # another publisher's bucket


def test_an_options_request_is_not_counted_as_intake(client, publisher):
    def counted() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("kavalu_intake_requests_total{")
        )

    before = counted()
    assert client.options("/v1/comments").status_code == 200
    assert counted() == before


def test_a_late_retry_of_an_earlier_text_does_not_undo_the_edit(client, publisher, database):
    """A network retry of the first post that arrives after the edit is a retry of revision 1, not an edit back."""
    first = post_comment(client, publisher, comment()).get_json()
    edited = post_comment(client, publisher, comment(text="An edited comment."))
    assert edited.status_code == 202
    late = post_comment(client, publisher, comment())  # the first body again, byte for byte
    assert late.status_code == 200, late.get_json()
    assert (late.get_json()["id"], late.get_json()["revision"]) == (first["id"], 2)
    with database.session() as session:
        stored = session.get(Comment, first["id"])
        assert stored.current_revision == 2
        assert stored.content_hash == comments_service.content_hash("An edited comment.")
    assert count(database, CommentRevision) == 2
    # The reader really edits back to the first text: submitted later than the current revision, it is an edit.
    back = post_comment(client, publisher, comment(submitted_at="2026-05-05T10:05:00Z"))
    assert back.status_code == 202 and back.get_json()["id"] == first["id"]
    with database.session() as session:
        assert session.get(Comment, first["id"]).current_revision == 3


def test_an_edit_overtaken_by_a_later_one_on_the_way_is_kept_but_does_not_replace_it(client, publisher, database):
    """Two edits arrive out of order: the one submitted earlier must not become current over the later one, and
    the audit trail still keeps the text the publisher sent."""
    first = post_comment(client, publisher, comment(submitted_at="2026-05-05T10:00:00Z")).get_json()
    later = post_comment(
        client, publisher, comment(text="The reader's second edit.", submitted_at="2026-05-05T10:02:00Z")
    )
    assert later.status_code == 202
    with database.session() as session:
        before = session.get(Comment, first["id"])
        before = (before.status, before.enqueued_at, before.updated_at, before.scoring_attempts)
    overtaken = post_comment(
        client, publisher, comment(text="The reader's first edit.", submitted_at="2026-05-05T10:01:00Z")
    )
    assert overtaken.status_code == 200, overtaken.get_json()
    assert (overtaken.get_json()["id"], overtaken.get_json()["revision"]) == (first["id"], 2)
    with database.session() as session:
        stored = session.get(Comment, first["id"])
        assert stored.content_hash == comments_service.content_hash("The reader's second edit.")
        assert (stored.current_revision, stored.status, stored.enqueued_at, stored.updated_at) == (2, *before[:3])
        assert stored.scoring_attempts == before[3]
        revisions = session.scalars(
            select(CommentRevision).where(CommentRevision.comment_id == first["id"]).order_by(CommentRevision.number)
        ).all()
        assert [(r.number, r.text, r.overtaken_by) for r in revisions] == [
            (1, "A thoughtful comment about the visit.", None),
            (2, "The reader's second edit.", None),
            (3, "The reader's first edit.", 2),
        ]
        sender = session.scalars(select(SenderDetails).where(SenderDetails.revision == 3)).one()
        assert sender.submitted_at.isoformat().startswith("2026-05-05T10:01:00")
    # A network retry of the overtaken edit is answered the same way, and not kept twice.
    again = post_comment(
        client, publisher, comment(text="The reader's first edit.", submitted_at="2026-05-05T10:01:00Z")
    )
    assert (again.status_code, again.get_json()["revision"]) == (200, 2)
    assert count(database, CommentRevision) == 3
    # Without submitted_at there is no order to go by but arrival: a new text is an edit, numbered after the rest.
    unordered = post_comment(client, publisher, comment(text="A third edit, undated.", submitted_at=...))
    assert unordered.status_code == 202
    assert count(database, CommentRevision) == 4
    with database.session() as session:
        assert session.get(Comment, first["id"]).current_revision == 4


def test_an_overtaken_edit_is_not_scored(database, publisher):
    woken: list[str] = []
    with database.session() as session:
        caller = session.get(Publisher, publisher.id)
        for text, moment in (("First.", "10:00"), ("Third.", "10:02"), ("Second.", "10:01")):
            data = CommentSubmissionSchema().load(comment(text=text, submitted_at=f"2026-05-05T{moment}:00Z"))
            result = comments_service.submit(session, caller, data, woken.append)
    assert (result.outcome, result.status) == ("duplicate", "pending")
    assert woken == [result.comment_id, result.comment_id]  # the first post and the edit that stands
