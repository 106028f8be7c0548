"""Scoring and deciding with a real Celery worker, the shipped model, Redis and PostgreSQL."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from service.models import Comment, Decision, OutboundEvent, Score
from service.publishers import accounts as publishers
from tests.helpers import comment, get_signed, post_comment
from tests.processes import wait_until


def decided(client, keys, comment_id, timeout=90) -> dict:
    def status():
        body = get_signed(client, keys, f"/v1/comments/{comment_id}").get_json()
        return body if body["status"] != "pending" else None

    return wait_until(status, timeout, interval=0.2, message=f"a decision on {comment_id}")


def submit(client, keys, comment_id, text, **changes) -> str:
    response = post_comment(client, keys, comment(comment_id=comment_id, text=text, **changes))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def set_policy(database, settings, keys, overrides):
    with database.session() as session:
        publishers.set_policy(session, keys.id, overrides, settings.default_policy)


def codes(body) -> set[str]:
    return {reason["code"] for reason in body["reasons"]}


def test_civil_comment_is_approved_with_scores_and_an_outbound_event(worker_client, publisher, database):
    comment_id = submit(
        worker_client, publisher, "c-civil", "Good to see both ministers talking about trade and energy."
    )
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] == "approved" and body["decided_by"] == "auto" and body["reasons"] == []
    assert {"toxicity", "defamation", "personal", "spam", "infringing"} <= set(body["scores"])
    assert body["scores"]["toxicity"] < 0.5
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Decision).where(Decision.comment_id == comment_id)) == 1
        event = session.scalars(select(OutboundEvent).where(OutboundEvent.comment_id == comment_id)).one()
        assert event.payload["data"]["status"] == "approved" and event.payload["event_id"] == event.id
        versions = {
            score.scorer: score.model_version
            for score in session.scalars(select(Score).where(Score.comment_id == comment_id))
        }
        assert versions["detoxify"].startswith("kavalu") or "@" in versions["detoxify"]
        assert set(versions) >= {"detoxify", "defamation", "personal", "spam"}


def test_clear_abuse_is_not_approved(worker_client, publisher):
    comment_id = submit(
        worker_client, publisher, "c-abuse", "You are a stupid worthless idiot, shut up you moron, f*** you."
    )
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] in ("review", "rejected")
    reason = next(r for r in body["reasons"] if r["code"] in ("toxicity", "insult", "obscene"))
    assert reason["score"] >= reason["threshold"] and "@" in reason["source"]


def test_blocked_and_suspect_terms_and_premoderation(worker_client, publisher, other_publisher, database, settings):
    set_policy(database, settings, publisher, {"blocked_terms": ["scamcoin"], "suspect_terms": ["lottery"]})
    blocked = submit(worker_client, publisher, "c-blocked", "Buy SCAMCOIN today, friends.")
    suspect = submit(worker_client, publisher, "c-suspect", "I never win the lottery, sadly.")
    body = decided(worker_client, publisher, blocked)
    assert body["status"] == "rejected" and "blocked_term" in codes(body)
    assert body["reasons"][0]["source"].startswith("policy:v")
    body = decided(worker_client, publisher, suspect)
    assert body["status"] == "review" and "suspect_term" in codes(body)

    set_policy(database, settings, other_publisher, {"premoderation": True})
    premoderated = submit(worker_client, other_publisher, "c-pre", "A perfectly pleasant remark.")
    body = decided(worker_client, other_publisher, premoderated)
    assert body["status"] == "review" and "premoderation" in codes(body)


def test_banned_author_by_policy_is_rejected(worker_client, publisher, database, settings):
    set_policy(database, settings, publisher, {"blocked_email_domains": ["spam.example"]})
    comment_id = submit(worker_client, publisher, "c-banned", "Hello all.", author__email="bot@mail.spam.example")
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] == "rejected" and "author_banned" in codes(body)


def test_defamation_goes_to_the_legal_queue(worker_client, publisher):
    comment_id = submit(
        worker_client,
        publisher,
        "c-defame",
        "Councillor Naresh Poojary took 10 lakh from the mall developer to change the zoning.",
    )
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] == "legal_review" and "defamation" in codes(body)


def test_personal_data_and_links_go_to_review(worker_client, publisher):
    phone = submit(worker_client, publisher, "c-phone", "Call me on 98450 12345 for details.")
    links = submit(worker_client, publisher, "c-links", "Great offers at https://bit.ly/x1 and more.")
    assert "personal" in codes(decided(worker_client, publisher, phone))
    body = decided(worker_client, publisher, links)
    assert body["status"] == "review" and "spam" in codes(body)


def test_thresholds_are_per_publisher(worker_client, publisher, other_publisher, database, settings):
    set_policy(database, settings, other_publisher, {"thresholds": {"toxicity": {"review": 0.0}}})
    text = "The summit in July should help trade."
    strict = submit(worker_client, other_publisher, "c-t", text)
    default = submit(worker_client, publisher, "c-t", text)
    strict_body = decided(worker_client, other_publisher, strict)
    assert strict_body["status"] == "review"
    reason = next(r for r in strict_body["reasons"] if r["code"] == "toxicity")
    assert reason["threshold"] == 0.0
    assert decided(worker_client, publisher, default)["status"] == "approved"


def test_edit_is_rescored_and_supersedes(worker_client, publisher, database, settings):
    set_policy(database, settings, publisher, {"blocked_terms": ["scamcoin"]})
    comment_id = submit(worker_client, publisher, "c-edit", "Nice article.")
    assert decided(worker_client, publisher, comment_id)["status"] == "approved"
    assert (
        post_comment(
            worker_client, publisher, comment(comment_id="c-edit", text="Nice article. Buy scamcoin!")
        ).status_code
        == 202
    )
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] == "rejected" and body["revision"] == 2
    with database.session() as session:
        events = session.scalars(
            select(OutboundEvent).where(OutboundEvent.comment_id == comment_id).order_by(OutboundEvent.created_at)
        ).all()
        assert [e.payload["data"]["status"] for e in events] == ["approved", "rejected"]


def test_redelivered_task_never_decides_twice(worker_client, publisher, database):
    from workers.scoring.tasks import score_comment

    comment_id = submit(worker_client, publisher, "c-twice", "Thanks for the update.")
    decided(worker_client, publisher, comment_id)
    assert score_comment.apply(args=[comment_id]).get() == "skipped"
    assert score_comment.apply(args=[comment_id]).get() == "skipped"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Decision).where(Decision.comment_id == comment_id)) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(OutboundEvent).where(OutboundEvent.comment_id == comment_id)
            )
            == 1
        )


@pytest.mark.slow
def test_a_scorer_that_crashes_ends_in_review_after_bounded_retries(settings, publisher, tmp_path):
    """A worker whose model can't load crashes on every comment: each ends in review with scoring_failed."""
    import redis

    from service.app import create_app
    from service.config import Settings
    from tests.conftest import ISOLATED_BROKER
    from tests.processes import start_celery_worker, stop_process

    broker = ISOLATED_BROKER  # a queue of its own, away from the session worker
    redis.Redis.from_url(broker).flushdb()
    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(b"not a checkpoint")
    env = {**os.environ, "BROKER_URL": broker, "KAVALU_ABUSE_CHECKPOINT": str(broken), "KAVALU_PRELOAD_MODELS": "false"}
    worker = start_celery_worker(env, tmp_path / "poison-worker.log", queues="scoring")
    try:
        client = create_app(Settings.from_env(env)).test_client()
        ids = [submit(client, publisher, f"poison-{n}", f"Comment number {n}.") for n in range(3)]
        for comment_id in ids:
            body = decided(client, publisher, comment_id, timeout=120)
            assert body["status"] == "review" and codes(body) == {"scoring_failed"}
    finally:
        stop_process(worker)
    from service.db import Database

    with Database(settings).session() as session:
        attempts = [session.get(Comment, comment_id).scoring_attempts for comment_id in ids]
        assert all(a == settings.scoring_max_attempts for a in attempts), attempts


