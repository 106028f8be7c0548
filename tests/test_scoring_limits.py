"""Bounded scoring: an attempt cap on every path, claims that fit their lease, the sweeper apart from scoring."""

from __future__ import annotations

import os
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.models import PENDING, REVIEW, Comment, Decision, utcnow
from service.task_names import MAINTENANCE_QUEUE, QUEUE_OF_TASK, SCORE_COMMENT, SCORING_QUEUE, SWEEP_PENDING
from tests.helpers import comment, post_comment
from tests.processes import wait_until
from workers.scoring.tasks import ClaimSizer, claim_budget_s

# ---------------------------------------------------------------- claim sizing (pure, injected timings)


def test_before_any_timing_a_worker_claims_one_micro_batch_at_most():
    sizer = ClaimSizer()
    assert sizer.claim_size(most=512, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60) == 32
    # A short lease: the assumed pace (0.5 s a comment) bounds the first claim too.
    assert sizer.claim_size(most=512, first=32, lease_s=10, soft_time_limit_s=120, drain_s=60) == 6
    assert sizer.claim_size(most=512, first=32, lease_s=1, soft_time_limit_s=120, drain_s=60) == 1


def test_the_issues_pace_gives_a_claim_well_inside_the_lease_and_the_time_limit():
    """3-4 comments/s: a 512-comment claim took 150 s, over the 120 s lease and soft time limit."""
    sizer = ClaimSizer()
    sizer.observe(512, 150.0)
    size = sizer.claim_size(most=512, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60)
    assert size * 150.0 / 512 <= 120 / 3
    assert 100 <= size < 512


def test_a_slowdown_is_believed_at_once_and_a_speedup_gradually():
    sizer = ClaimSizer()
    sizer.observe(100, 5.0)  # 0.05 s a comment
    fast = sizer.claim_size(most=10_000, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60)
    assert fast == 800
    sizer.observe(10, 10.0)  # 1 s a comment: long comments, or the machine is busy
    assert sizer.seconds_per_comment == pytest.approx(1.0)
    assert sizer.claim_size(most=10_000, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60) == 40
    sizer.observe(100, 5.0)
    assert 0.05 < sizer.seconds_per_comment < 1.0  # learning the speed back takes a few batches
    for _ in range(30):
        sizer.observe(100, 5.0)
    assert sizer.seconds_per_comment == pytest.approx(0.05, rel=0.01)


def test_a_claim_never_exceeds_a_third_of_the_lease_or_the_time_left_after_the_drain():
    assert claim_budget_s(120, 120, 60) == pytest.approx(40)
    assert claim_budget_s(300, None, 60) == pytest.approx(100)
    assert claim_budget_s(600, 90, 80) == pytest.approx(10)  # the last claim starts at 80 s, the limit is 90 s
    sizer = ClaimSizer()
    sizer.observe(1, 0.0)
    assert sizer.claim_size(most=512, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60) == 512
    sizer = ClaimSizer(seconds_per_comment=100.0)
    assert sizer.claim_size(most=512, first=32, lease_s=120, soft_time_limit_s=120, drain_s=60) == 1


def test_the_periodic_tasks_run_on_the_maintenance_queue_apart_from_scoring(settings):
    assert QUEUE_OF_TASK[SWEEP_PENDING] == MAINTENANCE_QUEUE
    assert QUEUE_OF_TASK[SCORE_COMMENT] == SCORING_QUEUE
    routes = settings.celery_config()["task_routes"]
    assert routes[SWEEP_PENDING] == {"queue": MAINTENANCE_QUEUE}


# ---------------------------------------------------------------- the database


def _submit(client, publisher, external_id: str, text: str = "A plain remark about the budget.") -> str:
    response = post_comment(client, publisher, comment(comment_id=external_id, text=text))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def test_a_slow_worker_claims_fewer(client, publisher, database, monkeypatch):
    from workers.scoring import tasks

    for n in range(200):  # the fast worker's share of what the slow one leaves is still over 40
        _submit(client, publisher, f"slow-{n}")
    claimed = {}
    for name, pace in (("slow", 1.0), ("fast", 0.01)):
        monkeypatch.setattr(tasks, "sizer", ClaimSizer(seconds_per_comment=pace))
        jobs = tasks._claim(tasks.score_comment, None, False)
        claimed[name] = len(jobs)
        settings = tasks.score_comment.settings
        assert len(jobs) * pace <= settings.scoring_lease_s / 3
    assert 1 <= claimed["slow"] < claimed["fast"]
    assert claimed["slow"] == int(tasks.score_comment.settings.scoring_lease_s / 3 / 1.0)


