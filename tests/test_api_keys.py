"""API keys: created and shown once, stored hashed, one scope each, revocable at once, rate-limited per key."""

from __future__ import annotations

import hashlib
import os

from click.testing import CliRunner
from sqlalchemy import select

from service.apikeys import keys
from service.cli.main import cli
from service.config import Settings
from service.models import ApiKey
from tests.analyze_support import create_key
from tests.helpers import limiter_state_kept


def test_a_key_is_stored_only_as_its_sha256_and_opens_only_its_scope(database, publisher):
    key = create_key(database, publisher.id, "perspective")
    assert key.startswith("kvk_") and len(key) > 40
    with database.session() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.token_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in repr(keys.view(row))
        assert keys.authenticate(session, key, "perspective").id == row.id
        assert keys.authenticate(session, key, "openai") is None
        assert keys.authenticate(session, key + "x", "perspective") is None
        assert keys.authenticate(session, None, "perspective") is None


def test_cli_creates_lists_and_revokes_and_a_revoked_key_fails_on_its_next_request(database, publisher, client):
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--publisher", publisher.id, "--scope", "openai", "--no-store"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("kvk_")
    listed = runner.invoke(cli, ["keys", "list", "--publisher", publisher.id])
    assert listed.exit_code == 0 and "openai" in listed.stdout and "no-store" in listed.stdout
    assert key not in listed.stdout
    with database.session() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.store_text is False
        key_id = row.id
    # Before revocation the key gets past authentication (to the body check); after it, 401 at once.
    assert client.post("/v1/moderations", json={}, headers={"Authorization": f"Bearer {key}"}).status_code == 400
    revoked = runner.invoke(cli, ["keys", "revoke", key_id])
    assert revoked.exit_code == 0, revoked.output
    answer = client.post("/v1/moderations", json={"input": "hi"}, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_api_key"
    assert "openai" not in runner.invoke(cli, ["keys", "list"]).stdout


def test_cli_refuses_an_unknown_publisher_and_scope(database):
    runner = CliRunner()
    unknown = runner.invoke(cli, ["keys", "create", "--publisher", "pub_nope", "--scope", "analyze"])
    assert unknown.exit_code == 1 and "no publisher pub_nope" in unknown.output
    bad_scope = runner.invoke(cli, ["keys", "create", "--publisher", "pub_nope", "--scope", "admin"])
    assert bad_scope.exit_code == 2


def test_an_analyze_key_over_its_rate_limit_gets_429_with_retry_after(database, publisher):
    from service.app import create_app

    key = create_key(database, publisher.id, "analyze")
    with limiter_state_kept():
        app = create_app(Settings.from_env({**os.environ, "KAVALU_RATE_LIMIT_PER_API_KEY": "2/minute"}))
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        answers = [client.post("/v1/analyze", json={"text": ""}, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 429]
    assert answers[2].get_json()["errors"][0]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) >= 1