def test_the_same_text_twice_from_one_author_goes_to_review(worker_client, publisher):
    text = "Visit my page for the best deals on phones today!"
    first = submit(worker_client, publisher, "c-dup-1", text)
    assert "duplicate_text" not in codes(decided(worker_client, publisher, first))
    second = submit(worker_client, publisher, "c-dup-2", text.upper())
    body = decided(worker_client, publisher, second)
    assert body["status"] == "review" and "duplicate_text" in codes(body)


def test_a_verbatim_copy_of_the_article_is_marked_infringing(worker_client, publisher):
    body_text = (
        "External Affairs Minister S Jaishankar and Russian Foreign Minister Sergei Lavrov, who held a bilateral "
        "on the sidelines of the ongoing meeting of Foreign Ministers of the member States of the Shanghai "
        "Cooperation Organisation, discussed ways to strengthen coordination activities between New Delhi and "
        "Moscow ahead of the summit which is scheduled to be held in July in the Indian capital."
    )
    comment_id = submit(worker_client, publisher, "c-copy", "Copied: " + body_text, article__body=body_text)
    body = decided(worker_client, publisher, comment_id)
    assert body["status"] == "review" and "infringing" in codes(body)
    assert body["scores"]["infringing"] == 1.0


def test_the_request_id_follows_the_comment_into_the_worker_log(worker_client, publisher, celery_worker):
    import json as jsonlib

    from tests.helpers import signed_headers

    raw = jsonlib.dumps(comment(comment_id="c-trace", text="Tracing this one through.")).encode()
    headers = signed_headers(publisher, raw)
    headers["X-Request-ID"] = "req-trace-4242"
    response = worker_client.post("/v1/comments", data=raw, headers=headers)
    assert response.headers["X-Request-ID"] == "req-trace-4242"
    comment_id = response.get_json()["id"]
    decided(worker_client, publisher, comment_id)

    def logged():
        for line in celery_worker.log_path.read_text().splitlines():
            if line.startswith("{"):
                entry = jsonlib.loads(line)
                if entry.get("comment_id") == comment_id and entry.get("message") == "decided":
                    return entry
        return None

    entry = wait_until(logged, 10, message="the worker's decided log line")
    assert entry["request_id"] == "req-trace-4242"
    assert "203.0.113.7" not in celery_worker.log_path.read_text()  # sender IPs are never logged