def _reasons(database, comment_id: str) -> list[dict]:
    with database.session() as session:
        return [
            reason
            for decision in session.scalars(select(Decision).where(Decision.comment_id == comment_id))
            for reason in decision.reasons
        ]


def test_a_redelivered_task_stops_claiming_a_poison_comment_at_the_cap(client, publisher, database):
    """A worker killed while scoring: the broker redelivers, the claim ignores the dead worker's lease, and
    the attempts go up each time. At the cap the comment goes to review instead of being claimed again."""
    from workers.scoring import tasks

    comment_id = _submit(client, publisher, "poison-redelivered")
    cap = tasks.score_comment.settings.scoring_max_attempts
    for attempt in range(1, cap + 1):
        jobs = tasks._claim(tasks.score_comment, comment_id, True)  # then the worker dies: nothing is released
        assert [job.comment_id for job in jobs] == [comment_id]
        with database.session() as session:
            assert session.get(Comment, comment_id).scoring_attempts == attempt
    assert tasks._claim(tasks.score_comment, comment_id, True) == []
    with database.session() as session:
        row = session.get(Comment, comment_id)
        assert row.status == REVIEW and row.scoring_attempts == cap
    assert [r["code"] for r in _reasons(database, comment_id)] == ["scoring_failed"]
    for redelivered in (True, False):  # decided: nothing claims it again, nothing decides it twice
        assert tasks._claim(tasks.score_comment, comment_id, redelivered) == []
    assert len(_reasons(database, comment_id)) == 1


def test_the_sweeper_sends_a_spent_comment_to_review_once_its_lease_lapses(client, publisher, database):
    from workers.scoring import tasks

    comment_id = _submit(client, publisher, "poison-swept")
    cap = tasks.score_comment.settings.scoring_max_attempts
    with database.session() as session:
        row = session.get(Comment, comment_id)
        row.scoring_attempts = cap
        row.scoring_lease_until = utcnow() + timedelta(seconds=60)  # a worker may still be scoring it
        row.enqueued_at = utcnow() - timedelta(hours=1)
    tasks.sweep_pending.run()
    with database.session() as session:
        assert session.get(Comment, comment_id).status == PENDING  # a live lease: left alone
        assert tasks._claim(tasks.score_comment, comment_id, False) == []  # and never claimed past the cap
        session.get(Comment, comment_id).scoring_lease_until = utcnow() - timedelta(seconds=1)
    tasks.sweep_pending.run()
    with database.session() as session:
        assert session.get(Comment, comment_id).status == REVIEW
    assert [r["code"] for r in _reasons(database, comment_id)] == ["scoring_failed"]


# ---------------------------------------------------------------- real workers

POISON_SITE = """
import os

if os.environ.get("KAVALU_TEST_POISON"):
    from celery import signals

    @signals.worker_process_init.connect
    def _poison(**_):
        # This pool process dies on the poison text, as one killed by the OOM killer mid-batch would.
        import workers.scoring.pipeline as pipeline

        class Poisoned:
            timings = {}

            def score(self, jobs):
                if any(os.environ["KAVALU_TEST_POISON"] in job.text for job in jobs):
                    os._exit(1)
                raise RuntimeError("this test scores only the poison comment")

        pipeline.get_pipeline = lambda settings: Poisoned()
"""


def _worker_env(tmp_path, broker: str, **extra) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(textwrap.dedent(POISON_SITE))
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "BROKER_URL": broker, "PYTHONPATH": path, "KAVALU_PRELOAD_MODELS": "false", **extra}


