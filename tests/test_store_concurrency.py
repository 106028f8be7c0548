"""Two processes on one row, interleaved by hand, on the embedded store (SQLite) and on PostgreSQL.

SQLite has no row locks: FOR UPDATE is left out and reads run outside the transaction, so another process can
commit between a read and the write that follows it. The writes that must not be lost are compare-and-set
updates; these tests put the other process's commit exactly in that gap.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from service.config import Settings
from service.db import Database
from service.decisions.record import record_decision
from service.delivery.attempts import attempt_delivery
from service.delivery.retry import DeliveryConfig
from service.intake import comments
from service.intake.schemas import CommentSubmissionSchema
from service.migrate import upgrade
from service.models import (
    Comment,
    CommentRevision,
    Decision,
    DeliveryAttempt,
    Moderator,
    OutboundEvent,
    Publisher,
    utcnow,
)
from service.review import actions, moderators
from service.review import claims as review_claims
from service.review.errors import ReviewError
from service.scoring import claims, results
from service.scoring.jobs import ScoreResult
from tests.helpers import PublisherKeys, comment, create_publisher

CLEAN = [ScoreResult("test-model", "1", {"toxicity": 0.01})]
FAST = DeliveryConfig(connect_timeout_s=1, read_timeout_s=0.5, block_private=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def store(request, tmp_path):
    if request.param == "postgresql":
        yield request.getfixturevalue("database")
        return
    settings = Settings.from_env(
        {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.sqlite3'}", "KAVALU_DATA_DIR": str(tmp_path)}
    )
    upgrade(settings)
    database = Database(settings)
    yield database
    database.dispose()


def after_first_read(session, table: str, action) -> None:
    """Run `action` once, right after `session` has read `table`: another process's turn, in the gap."""
    done = []

    def hook(_conn, _cursor, statement: str, *_):
        if not done and statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            done.append(True)
            action()

    event.listen(session.connection(), "after_cursor_execute", hook)


def submit(store, publisher_id: str, text: str) -> str:
    with store.session() as session:
        publisher = session.get_one(Publisher, publisher_id)
        data = CommentSubmissionSchema().load(comment(text=text))
        result = comments.submit(session, publisher, data, lambda _id: None)
        return result.comment_id


def in_the_gap(session, table: str, action, threads: list) -> None:
    """Run `action` in another thread right after `session` has read `table`, and give it a second: it commits in
    the gap, or (PostgreSQL) waits for the reader's row lock and finishes once the reader's transaction ends."""

    def start():
        thread = threading.Thread(target=action)
        thread.start()
        thread.join(timeout=1.0)
        threads.append(thread)

    after_first_read(session, table, start)


def edit_meanwhile(session, store, publisher_id: str, threads: list) -> None:
    """An edit of the comment, committed in the gap after `session` read it."""
    in_the_gap(session, "comments", lambda: submit(store, publisher_id, "An edited text, not yet scored."), threads)


def approve(outcomes: list, session, comment_id: str, moderator) -> None:
    take = actions.take_action
    outcome(outcomes, "approve", lambda: take(session, comment_id, moderator, action="approve", enqueue_delivery=None))


def outcome(outcomes: list, label: str, action) -> None:
    """Append `label` when `action` succeeds, or the code of the ReviewError it raises."""
    try:
        action()
        outcomes.append(label)
    except ReviewError as error:
        outcomes.append(error.code)


def claim(store, comment_id: str, max_attempts: int | None = None):
    with store.session() as session:
        [job] = claims.claim_for_scoring(
            session,
            comment_id,
            defaults=store.settings.default_policy,
            batch_size=1,
            lease_s=120,
            max_attempts=max_attempts,
        )
    return job


def assert_the_edit_waits_for_scoring(store, comment_id: str) -> None:
    with store.session() as session:
        stored = session.get_one(Comment, comment_id)
        assert (stored.current_revision, stored.status, stored.decided_by) == (2, "pending", None)
        assert stored.scoring_attempts == 0  # the edit's own task claims it, as a fresh comment
        assert [d.revision for d in session.scalars(select(Decision))] in ([], [1])


