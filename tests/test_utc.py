"""Every time in every answer is UTC with an offset ("+00:00"), in the PostgreSQL store and the embedded SQLite one."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from service.app import create_app
from service.config import Settings
from service.db import Database
from service.models import OutboundEvent
from tests.helpers import comment, create_publisher, get_signed, limiter_state_kept, post_comment
from tests.review_support import bearer, make_moderator, make_review_comment

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def datetime_strings(value, path: str = "") -> dict[str, str]:
    """Every string in an answer that looks like a date-time, by its path."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(datetime_strings(item, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(datetime_strings(item, f"{path}.{index}"))
    elif isinstance(value, str) and DATETIME.match(value):
        found[path] = value
    return found


def every_answer(client, database, keys) -> dict[str, object]:
    """Post, decide and read back through every API that shows a time; the JSON answers by name."""
    _, mod = make_moderator(database, "moderator")
    _, legal = make_moderator(database, "legal")
    _, admin = make_moderator(database, "admin")
    answers: dict[str, object] = {}

    def keep(name: str, response, status: int = 200):
        assert response.status_code == status, (name, response.get_json())
        answers[name] = response.get_json()
        return answers[name]

    pending = keep("intake", post_comment(client, keys, comment(comment_id="utc-1")), 202)
    keep("status (pending)", get_signed(client, keys, f"/v1/comments/{pending['id']}"))
    cid = make_review_comment(client, database, keys, "utc-2")
    keep("queue", client.get("/v1/review/queue", headers=bearer(mod)))
    keep("queue (oldest)", client.get("/v1/review/queue?sort=oldest&limit=1", headers=bearer(mod)))
    keep("item", client.get(f"/v1/review/comments/{cid}", headers=bearer(mod)))
    keep("claim", client.post(f"/v1/review/comments/{cid}/claim", headers=bearer(mod)))
    keep("item (claimed)", client.get(f"/v1/review/comments/{cid}", headers=bearer(mod)))
    keep(
        "decision", client.post(f"/v1/review/comments/{cid}/decision", json={"action": "approve"}, headers=bearer(mod))
    )
    keep("status (decided)", get_signed(client, keys, f"/v1/comments/{cid}"))
    keep("retry", post_comment(client, keys, comment(comment_id="utc-2", text="You are all idiots and liars.")))
    keep("feed", get_signed(client, keys, "/v1/decisions"))
    keep("history", client.get(f"/v1/review/comments/{cid}/history", headers=bearer(admin)))
    keep("sender", client.get(f"/v1/legal/comments/{cid}/sender?request_reference=REF-1", headers=bearer(legal)))
    rule = keep(
        "author rule",
        client.post(
            "/v1/admin/authors", json={"kind": "email", "value": "x@example.in", "action": "ban"}, headers=bearer(admin)
        ),
        201,
    )
    keep("author rule revoked", client.delete(f"/v1/admin/authors/{rule['id']}", headers=bearer(admin)))
    keep("author rules", client.get("/v1/admin/authors?include_revoked=true", headers=bearer(admin)))
    with database.session() as session:
        for event in session.scalars(select(OutboundEvent)):
            event.status = "failed"
    keep("failed deliveries", client.get("/v1/admin/deliveries/failed", headers=bearer(admin)))
    return answers


def check_all_utc(answers: dict[str, object]) -> None:
    times = {
        f"{name}: {path}": value for name, answer in answers.items() for path, value in datetime_strings(answer).items()
    }
    # Each kind of time is there, so the check below covers them all.
    for expected in (
        "status (pending): received_at",
        "status (decided): decided_at",
        "retry: decided_at",
        "feed: data.0.decided_at",
        "queue: items.0.received_at",
        "item (claimed): claim_expires_at",
        "claim: claim_expires_at",
        "history: events.0.created_at",
        "history: events.1.created_at",
        "sender: received_at",
        "sender: submitted_at",
        "author rule revoked: revoked_at",
        "failed deliveries: events.0.created_at",
    ):
        assert expected in times, (expected, sorted(times))
    naive = {where: value for where, value in times.items() if not value.endswith("+00:00")}
    assert not naive, naive


def test_every_time_is_utc_with_an_offset_in_postgresql(client, database, publisher):
    check_all_utc(every_answer(client, database, publisher))


@pytest.fixture
def embedded(tmp_path):
    """An app on the embedded store: SQLite and the filesystem broker under a temporary KAVALU_DATA_DIR."""
    from service.migrate import upgrade

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")}
    settings = Settings.from_env({**env, "KAVALU_DATA_DIR": str(tmp_path / "var")})
    assert settings.embedded and settings.database_url.startswith("sqlite")
    settings.make_broker_folders()
    upgrade(settings)
    database = Database(settings)
    with limiter_state_kept():
        yield create_app(settings).test_client(), database
    database.dispose()


def test_every_time_is_utc_with_an_offset_in_the_embedded_store(embedded):
    client, database = embedded
    keys = create_publisher(database, "Embedded Daily")
    check_all_utc(every_answer(client, database, keys))