@pytest.mark.slow
def test_a_worker_killed_by_a_poison_comment_ends_it_in_review_after_the_cap(settings, publisher, database, tmp_path):
    import redis

    from service.app import create_app
    from service.config import Settings
    from tests.conftest import ISOLATED_BROKER
    from tests.processes import start_celery_worker, stop_process

    redis.Redis.from_url(ISOLATED_BROKER).flushdb()
    env = _worker_env(tmp_path, ISOLATED_BROKER, KAVALU_TEST_POISON="POISON-PILL")
    worker = start_celery_worker(env, tmp_path / "poison.log", queues="scoring")
    try:
        app = create_app(Settings.from_env(env))
        client = app.test_client()
        comment_id = _submit(client, publisher, "poison-killer", "This one is a POISON-PILL for the worker.")

        def settled():
            with database.session() as session:
                return session.get(Comment, comment_id).status != PENDING

        wait_until(settled, 150, interval=0.5, message="the poison comment decided")
        app.extensions["kavalu.db"].dispose()
    finally:
        stop_process(worker)
    with database.session() as session:
        assert session.get(Comment, comment_id).status == REVIEW
        assert session.get(Comment, comment_id).scoring_attempts == settings.scoring_max_attempts
    assert [r["code"] for r in _reasons(database, comment_id)] == ["scoring_failed"]
    log = (tmp_path / "poison.log").read_text()
    assert "WorkerLostError" in log or "exited with" in log  # the pool process did die, each time


@pytest.mark.slow
def test_a_sweep_runs_while_a_long_drain_task_holds_the_scoring_worker(settings, publisher, database, tmp_path):
    """The scoring worker is busy (a drain task that sleeps); the deliveries worker still sweeps."""
    import redis

    from service.app import create_app
    from service.config import Settings
    from tests.conftest import ISOLATED_BROKER
    from tests.processes import start_celery_worker, stop_process

    redis.Redis.from_url(ISOLATED_BROKER).flushdb()
    slow_site = POISON_SITE.replace("os._exit(1)", "pass").replace(
        'raise RuntimeError("this test scores only the poison comment")', "import time; time.sleep(3600)"
    )
    env = _worker_env(
        tmp_path,
        ISOLATED_BROKER,
        KAVALU_TEST_POISON="never-in-a-text",
        KAVALU_SWEEP_INTERVAL_S="1",
        KAVALU_SWEEP_STALE_AFTER_S="1",
    )
    (tmp_path / "site" / "sitecustomize.py").write_text(textwrap.dedent(slow_site))
    scoring = start_celery_worker(env, tmp_path / "scoring.log", queues="scoring")
    maintenance = None
    try:
        app = create_app(Settings.from_env(env))
        client = app.test_client()
        stuck = _submit(client, publisher, "held-by-a-drain")

        def claimed():
            with database.session() as session:
                return session.get(Comment, stuck).scoring_attempts > 0

        wait_until(claimed, 60, message="the scoring worker busy with its drain task")
        later = _submit(client, publisher, "waiting-for-a-sweep")
        with database.session() as session:
            session.get(Comment, later).enqueued_at = utcnow() - timedelta(hours=1)
        maintenance = start_celery_worker(
            {**env, "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
            tmp_path / "deliveries.log",
            queues="deliveries",
            beat=True,
        )

        def swept():
            with database.session() as session:
                row = session.get(Comment, later)
                return row.enqueued_at > utcnow() - timedelta(minutes=5)

        wait_until(swept, 30, interval=0.5, message="a sweep while the scoring worker drains")
        assert scoring.poll() is None
        with database.session() as session:
            assert session.get(Comment, later).status == PENDING  # swept, and waiting for the busy scorer
        app.extensions["kavalu.db"].dispose()
    finally:
        if maintenance is not None:
            stop_process(maintenance)
        stop_process(scoring, timeout=5)


def test_a_failure_on_an_old_revision_leaves_the_edited_one_alone(client, publisher, database):
    """A batch failed on revision 1 after the author edited the comment: revision 2's lease (another worker's) and
    attempts are not the old job's to touch."""
    from service.scoring import results

    comment_id = _submit(client, publisher, "edited-mid-scoring")
    edited = post_comment(client, publisher, comment(comment_id="edited-mid-scoring", text="A corrected remark."))
    assert edited.status_code in (200, 202), edited.get_json()
    lease = utcnow() + timedelta(seconds=60)
    with database.session() as session:
        row = session.get(Comment, comment_id)
        assert row.current_revision == 2
        row.scoring_attempts, row.scoring_lease_until = 99, lease
    with database.session() as session:
        outcome = results.give_up_scoring(
            session, comment_id, max_attempts=3, defaults={}, enqueue_delivery=None, error="boom", revision=1
        )
    assert outcome is None
    with database.session() as session:
        row = session.get(Comment, comment_id)
        assert (row.status, row.scoring_lease_until) == (PENDING, lease)