def test_a_batch_finishing_while_an_edit_lands_does_not_decide_the_new_revision(store):
    publisher = create_publisher(store, "Daily Coast")
    comment_id = submit(store, publisher.id, "The first text, being scored.")
    job = claim(store, comment_id)
    threads: list[threading.Thread] = []
    with store.session() as session:
        edit_meanwhile(session, store, publisher.id, threads)
        decisions = results.finish_batch(session, [job], [CLEAN], fingerprints=[None], enqueue_deliveries=None)
    for thread in threads:
        thread.join()
    assert threads
    assert_the_edit_waits_for_scoring(store, comment_id)
    assert decisions == [None] or store.settings.database_url.startswith("postgresql")  # there, decided before


def test_giving_up_on_a_revision_while_an_edit_lands_leaves_the_new_one_alone(store):
    publisher = create_publisher(store, "Daily Coast")
    comment_id = submit(store, publisher.id, "The first text, whose scorers crash.")
    job = claim(store, comment_id, max_attempts=1)
    threads: list[threading.Thread] = []
    with store.session() as session:
        edit_meanwhile(session, store, publisher.id, threads)
        results.give_up_scoring(
            session,
            comment_id,
            max_attempts=1,
            defaults=store.settings.default_policy,
            enqueue_delivery=None,
            error="RuntimeError: boom",
            revision=job.revision,
        )
    for thread in threads:
        thread.join()
    assert threads
    assert_the_edit_waits_for_scoring(store, comment_id)


# --- deliveries ---------------------------------------------------------------------------------


def decided_event(store) -> str:
    publisher = create_publisher(store, "Daily Coast", callback_url="http://127.0.0.1:9/hook")
    comment_id = submit(store, publisher.id, "A civil remark.")
    with store.session() as session:
        decision = record_decision(
            session,
            session.get_one(Comment, comment_id),
            status="approved",
            decided_by="auto",
            reasons=[],
            scores={},
            policy_version=1,
            enqueue_delivery=None,
        )
        session.flush()
        return session.scalars(select(OutboundEvent.id).where(OutboundEvent.decision_id == decision.id)).one()


def attempt(store, event_id: str, http_post, **kw):
    with store.session() as session:
        return attempt_delivery(session, event_id, http_post=http_post, config=FAST, **kw)


@pytest.mark.parametrize("gap", ["after_the_read", "during_the_post"])
def test_two_workers_on_one_event_send_it_once(store, gap):
    """The task enqueued after the decision and a dispatched one (expected_attempts=0) run at the same time."""
    event_id = decided_event(store)
    sent: list[str] = []
    outcomes: list[str] = []

    def second_worker():
        outcomes.append(attempt(store, event_id, lambda *a: sent.append("second") or 200, expected_attempts=0).outcome)

    def first_post(*_):
        sent.append("first")
        if gap == "during_the_post":
            second_worker()
        return 200

    with store.session() as session:
        if gap == "after_the_read":
            after_first_read(session, "outbound_events", second_worker)
        outcomes.append(attempt_delivery(session, event_id, http_post=first_post, config=FAST).outcome)

    assert len(sent) == 1, sent
    assert sorted(outcomes) == ["busy", "delivered"]
    with store.session() as session:
        stored = session.get_one(OutboundEvent, event_id)
        assert (stored.status, stored.attempts, stored.delivery_lease_until) == ("delivered", 1, None)
        assert len(session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.event_id == event_id)).all()) == 1


class WorkerDied(BaseException):
    """A worker process ending in the middle of its POST (not an error the attempt could record)."""


def test_a_worker_that_died_during_its_post_holds_the_event_only_until_its_lease_lapses(store):
    event_id = decided_event(store)
    started = utcnow()

    def die(*_):
        raise WorkerDied

    with pytest.raises(WorkerDied):
        attempt(store, event_id, die, now=started)
    later = started + timedelta(seconds=FAST.dispatch_lease_s + 1)
    assert attempt(store, event_id, lambda *a: 200, now=later, expected_attempts=0).outcome == "delivered"
    with store.session() as session:
        assert session.get_one(OutboundEvent, event_id).delivery_lease_until is None


