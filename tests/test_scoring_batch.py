"""Finishing a claimed batch: the same decisions as one comment at a time, in a fixed number of statements."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from service.models import Decision, OutboundEvent, Score
from service.scoring import claims, results
from service.scoring.jobs import ScoreResult
from tests.helpers import comment, post_comment

CLEAN = [ScoreResult("test-model", "1", {"toxicity": 0.01, "insult": 0.0})]


def _post(client, publisher, n: int, text: str | None = None, email: str | None = None) -> list[str]:
    ids = []
    for i in range(n):
        body = comment(
            comment_id=f"batch-{i}",
            text=text or f"A civil remark number {i} about the article.",
            author__email=email or f"reader{i}@example.in",
        )
        ids.append(post_comment(client, publisher, body).get_json()["id"])
    return ids


def _claim(database, settings, first_id: str, size: int):
    with database.session() as session:
        return claims.claim_for_scoring(
            session, first_id, defaults=settings.default_policy, batch_size=size, lease_s=120
        )


def _finish(database, jobs, sent: list | None = None, now=None):
    from workers.scoring.pipeline import fingerprint

    statements = []
    with database.session() as session:

        def count(*_):
            statements.append(1)

        event.listen(session.connection(), "before_cursor_execute", count)
        decisions = results.finish_batch(
            session,
            jobs,
            [CLEAN] * len(jobs),
            fingerprints=[fingerprint(j) for j in jobs],
            enqueue_deliveries=sent.append if sent is not None else None,
            now=now,
        )
    return decisions, len(statements)


def test_a_batch_is_finished_in_the_same_number_of_statements_whatever_its_size(client, publisher, database, settings):
    ids = _post(client, publisher, 48)  # a deep backlog, so both claims are full (see the fair-share test)
    small = _claim(database, settings, ids[0], 3)
    large = _claim(database, settings, ids[3], 21)
    assert (len(small), len(large)) == (3, 21)
    claimed = {job.comment_id for job in small + large}
    small_decisions, small_statements = _finish(database, small)
    large_decisions, large_statements = _finish(database, large)
    assert small_statements == large_statements <= 10
    assert {d.status for d in small_decisions + large_decisions} == {"approved"}
    with database.session() as session:
        assert session.scalar(select(Score.id).where(Score.comment_id == large[-1].comment_id).limit(1)) is not None
        events = session.scalars(select(OutboundEvent)).all()
        decisions = {d.id: d for d in session.scalars(select(Decision))}
    assert len(events) == len(decisions) == 24
    assert {e.comment_id for e in events} == claimed
    assert len({e.payload["data"]["comment_id"] for e in events}) == 24
    assert all(decisions[e.decision_id].comment_id == e.comment_id for e in events)


def test_a_draining_backlog_is_claimed_in_shrinking_shares(client, publisher, database, settings):
    """Full batches while at least two are waiting, then half of what is left (never under 16), so
    workers draining the same backlog finish together."""
    ids = _post(client, publisher, 100)
    sizes = []
    while jobs := _claim(database, settings, None, 32):
        sizes.append(len(jobs))
    assert sizes == [32, 32, 18, 16, 2]
    with database.session() as session:
        from service.models import Comment

        assert session.scalar(select(func.count()).where(Comment.scoring_attempts == 1)) == len(ids)


def test_within_a_batch_only_the_later_copy_of_a_text_is_a_duplicate(client, publisher, database, settings):
    ids = _post(client, publisher, 3, text="Buy cheap followers at my page today.", email="same@example.in")
    jobs = _claim(database, settings, ids[0], 3)
    assert [job.comment_id for job in jobs] == ids
    decisions, _ = _finish(database, jobs)
    assert [d.status for d in decisions] == ["approved", "review", "review"]
    assert decisions[0].reasons == []
    for later in decisions[1:]:
        assert [(r["code"], r["detail"]) for r in later.reasons] == [("duplicate_text", "same author")]


def test_short_texts_many_readers_write_are_not_duplicates(client, publisher, database, settings):
    """Three readers writing "Well said, Jai Hind!" is not a campaign; a longer text from three is, and a publisher
    can lower duplicate_min_words to count short ones too."""
    from service.publishers import accounts

    short = _post(client, publisher, 3, text="Well said, Jai Hind!")
    decisions, _ = _finish(database, _claim(database, settings, short[0], 3))
    assert [d.status for d in decisions] == ["approved", "approved", "approved"]

    longer = [
        post_comment(
            client, publisher, comment(comment_id=f"long-{i}", text="Well said, this government must go now!",
                                       author__email=f"long{i}@example.in")
        ).get_json()["id"]
        for i in range(3)
    ]  # fmt: skip
    decisions, _ = _finish(database, _claim(database, settings, longer[0], 3))
    assert [d.status for d in decisions] == ["approved", "approved", "review"]
    assert [(r["code"], r["detail"]) for r in decisions[2].reasons] == [("duplicate_text", "many authors")]

    with database.session() as session:
        accounts.set_policy(session, publisher.id, {"duplicate_min_words": 1}, settings.default_policy, actor="test")
    again = [
        post_comment(
            client, publisher, comment(comment_id=f"hi-{i}", text="Jai Hind!", author__email=f"hi{i}@example.in")
        ).get_json()["id"]
        for i in range(3)
    ]
    decisions, _ = _finish(database, _claim(database, settings, again[0], 3))
    assert [d.status for d in decisions] == ["approved", "approved", "review"]


def test_a_comment_decided_meanwhile_is_left_alone_and_the_rest_are_finished(client, publisher, database, settings):
    ids = _post(client, publisher, 3)
    jobs = _claim(database, settings, ids[0], 3)
    with database.session() as session:
        from service.models import Comment

        session.get(Comment, ids[1]).status = "rejected"
    decisions, _ = _finish(database, jobs)
    assert decisions[1] is None
    assert [decisions[0].status, decisions[2].status] == ["approved", "approved"]


def test_after_commit_each_publisher_gets_one_delivery_message_for_its_new_events(
    client, publisher, other_publisher, database, settings
):
    from service.models import Publisher

    with database.session() as session:
        for keys in (publisher, other_publisher):
            session.get(Publisher, keys.id).callback_url = "https://news.example/hook"
    ours = _post(client, publisher, 3)
    theirs = [
        post_comment(
            client, other_publisher, comment(comment_id=f"other-{i}", text=f"Another view, number {i}.")
        ).get_json()["id"]
        for i in range(2)
    ]
    jobs = _claim(database, settings, ours[0], 5)
    sent: list[list[str]] = []
    _finish(database, jobs, sent)
    with database.session() as session:
        events = {e.id: e for e in session.scalars(select(OutboundEvent))}
    assert sorted(len(ids) for ids in sent) == [2, 3]
    for ids in sent:
        comment_ids = [events[event_id].comment_id for event_id in ids]
        assert comment_ids in (ours, theirs)  # one publisher per message, in the order received


def test_the_history_and_duplicate_look_ups_can_use_an_index(client, publisher, database, settings):
    # With many comments, the author-history and earlier-copy queries of every batch must not read a
    # publisher's whole history; EXPLAIN the statements finish_batch really runs, with sequential scans off.
    from sqlalchemy import text

    ids = _post(client, publisher, 3)
    jobs = _claim(database, settings, ids[0], 3)
    statements = []
    with database.session() as session:
        event.listen(
            session.connection(),
            "before_cursor_execute",
            lambda conn, cursor, statement, parameters, *_: statements.append((statement, parameters)),
        )
        results.finish_batch(
            session, jobs, [CLEAN] * len(jobs), fingerprints=["f" * 64] * len(jobs), enqueue_deliveries=None
        )
    history = [s for s in statements if "lower(comments.author_email)" in s[0]]
    copies = [s for s in statements if "comments.text_fingerprint IN" in s[0]]
    assert history and copies
    with database.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        for (statement, parameters), index in (
            (history[0], "ix_comments_publisher_email_lower"),
            (copies[0], "ix_comments_fingerprint_received"),
        ):
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert index in plan, plan


@pytest.mark.parametrize("store", ["postgresql", "sqlite"])
def test_insert_many_writes_every_row_with_the_model_defaults(store, database, tmp_path):
    """The bulk INSERT the scoring batch uses (COPY on PostgreSQL): JSON, NULLs, defaults, one id each."""
    from service.config import Settings
    from service.db import Base, Database, insert_many
    from service.models import Publisher

    if store == "sqlite":
        database = Database(
            Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}", "KAVALU_DATA_DIR": str(tmp_path)})
        )
        Base.metadata.create_all(database.engine)
    rows = [
        {
            "name": f"Paper {n}",
            "sealed_signing_secret": "fernet:s",
            "callback_url": None,
            "policy_overrides": {"max_links": n, "note": "quote ' and \\t tab"},
        }
        for n in range(3)
    ]
    with database.session() as session:
        insert_many(session, Publisher.__table__, rows)
        insert_many(session, Publisher.__table__, [])
    with database.session() as session:
        stored = sorted(session.scalars(select(Publisher)), key=lambda p: p.name)
    assert [(p.name, p.callback_url, p.policy_overrides, p.policy_version) for p in stored] == [
        (row["name"], None, row["policy_overrides"], 1) for row in rows
    ]
    assert len({p.id for p in stored}) == 3 and all(p.id.startswith("pub_") and p.created_at for p in stored)


def test_premoderation_holds_every_author_but_a_trusted_one(client, publisher, database, settings):
    """Trusted authors skip review below the reject thresholds (docs/api.md), a site's pre-moderation included."""
    from service.authors.rules import add_author_rule
    from service.publishers import accounts

    with database.session() as session:
        accounts.set_policy(session, publisher.id, {"premoderation": True}, settings.default_policy)
        add_author_rule(session, kind="email", value="trusted@example.in", action="trust", actor="test")
    trusted = post_comment(client, publisher, comment(comment_id="t-1", author__email="trusted@example.in"))
    other = post_comment(client, publisher, comment(comment_id="o-1", author__email="other@example.in"))
    jobs = _claim(database, settings, trusted.get_json()["id"], 2)
    decisions, _ = _finish(database, sorted(jobs, key=lambda job: job.comment_id != trusted.get_json()["id"]))
    assert [(d.status, [r["code"] for r in d.reasons]) for d in decisions] == [
        ("approved", []),
        ("review", ["premoderation"]),
    ]
    assert other.status_code == 202


