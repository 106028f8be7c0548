"""`kavalu publishers create|list|rotate-secret|set-policy` against the test database."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from service.cli.main import cli
from service.models import AuditEvent, Publisher
from tests.helpers import PublisherKeys, comment, error_codes, post_comment


def _run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def _created(output: str) -> PublisherKeys:
    return PublisherKeys(
        re.search(r"publisher_id: (\S+)", output).group(1), re.search(r"signing_secret: (\S+)", output).group(1)
    )


def test_create_then_post_with_the_printed_secret(client, database):
    result = _run("publishers", "create", "--name", "Coastal Daily", "--callback-url", "https://coastal.example/hook")
    assert result.exit_code == 0
    keys = _created(result.output)
    assert post_comment(client, keys, comment()).status_code == 202
    with database.session() as session:
        stored = session.get(Publisher, keys.id)
        assert stored.name == "Coastal Daily" and stored.callback_url == "https://coastal.example/hook"


def test_create_refuses_a_non_http_callback(database):
    result = _run("publishers", "create", "--name", "X", "--callback-url", "ftp://x.example/")
    assert result.exit_code != 0 and "http" in result.output


def test_list_never_shows_secrets():
    keys = _created(_run("publishers", "create", "--name", "Listed").output)
    listed = _run("publishers", "list", "--json")
    rows = json.loads(listed.output)
    assert [row["publisher_id"] for row in rows] == [keys.id]
    assert keys.secret not in listed.output and keys.secret not in _run("publishers", "list").output


def test_rotate_secret_retires_the_old_one(client):
    keys = _created(_run("publishers", "create", "--name", "Rotating").output)
    rotated = _run("publishers", "rotate-secret", keys.id, "--now")
    new_keys = PublisherKeys(keys.id, re.search(r"signing_secret: (\S+)", rotated.output).group(1))
    assert post_comment(client, keys, comment()).status_code == 401
    assert post_comment(client, new_keys, comment()).status_code == 202


def test_set_policy_applies_overrides_and_audits(client, database):
    keys = _created(_run("publishers", "create", "--name", "Strict").output)
    result = _run(
        "publishers", "set-policy", keys.id, "--json", '{"max_length": 20, "thresholds": {"toxicity": {"reject": 0.6}}}'
    )
    assert result.exit_code == 0
    merged = json.loads(result.output)
    assert merged["max_length"] == 20 and merged["thresholds"]["toxicity"] == {"review": 0.5, "reject": 0.6}
    response = post_comment(client, keys, comment(text="a comment longer than twenty characters"))
    assert error_codes(response) == {("text", "text_too_long")}
    with database.session() as session:
        assert session.get(Publisher, keys.id).policy_version == 2
        actions = [e.action for e in session.query(AuditEvent).filter_by(publisher_id=keys.id)]
        assert actions == ["publisher_created", "policy_changed"]


def test_set_policy_rejects_unknown_keys_and_bad_values():
    keys = _created(_run("publishers", "create", "--name", "Careful").output)
    for bad in [
        '{"max_lenght": 5}',
        '{"max_length": "5"}',
        '{"thresholds": {"toxicity": {"reject": 2}}}',
        "[1]",
        "{not json",
    ]:
        result = _run("publishers", "set-policy", keys.id, "--json", bad)
        assert result.exit_code != 0, bad
    assert _run("publishers", "set-policy", "pub_nope", "--json", "{}").exit_code != 0


def test_each_command_closes_its_connections(database, monkeypatch):
    """One process may run many commands (a script, or CliRunner here): none leaves a connection open behind it."""
    import psycopg

    from tests.conftest import TEST_DATABASE_URL

    monkeypatch.setenv("PGAPPNAME", "kavalu-cli-connections")  # libpq names the commands' connections

    def open_connections() -> int:
        with psycopg.connect(TEST_DATABASE_URL, application_name="kavalu-cli-check") as connection:
            query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kavalu-cli-connections'"
            return connection.execute(query).fetchone()[0]

    for n in range(3):
        assert _run("publishers", "create", "--name", f"Paper {n}").exit_code == 0
        assert _run("publishers", "list", "--json").exit_code == 0
        assert _run("moderators", "create", "--name", f"Mod {n}", "--role", "moderator").exit_code == 0
    assert open_connections() == 0