# --- a moderator's decision, edits, scoring claims ------------------------------------------------


def in_review(store) -> tuple[PublisherKeys, str, Moderator]:
    """A comment scored into the review queue at revision 1, and a moderator."""
    publisher = create_publisher(store, "Daily Coast")
    comment_id = submit(store, publisher.id, "The first text, the one the moderator reads.")
    with store.session() as session:
        record_decision(
            session,
            session.get_one(Comment, comment_id),
            status="review",
            decided_by="auto",
            reasons=[],
            scores={},
            policy_version=1,
            enqueue_delivery=None,
        )
        moderator, _token = moderators.create(session, "Asha", "moderator")
    return publisher, comment_id, moderator


@pytest.mark.parametrize("expected_revision", [None, 1])
def test_a_moderator_decision_racing_an_edit_never_lands_on_the_unseen_revision(store, expected_revision):
    publisher, comment_id, moderator = in_review(store)
    threads: list[threading.Thread] = []
    refused = None
    with store.session() as session:
        edit_meanwhile(session, store, publisher.id, threads)
        try:
            actions.take_action(
                session,
                comment_id,
                moderator,
                action="approve",
                expected_revision=expected_revision,
                enqueue_delivery=None,
            )
        except ReviewError as error:
            refused = (error.status, error.code)
    for thread in threads:
        thread.join()
    assert threads
    with store.session() as session:
        stored = session.get_one(Comment, comment_id)
        assert (stored.current_revision, stored.status, stored.decided_by) == (2, "pending", None)
        by_moderator = [d.revision for d in session.scalars(select(Decision).where(Decision.decided_by == "moderator"))]
    if store.settings.database_url.startswith("postgresql"):  # the edit waited for the row lock: decided before
        assert (refused, by_moderator) == (None, [1])
    else:
        assert (refused, by_moderator) == ((409, "stale_revision"), [])


def test_two_moderators_deciding_one_comment_at_once_make_one_decision(store):
    _publisher, comment_id, moderator = in_review(store)
    with store.session() as session:
        other, _token = moderators.create(session, "Bela", "moderator")
    outcomes: list[object] = []

    def decide(who: Moderator, action: str) -> None:
        with store.session() as session:
            take = actions.take_action
            outcome(
                outcomes,
                action,
                lambda: take(session, comment_id, who, action=action, reason="insult", enqueue_delivery=None),
            )

    threads: list[threading.Thread] = []
    with store.session() as session:
        in_the_gap(session, "comments", lambda: decide(other, "reject"), threads)
        approve(outcomes, session, comment_id, moderator)
    for thread in threads:
        thread.join()
    with store.session() as session:
        decisions = session.scalars(select(Decision.status).where(Decision.decided_by == "moderator")).all()
        stored = session.get_one(Comment, comment_id)
    assert len(decisions) == 1, (decisions, outcomes)
    assert stored.status == decisions[0]
    # PostgreSQL: the other waits for the row lock, then finds it decided; SQLite: the first to write wins.
    assert sorted(outcomes) in (["already_decided", "approve"], ["reject", "stale_status"]), outcomes


def test_two_moderators_claiming_one_comment_at_once_get_one_lease(store):
    _publisher, comment_id, moderator = in_review(store)
    with store.session() as session:
        other, _token = moderators.create(session, "Bela", "moderator")
    outcomes: list[str] = []

    def claim_as(who: Moderator) -> None:
        with store.session() as session:
            outcome(outcomes, who.name, lambda: review_claims.claim(session, comment_id, who))

    threads: list[threading.Thread] = []
    with store.session() as session:
        in_the_gap(session, "comments", lambda: claim_as(other), threads)
        outcome(outcomes, moderator.name, lambda: review_claims.claim(session, comment_id, moderator))
    for thread in threads:
        thread.join()
    with store.session() as session:
        holder = session.get_one(Comment, comment_id).claimed_by
    assert sorted(outcomes) in (["Asha", "claimed"], ["Bela", "claimed"]), outcomes
    assert holder == {"Asha": moderator.id, "Bela": other.id}[next(o for o in outcomes if o != "claimed")]