def test_the_duplicate_window_is_measured_between_receipts_not_from_scoring(client, publisher, database, settings):
    """Scored an hour late (a worker was down), a copy received a second after the first is still a duplicate;
    copies received further apart than the window are not, however close together they are scored."""
    from datetime import timedelta

    from sqlalchemy import update

    from service.models import Comment, SenderDetails

    text, email = "Buy cheap followers at my page today.", "same@example.in"
    first, second = _post(client, publisher, 2, text=text, email=email)
    first_decisions, _ = _finish(database, _claim(database, settings, first, 1))
    assert first_decisions[0].status == "approved"
    window = settings.default_policy["duplicate_window_seconds"]
    with database.session() as session:
        received = session.get(Comment, second).received_at
    jobs = _claim(database, settings, second, 1)
    late, _ = _finish(database, jobs, now=received + timedelta(seconds=window + 600))
    assert [(r["code"], r["detail"]) for r in late[0].reasons] == [("duplicate_text", "same author")]

    # Received a window and more after the first two, scored at once: not a duplicate of them.
    third = post_comment(client, publisher, comment(comment_id="batch-late", text=text, author__email=email))
    third = third.get_json()["id"]
    with database.session() as session:
        arrived = received + timedelta(seconds=window + 60)
        session.get(Comment, third).received_at = arrived
        session.execute(update(SenderDetails).where(SenderDetails.comment_id == third).values(received_at=arrived))
    jobs = _claim(database, settings, third, 1)
    later, _ = _finish(database, jobs, now=received + timedelta(seconds=window + 70))
    assert later[0].status == "approved" and later[0].reasons == []


