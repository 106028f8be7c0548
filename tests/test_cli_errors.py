"""The `kavalu` command explains itself: one `error: ...` line for every expected failure, never a traceback
(unless --debug), a version, an embedded store that migrates itself, one data folder per installation,
and progress bars only for a terminal. Each case runs the real command in a subprocess."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios
import uuid
from importlib.metadata import version
from pathlib import Path

import psycopg
import pytest
from platformdirs import user_data_path
from sqlalchemy import select

from service.config import Settings
from service.migrate import RUN_LOCK, downgrade, head_revision, is_up_to_date, store_schema, upgrade
from service.models import AuditEvent, Publisher
from tests.conftest import BASE_DATABASE_URL
from tests.processes import REPO_ROOT, free_port

KAVALU = str(Path(sys.executable).with_name("kavalu"))
UNREACHABLE_PASSWORD = "not-4-the-logs"


def kavalu(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120):
    return subprocess.run(
        [KAVALU, *args],
        check=False,
        env=env or dict(os.environ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def embedded_env(data_dir: Path | None = None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")}
    env.pop("KAVALU_DATA_DIR", None)
    if data_dir is not None:
        env["KAVALU_DATA_DIR"] = str(data_dir)
    return {**env, **extra}


def with_database(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url}


def the_one_error(result: subprocess.CompletedProcess, exit_code: int) -> str:
    assert result.returncode == exit_code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def test_version_is_the_installed_distributions():
    result = kavalu("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kavalu {version('kavalu')}"


# -- the store ------------------------------------------------------------------------------------


def test_a_fresh_embedded_store_migrates_itself_once(tmp_path):
    env = embedded_env(tmp_path / "data")
    created = kavalu("publishers", "create", "--name", "Fresh Daily", env=env)
    assert created.returncode == 0, created.stderr
    assert "migrated the embedded store" in created.stderr
    publisher_id = re.search(r"publisher_id: (\S+)", created.stdout).group(1)
    store = tmp_path / "data" / "kavalu.sqlite3"
    assert store.is_file()
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT name FROM publishers WHERE id = ?", (publisher_id,)).fetchone() == ("Fresh Daily",)

    listed = kavalu("publishers", "list", env=env)
    assert listed.returncode == 0 and publisher_id in listed.stdout
    assert "migrated" not in listed.stderr  # up to date: not migrated again


def test_an_embedded_store_left_behind_by_an_older_version_is_upgraded(tmp_path):
    settings = Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)})
    upgrade(settings, "0001")
    assert not is_up_to_date(settings)
    result = kavalu("moderators", "list", env=embedded_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert is_up_to_date(settings)


def _set_revision(store: Path | str, revision: str) -> None:
    """What a newer Kavalu leaves: a revision this version does not know."""
    with sqlite3.connect(store) as db:
        db.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_an_embedded_store_behind_is_not_migrated_under_kavalu_run_and_is_copied_first(tmp_path):
    """A command migrated the store under a running `kavalu run` of the older version, and kept no copy."""
    settings = Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)})
    upgrade(settings)
    downgrade(settings, "0011")
    env = embedded_env(tmp_path)
    with open(tmp_path / RUN_LOCK, "a") as held:  # as `kavalu run` holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        line = the_one_error(kavalu("publishers", "list", env=env), 1)
        assert "is at revision 0011" in line and "stop `kavalu run`, then run this command again" in line
        assert store_schema(settings).revision == "0011"
        assert "stop `kavalu run`" in the_one_error(kavalu("db", "upgrade", env=env), 1)
        assert "stop it first" in the_one_error(kavalu("run", env=env), 1)  # a second `kavalu run` too

    result = kavalu("publishers", "list", env=env)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / f"kavalu.sqlite3.before-{head_revision()}"
    assert result.stderr.strip() == (
        f"migrated the embedded store {tmp_path / 'kavalu.sqlite3'} from revision 0011 to {head_revision()};"
        f" the store as it was is in {copy}"
    )
    assert is_up_to_date(settings)
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0011",)]


def test_a_store_migrated_by_a_newer_kavalu_is_one_line_naming_the_downgrade(tmp_path):
    """It was Alembic's `Can't locate revision identified by '0099'`, with no hint of what to do."""
    upgrade(Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)}))
    _set_revision(tmp_path / "kavalu.sqlite3", "0099")
    for command in (("publishers", "list"), ("db", "upgrade"), ("run",)):
        line = the_one_error(kavalu(*command, env=embedded_env(tmp_path)), 1)
        assert "is at revision 0099" in line and "a newer Kavalu migrated it" in line, command
        assert f"`kavalu db downgrade {head_revision()}`" in line and "Can't locate" not in line


def test_db_downgrade_asks_for_yes_and_db_current_tells_the_revision(tmp_path):
    settings = Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)})
    upgrade(settings)
    env = embedded_env(tmp_path)
    line = the_one_error(kavalu("db", "downgrade", "0011", env=env), 1)
    assert "--yes" in line and "back it up" in line
    assert is_up_to_date(settings)

    done = kavalu("db", "downgrade", "0011", "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert store_schema(settings).revision == "0011"
    assert (tmp_path / "kavalu.sqlite3.before-downgrade-0011").is_file()
    current = kavalu("db", "current", env=env)
    assert current.stdout.splitlines() == [
        "revision: 0011",
        f"expected: {head_revision()}",
        "behind: run `kavalu db upgrade`",
    ]
    assert kavalu("db", "upgrade", env=env).returncode == 0
    assert kavalu("db", "current", env=env).stdout.splitlines()[-1] == "up to date"


@pytest.fixture
def scratch_postgresql():
    name = f"kavalu_scratch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield BASE_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.db
def test_run_does_not_migrate_postgresql_and_refuses_a_schema_not_its_own(scratch_postgresql, tmp_path):
    """`kavalu run` migrated PostgreSQL silently, although only `kavalu db upgrade` is meant to."""
    settings = Settings.from_env({"DATABASE_URL": scratch_postgresql, "KAVALU_DATA_DIR": str(tmp_path)})
    upgrade(settings, "0011")
    env = {**with_database(scratch_postgresql), "KAVALU_DATA_DIR": str(tmp_path), "KAVALU_PORT": str(free_port())}
    result = kavalu("run", env=env, timeout=60)
    assert result.stdout.splitlines() == [f"data: {tmp_path}"]
    line = the_one_error(result, 1)
    assert "is at revision 0011" in line and "run `kavalu db upgrade` first" in line
    assert store_schema(settings).revision == "0011"

    upgrade(settings)
    with psycopg.connect(scratch_postgresql, autocommit=True) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    line = the_one_error(kavalu("run", env=env, timeout=60), 1)
    assert "a newer Kavalu migrated it" in line


def test_help_of_a_store_command_creates_no_store(tmp_path):
    result = kavalu("publishers", "create", "--help", env=embedded_env(tmp_path / "data"))
    assert result.returncode == 0
    assert not (tmp_path / "data").exists()


@pytest.mark.db
def test_postgresql_is_never_migrated_implicitly():
    name = f"kavalu_unmigrated_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = BASE_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    try:
        line = the_one_error(kavalu("publishers", "list", env=with_database(url)), 1)
        assert "run `kavalu db upgrade`" in line
        with psycopg.connect(url) as connection:
            tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert tables == []
    finally:
        with psycopg.connect(BASE_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    "host, reason",
    [("127.0.0.1:{port}", "Connection refused"), ("no-such-host.invalid", "no-such-host.invalid")],
)
@pytest.mark.parametrize("command", [("publishers", "list"), ("db", "upgrade")])
def test_an_unreachable_database_is_one_line_naming_database_url(host, reason, command):
    url = f"postgresql://kavalu:{UNREACHABLE_PASSWORD}@{host.format(port=free_port())}/kavalu"
    line = the_one_error(kavalu(*command, env=with_database(url)), 1)
    assert "cannot connect to the database" in line and reason in line and "check DATABASE_URL" in line
    assert UNREACHABLE_PASSWORD not in line


def test_debug_shows_the_traceback():
    url = f"postgresql://kavalu@127.0.0.1:{free_port()}/kavalu"
    result = kavalu("--debug", "publishers", "list", env=with_database(url))
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "OperationalError" in result.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("publishers", "set-policy", "pub_nope", "--json", "{}"), "no publisher pub_nope"),
        (("moderators", "revoke", "mod_nope"), "no moderator mod_nope"),
        (("deliveries", "redeliver", "evt_nope"), "evt_nope"),
        (("authors", "revoke", "987654"), "rule"),
    ],
)
def test_an_unknown_id_is_one_line(database, args, fragment):
    line = the_one_error(kavalu(*args), 1)
    assert fragment in line.lower()


def test_a_usage_error_is_one_line_with_exit_status_2(tmp_path):
    upgrade(Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)}))  # else the first line says it was migrated
    line = the_one_error(kavalu("publishers", "create", env=embedded_env(tmp_path)), 2)
    assert "--name" in line and "kavalu publishers create --help" in line


# -- eval and models ------------------------------------------------------------------------------


def eval_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "eval.csv"
    path.write_text(text)
    return path


KEYWORD_SCORER = "tests.test_evaluation:KeywordScorer"
GOOD_CSV = "text,label,source\nyou idiot,1,forum\nthanks for the article,0,forum\n"


@pytest.mark.parametrize(
    "csv_text, scorer, exit_code, fragment",
    [
        (None, KEYWORD_SCORER, 2, "does not exist"),
        ("comment,label\nhello,0\n", KEYWORD_SCORER, 1, "missing column(s) ['text']"),
        ("text,label\nhello,0\nbye,maybe\n", KEYWORD_SCORER, 1, "line 3: label must be 0 or 1, got 'maybe'"),
        (GOOD_CSV, "no-such-scorer", 2, "unknown abuse scorer 'no-such-scorer'"),
        (GOOD_CSV, "no_such_module:Scorer", 2, "cannot import scorer"),
    ],
)
def test_eval_input_errors_are_one_line(tmp_path, csv_text, scorer, exit_code, fragment):
    path = eval_csv(tmp_path, csv_text) if csv_text else tmp_path / "missing.csv"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    line = the_one_error(kavalu("eval", "abuse", str(path), "--scorer", scorer, env=env, cwd=tmp_path), exit_code)
    assert fragment in line


def test_models_pull_without_network_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/toxic_original.ckpt"
    result = kavalu("models", "pull", "original", "--dest", str(tmp_path / "models"), "--checkpoint-url", url)
    line = the_one_error(result, 1)
    assert f"cannot download {url}" in line and "--base-url" in line
    assert not list((tmp_path / "models").rglob("*.part"))


# -- data folder ----------------------------------------------------------------------------------


def test_the_data_folder_defaults_to_one_per_installation_not_the_working_directory(tmp_path):
    assert Settings.from_env({}).data_dir == user_data_path("kavalu").resolve()
    env = embedded_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    created = kavalu("publishers", "create", "--name", "Anywhere", env=env, cwd=tmp_path / "here")
    assert created.returncode == 0, created.stderr
    listed = kavalu("publishers", "list", env=env, cwd=tmp_path / "there")
    assert "Anywhere" in listed.stdout
    assert (tmp_path / "xdg" / "kavalu" / "kavalu.sqlite3").is_file()
    assert not (tmp_path / "here" / "var").exists() and not (tmp_path / "there" / "var").exists()


def test_run_says_where_its_data_is_before_anything_else(tmp_path):
    env = {
        **embedded_env(XDG_DATA_HOME=str(tmp_path / "xdg")),
        "DATABASE_URL": f"postgresql://k@127.0.0.1:{free_port()}/k",
    }
    result = kavalu("run", env=env, cwd=tmp_path)
    assert result.stdout.splitlines()[0] == f"data: {tmp_path / 'xdg' / 'kavalu'}"
    assert "cannot connect to the database" in the_one_error(result, 1)


# -- progress -------------------------------------------------------------------------------------


def test_eval_shows_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = kavalu("eval", "abuse", str(eval_csv(tmp_path, GOOD_CSV)), "--scorer", KEYWORD_SCORER, env=env)
    assert result.returncode == 0, result.stderr
    assert "macro-AUC" in result.stdout
    assert result.stderr == ""


def test_eval_shows_a_progress_bar_on_a_terminal(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    process = subprocess.Popen(
        [KAVALU, "eval", "abuse", str(eval_csv(tmp_path, GOOD_CSV)), "--scorer", KEYWORD_SCORER],
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    )
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "macro-AUC" in stdout
    assert b"100%" in terminal and b"1/1" in terminal and b"batch" in terminal


def test_a_setting_kavalu_cannot_parse_is_one_line(tmp_path):
    line = the_one_error(kavalu("publishers", "list", env=embedded_env(tmp_path, KAVALU_PORT="abc")), 1)
    assert "KAVALU_PORT='abc'" in line


@pytest.mark.parametrize(
    "args, exit_code, fragment",
    [
        (("authors", "revoke", "99999999999999999999999"), 2, "RULE_ID"),
        (("authors", "ban", "--email", "q@example.org", "--actor", "a" * 300), 2, "--actor"),
        (("publishers", "create", "--name", "n" * 300), 1, "name is required: 1 to 200 characters"),
        (("publishers", "create", "--name", "P", "--callback-url", "http://localhost:99999/x"), 1, "port"),
        (("publishers", "create", "--name", "P", "--callback-url", "https://exa mple.org/h"), 1, "with a host"),
        (("publishers", "create", "--name", "P", "--callback-url", "https://a.example/" + "x" * 2001), 1, "2000"),
        (("feedback", "export", "--out", "/proc/kavalu-feedback.csv"), 1, "/proc/kavalu-feedback.csv"),
        (("run", "--port", "-1"), 2, "--port"),
    ],
)
def test_values_the_store_or_the_system_would_refuse_are_one_line(tmp_path, args, exit_code, fragment):
    """Each was a traceback on PostgreSQL (a value past its column, an id past bigint), or accepted to fail later
    (a port out of range, a host with a space), or an error naming a temporary file instead of the path given."""
    upgrade(Settings.from_env({"KAVALU_DATA_DIR": str(tmp_path)}))
    line = the_one_error(kavalu(*args, env=embedded_env(tmp_path)), exit_code)
    assert fragment in line
    assert ".kavalu-feedback.csv." not in line


def test_a_value_the_store_refuses_is_explained_by_its_reason_alone(database):
    """The backstop for any value a check missed: PostgreSQL's reason, never the statement's parameters."""
    from sqlalchemy import text
    from sqlalchemy.exc import DataError

    from service.cli.main import explain

    with pytest.raises(DataError) as raised, database.session() as session:
        session.execute(text("INSERT INTO publishers (id, name) VALUES (:id, 'x')"), {"id": "pub_" + "7" * 60})
    message = explain(raised.value, database.settings.database_url)
    assert message is not None and "refused a value: value too long" in message and "7" * 60 not in message


def test_configuration_kavalu_cannot_use_is_one_line(tmp_path):
    bad_policy = tmp_path / "policy.json"
    bad_policy.write_text("{")
    for env, fragment in (
        ({"DATABASE_URL": "bogus"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"DATABASE_URL": "mysql://x@localhost/db"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"KAVALU_DEFAULT_POLICY": str(bad_policy)}, "not a readable JSON file"),
    ):
        line = the_one_error(kavalu("db", "upgrade", env=embedded_env(tmp_path, **env)), 1)
        assert fragment in line, env


def test_a_policy_file_that_is_not_utf8_and_an_empty_grace_are_refused(database, publisher, tmp_path):
    latin1 = tmp_path / "policy.json"
    latin1.write_bytes(b'\xff\xfe{"blocked_terms": ["caf\xe9"]}')
    assert "not UTF-8" in the_one_error(kavalu("publishers", "set-policy", publisher.id, "--file", str(latin1)), 1)
    assert "grace must be" in the_one_error(kavalu("publishers", "rotate-secret", publisher.id, "--grace", ""), 1)


def test_a_group_alone_shows_its_help_and_touches_no_store(tmp_path):
    result = kavalu("authors", env=embedded_env(tmp_path / "data"))
    assert "Usage: kavalu authors" in result.stdout + result.stderr and "error:" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_password_or_a_token_in_a_callback_url_is_not_shown_nor_audited(database):
    url = "https://hook:s3cret@a.example/h?token=t0ken&site=coastal"
    created = kavalu("publishers", "create", "--name", "P", "--callback-url", url)
    assert created.returncode == 0, created.stderr
    listed = kavalu("publishers", "list")
    assert "https://hook:***@a.example/h?token=***&site=***" in listed.stdout
    assert "s3cret" not in listed.stdout and "t0ken" not in listed.stdout
    with database.session() as session:
        audited = session.scalars(select(AuditEvent.after).where(AuditEvent.action == "publisher_created")).all()
        assert [after["callback_url"] for after in audited] == ["https://hook:***@a.example/h?token=***&site=***"]
        assert session.scalars(select(Publisher.callback_url)).all() == [url]  # the deliveries still use it whole