def test_two_edits_of_one_comment_at_once_both_become_revisions(store):
    publisher = create_publisher(store, "Daily Coast")
    comment_id = submit(store, publisher.id, "The first text.")
    threads: list[threading.Thread] = []
    with store.session() as session:
        edit_meanwhile(session, store, publisher.id, threads)
        data = CommentSubmissionSchema().load(comment(text="Another edit, posted at the same moment."))
        outcome = comments.submit(session, session.get_one(Publisher, publisher.id), data, lambda _id: None).outcome
    for thread in threads:
        thread.join()
    assert threads
    assert outcome == "edited"
    with store.session() as session:
        numbers = session.scalars(select(CommentRevision.number).where(CommentRevision.comment_id == comment_id))
        assert sorted(numbers) == [1, 2, 3]
        assert session.get_one(Comment, comment_id).current_revision == 3


def test_two_workers_claiming_one_comment_at_once_count_one_attempt(store):
    publisher = create_publisher(store, "Daily Coast")
    comment_id = submit(store, publisher.id, "A text two workers were woken for.")
    theirs: list[list] = []
    threads: list[threading.Thread] = []

    with store.session() as session:
        in_the_gap(session, "comments", lambda: theirs.append(claim_all(store, comment_id)), threads)
        mine = claims.claim_for_scoring(
            session, comment_id, defaults=store.settings.default_policy, batch_size=1, lease_s=120, max_attempts=3
        )
    for thread in threads:
        thread.join()
    assert threads
    assert len(mine) + len(theirs[0]) == 1, (mine, theirs)
    with store.session() as session:
        assert session.get_one(Comment, comment_id).scoring_attempts == 1


def claim_all(store, comment_id: str) -> list:
    with store.session() as session:
        return claims.claim_for_scoring(
            session, comment_id, defaults=store.settings.default_policy, batch_size=1, lease_s=120, max_attempts=3
        )


def test_a_claim_landing_inside_a_decision_leaves_no_lease_on_a_decided_comment(store):
    _publisher, comment_id, moderator = in_review(store)
    with store.session() as session:
        other, _token = moderators.create(session, "Bela", "moderator")
    outcomes: list[str] = []

    def claim_as_other() -> None:
        with store.session() as session:
            outcome(outcomes, "claim", lambda: review_claims.claim(session, comment_id, other))

    threads: list[threading.Thread] = []
    with store.session() as session:
        in_the_gap(session, "comments", claim_as_other, threads)
        approve(outcomes, session, comment_id, moderator)
    for thread in threads:
        thread.join()
    assert threads
    with store.session() as session:
        decisions = session.scalars(select(Decision.status).where(Decision.decided_by == "moderator")).all()
        stored = session.get_one(Comment, comment_id)
        events = session.scalars(select(OutboundEvent.id)).all()
    # PostgreSQL: the claim waits for the row lock, then finds it decided; SQLite: the claim commits first, and the
    # decision finds the comment held by another.
    if store.settings.database_url.startswith("postgresql"):
        assert sorted(outcomes) == ["already_decided", "approve"], outcomes
        assert (stored.status, stored.claimed_by, decisions, len(events)) == ("approved", None, ["approved"], 1)
    else:
        assert sorted(outcomes) == ["claim", "claimed"], outcomes
        assert (stored.status, stored.claimed_by, decisions, events) == ("review", other.id, [], [])


def test_a_migrated_sqlite_store_is_in_wal_mode_before_its_processes_first_connect(tmp_path):
    """Two processes that switch a new store to WAL at the same moment can fail with "database is locked" at once,
    busy timeout or not (the API's and a worker's first connections under `kavalu run`); the migration switches it."""
    import sqlite3
    from contextlib import closing

    store = tmp_path / "kavalu.sqlite3"
    upgrade(Settings.from_env({**os.environ, "DATABASE_URL": f"sqlite:///{store}", "KAVALU_DATA_DIR": str(tmp_path)}))
    with closing(sqlite3.connect(store)) as connection:  # a plain connection: none of Kavalu's connect hooks
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