def test_decision_latency_of_an_edit_counts_from_the_edit(client, publisher, database, settings):
    """kavalu_decision_latency_seconds measures from receipt of the revision decided: an edit of a comment posted
    hours ago is not hours late."""
    from datetime import timedelta

    from sqlalchemy import update

    from service.models import Comment, SenderDetails
    from service.ops.metrics import DECISION_LATENCY

    def latency_sum() -> float:
        return next(s.value for m in DECISION_LATENCY.collect() for s in m.samples if s.name.endswith("_sum"))

    (comment_id,) = _post(client, publisher, 1)
    _finish(database, _claim(database, settings, comment_id, 1))
    edited = comment(comment_id="batch-0", text="An edited civil remark about the article.")
    assert post_comment(client, publisher, edited).status_code == 202
    with database.session() as session:
        row = session.get(Comment, comment_id)
        row.received_at -= timedelta(hours=2)
        session.execute(
            update(SenderDetails)
            .where(SenderDetails.comment_id == comment_id, SenderDetails.revision == 1)
            .values(received_at=row.received_at)
        )
        edit_received = session.scalar(
            select(SenderDetails.received_at).where(SenderDetails.comment_id == comment_id, SenderDetails.revision == 2)
        )
    jobs = _claim(database, settings, comment_id, 1)
    assert jobs[0].revision == 2
    before = latency_sum()
    _finish(database, jobs, now=edit_received + timedelta(seconds=3))
    assert latency_sum() - before == pytest.approx(3.0, abs=0.01)


