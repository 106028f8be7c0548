"""The pull feed lists every final decision once, in the order their transactions committed: a decision whose
transaction commits after a later-inserted one has already been read is listed after the publisher's cursor, not
behind it (decision ids are taken at insert; feed positions once committed, service/delivery/feed.py)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from service.config import Settings
from service.decisions.record import record_decision
from service.models import APPROVED, REJECTED, Comment
from tests.helpers import accepted_ids, create_publisher, get_signed


def _decide(session, comment_id: str, status: str) -> None:
    record_decision(
        session,
        session.get(Comment, comment_id),
        status=status,
        decided_by="auto",
        reasons=[],
        scores={},
        policy_version=1,
        enqueue_delivery=None,
    )


def _page(client, publisher, after: str | None = None) -> dict:
    response = get_signed(client, publisher, "/v1/decisions" + (f"?after={after}" if after else ""))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_decision_committed_late_is_listed_after_the_cursor_that_passed_its_id(client, database, publisher):
    slow, fast = accepted_ids(client, publisher, "slow", "fast")
    with database.session() as slow_worker:
        _decide(slow_worker, slow, APPROVED)
        slow_worker.flush()  # its decision has the lower id, but its transaction is still open
        with database.session() as fast_worker:
            _decide(fast_worker, fast, REJECTED)
        first = _page(client, publisher)
        assert [item["id"] for item in first["data"]] == [fast]
    second = _page(client, publisher, first["next"])
    assert [(item["id"], item["status"]) for item in second["data"]] == [(slow, APPROVED)]
    assert int(second["data"][0]["sequence"]) > int(first["data"][0]["sequence"])
    assert _page(client, publisher, second["next"])["data"] == []
    assert [item["id"] for item in _page(client, publisher)["data"]] == [fast, slow]  # the order stays


def test_a_cursor_handed_out_before_positions_existed_still_pages_on(client, database, publisher):
    """Migration 0011 gives stored decisions their id as position, so an old cursor (a decision id) keeps working."""
    first, second = accepted_ids(client, publisher, "old-1", "old-2")
    with database.session() as session:
        _decide(session, first, APPROVED)
    page = _page(client, publisher)
    with database.session() as session:
        _decide(session, second, APPROVED)
    assert [item["id"] for item in _page(client, publisher, page["next"])["data"]] == [second]


@pytest.fixture
def embedded_client(tmp_path, monkeypatch):
    """The embedded single-machine store (SQLite), where the numbering runs under SQLite's writer lock."""
    from service.app import create_app
    from service.db import Database
    from service.migrate import upgrade

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KAVALU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAVALU_SEALING_KEYS", Fernet.generate_key().decode())
    settings = Settings.from_env()
    assert settings.database_url.startswith("sqlite")
    upgrade(settings)
    database = Database(settings)
    yield create_app(settings).test_client(), database
    database.dispose()


def test_the_embedded_store_numbers_the_feed_too(embedded_client):
    client, database = embedded_client
    publisher = create_publisher(database, "Embedded Times")
    ids = accepted_ids(client, publisher, *(f"e-{n}" for n in range(5)))
    for comment_id in ids[:3]:
        with database.session() as session:
            _decide(session, comment_id, APPROVED)
    first = _page(client, publisher)
    for comment_id in ids[3:]:
        with database.session() as session:
            _decide(session, comment_id, REJECTED)
    second = _page(client, publisher, first["next"])
    listed = [item["id"] for item in first["data"] + second["data"]]
    positions = [int(item["sequence"]) for item in first["data"] + second["data"]]
    assert listed == ids and positions == sorted(set(positions))
