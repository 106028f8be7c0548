"""The scoring task and the sweeper, with a real Celery worker, real Redis and real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from service.app import create_app
from service.config import Settings
from service.models import PENDING, Comment, utcnow
from tests.helpers import comment, post_comment
from tests.processes import free_port, wait_until
from tests.test_intake import scoring_messages


def _comment(database, comment_id) -> Comment:
    with database.session() as session:
        return session.get(Comment, comment_id)


def test_worker_picks_up_a_posted_comment(worker_client, publisher, database):
    created = post_comment(worker_client, publisher, comment()).get_json()
    wait_until(lambda: _comment(database, created["id"]).scoring_attempts >= 1, 60, message="the worker to run")


def test_score_task_ignores_missing_and_decided_comments(database, publisher, client):
    from workers.scoring.tasks import score_comment

    assert score_comment.apply(args=["cmt_missing"]).get() == "skipped"
    created = post_comment(client, publisher, comment()).get_json()
    with database.session() as session:
        session.get(Comment, created["id"]).status = "approved"
    assert score_comment.apply(args=[created["id"]]).get() == "skipped"
    assert _comment(database, created["id"]).scoring_attempts == 0


def _client_with_a_dead_broker(settings):
    """An API whose broker is unreachable: its comments are stored and reach no queue."""
    dead_broker = Settings.from_env(
        {
            "DATABASE_URL": settings.database_url,
            "BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
            "KAVALU_SEALING_KEYS": settings.sealing_keys or "",
        }
    )
    return create_app(dead_broker).test_client()


def test_intake_answers_202_while_the_broker_is_down_and_the_sweeper_recovers(
    settings, publisher, database, queue_redis
):
    from workers.scoring.tasks import sweep_pending

    stranded_client = _client_with_a_dead_broker(settings)
    created = post_comment(stranded_client, publisher, comment()).get_json()
    assert created["status"] == PENDING
    assert scoring_messages(queue_redis) == []

    assert sweep_pending.run() == 0  # younger than a minute: its enqueue may still be in flight
    with database.session() as session:
        session.get(Comment, created["id"]).enqueued_at = utcnow() - timedelta(seconds=61)
    assert sweep_pending.run() == 1
    assert scoring_messages(queue_redis) == [created["id"]]
    assert sweep_pending.run() == 0  # swept once per window, not on every beat


def test_the_sweeper_does_not_grow_a_scoring_queue_that_already_holds_a_message_for_each(
    settings, publisher, database, queue_redis
):
    """Workers stalled for ten minutes used to find ten messages per pending comment (one per sweep window)."""
    from workers.scoring.tasks import sweep_pending

    stranded_client = _client_with_a_dead_broker(settings)
    ids = [post_comment(stranded_client, publisher, comment(comment_id=f"s-{n}")).get_json()["id"] for n in range(3)]

    def age() -> None:
        with database.session() as session:
            for comment_id in ids:
                session.get(Comment, comment_id).enqueued_at = utcnow() - timedelta(seconds=61)

    age()
    assert sweep_pending.run() == 3
    assert sorted(scoring_messages(queue_redis)) == sorted(ids)
    age()  # a window later, nothing consumed them
    assert sweep_pending.run() == 0
    assert len(scoring_messages(queue_redis)) == 3


def test_an_edit_frees_the_comment_from_a_claim_on_its_old_text(client, publisher, database, settings):
    from service.scoring import claims, results
    from service.scoring.jobs import ScoreResult

    created = post_comment(client, publisher, comment()).get_json()
    with database.session() as session:
        old_jobs = claims.claim_for_scoring(
            session, created["id"], defaults=settings.default_policy, batch_size=1, lease_s=120
        )
    assert [job.revision for job in old_jobs] == [1]
    assert post_comment(client, publisher, comment(text="An edited text.")).status_code == 202
    with database.session() as session:
        new_jobs = claims.claim_for_scoring(
            session, created["id"], defaults=settings.default_policy, batch_size=1, lease_s=120
        )
    assert [job.revision for job in new_jobs] == [2]
    outputs = [ScoreResult("test-rules", "1", {"toxicity": 0.0})]
    with database.session() as session:
        assert results.finish_scoring(session, old_jobs[0], outputs, fingerprint=None, enqueue_delivery=None) is None
        assert (
            results.finish_scoring(session, new_jobs[0], outputs, fingerprint=None, enqueue_delivery=None).revision == 2
        )