def test_a_redelivered_task_frees_the_rest_of_the_batch_it_holds_and_nothing_else(
    client, publisher, database, settings
):
    """claims.release_lost_batch: the comments the lost task holds under a live lease come back (all but its own,
    which it claims again itself); another task's batch, a lapsed lease and a decided comment stay as they are."""
    from datetime import timedelta

    from service.models import Comment, utcnow

    ids = _post(client, publisher, 6)
    with database.session() as session:
        lost = claims.claim_for_scoring(
            session, ids[0], defaults=settings.default_policy, batch_size=3, lease_s=120, holder="task-lost"
        )
        other = claims.claim_for_scoring(
            session, None, defaults=settings.default_policy, batch_size=2, lease_s=120, holder="task-alive"
        )
    lost_ids = [job.comment_id for job in lost]
    assert lost_ids[0] == ids[0] and len(lost_ids) == 3
    with database.session() as session:
        session.get(Comment, lost_ids[1]).status = "approved"  # decided by the time the task comes back
    with database.session() as session:
        released = claims.release_lost_batch(session, "task-lost", keep=ids[0])
    assert released == [lost_ids[2]]
    with database.session() as session:
        rows = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(ids)))}
        assert rows[lost_ids[2]].scoring_lease_until is None
        assert rows[ids[0]].scoring_lease_until > utcnow()  # the task's own comment: it claims it again itself
        assert all(rows[job.comment_id].scoring_lease_until > utcnow() for job in other)
        assert rows[lost_ids[2]].scoring_attempts == 1  # scored alone when claimed again
    later = utcnow() + timedelta(seconds=121)
    with database.session() as session:
        assert claims.release_lost_batch(session, "task-alive", keep=None, now=later) == []  # lapsed: free anyway


def test_the_sweeper_frees_the_claims_of_a_process_whose_heartbeat_stopped_and_nothing_else(
    client, publisher, database, settings
):
    """claims.release_silent_processes: a whole worker killed or frozen. The claims of a process whose heartbeat row
    is older than the bound come back; a live process's claims, a claim by a process that writes no heartbeat, a
    lapsed lease and a decided comment stay as they are."""
    from datetime import timedelta

    from service.models import Comment, WorkerHeartbeat, utcnow

    now = utcnow()
    with database.session() as session:
        session.add(WorkerHeartbeat(hostname="gone@box/7", queues="scoring", last_seen=now - timedelta(seconds=60)))
        session.add(WorkerHeartbeat(hostname="alive@box/8", queues="scoring", last_seen=now))
    ids = _post(client, publisher, 8)
    held: dict[str, list[str]] = {}
    with database.session() as session:
        for process in ("gone@box/7", "alive@box/8", None):
            jobs = claims.claim_for_scoring(
                session, None, defaults=settings.default_policy, batch_size=2, lease_s=120, process=process
            )
            held[process] = [job.comment_id for job in jobs]
    assert sorted(i for batch in held.values() for i in batch) == sorted(ids[:6])
    with database.session() as session:
        session.get(Comment, held["gone@box/7"][1]).status = "approved"  # decided before the process died
    with database.session() as frozen:  # a frozen process's transaction: its rows stay locked, and are skipped
        frozen.scalars(select(Comment).where(Comment.id == held["gone@box/7"][0]).with_for_update()).one()
        with database.session() as session:
            session.execute(text("SET LOCAL lock_timeout = '5s'"))
            assert claims.release_silent_processes(session, max_age_s=45) == []
    with database.session() as session:
        freed = claims.release_silent_processes(session, max_age_s=45)
    assert freed == [held["gone@box/7"][0]]
    with database.session() as session:
        rows = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(ids)))}
        assert rows[freed[0]].scoring_lease_until is None
        assert all(rows[i].scoring_lease_until > utcnow() for i in held["alive@box/8"] + held[None])
    with database.session() as session:  # the live process's heartbeat stops too, after its lease lapsed: nothing held
        assert claims.release_silent_processes(session, max_age_s=45, now=now + timedelta(seconds=121)) == []
