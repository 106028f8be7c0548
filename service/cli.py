"""The `kavalu` command line: service-side commands (no torch imports here)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import click

from service import publishers
from service.config import CONFIG_DIR, Settings
from service.db import Database
from service.migrate import upgrade


def _settings() -> Settings:
    return Settings.from_env()


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group()
def cli() -> None:
    """Kavalu: self-hosted comment moderation for news publishers."""


@cli.group("db")
def db_group() -> None:
    """The results store."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Run the Alembic migrations up to the latest revision."""
    upgrade(_settings())
    click.echo("database is up to date")


@cli.group("publishers")
def publishers_group() -> None:
    """Publishers that post comments to Kavalu."""


@publishers_group.command("create")
@click.option("--name", required=True)
@click.option("--callback-url", default=None, help="Where decisions are POSTed (http or https).")
def publishers_create(name: str, callback_url: str | None) -> None:
    """Create a publisher; prints its id and signing secret (shown once)."""
    database = Database(_settings())
    try:
        with database.session() as session:
            publisher, secret = publishers.create(session, name, callback_url)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(f"publisher_id: {publisher.id}")
    click.echo(f"signing_secret: {secret}")
    click.echo("Keep the secret safe: it is not shown again.", err=True)


@publishers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def publishers_list(as_json: bool) -> None:
    """List publishers (never their secrets)."""
    with Database(_settings()).session() as session:
        rows = [
            {"publisher_id": p.id, "name": p.name, "callback_url": p.callback_url,
             "policy_version": p.policy_version, "policy_overrides": p.policy_overrides}
            for p in publishers.list_all(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['publisher_id']}  {row['name']}  callback={row['callback_url'] or '-'}  policy=v{row['policy_version']}")


@publishers_group.command("rotate-secret")
@click.argument("publisher_id")
def publishers_rotate_secret(publisher_id: str) -> None:
    """Issue a new signing secret; the old one stops working at once."""
    try:
        with Database(_settings()).session() as session:
            secret = publishers.rotate_secret(session, publisher_id)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(f"signing_secret: {secret}")


@publishers_group.command("set-policy")
@click.argument("publisher_id")
@click.option("--file", "policy_file", type=click.File("r"), help="JSON file of policy overrides ('-' for stdin).")
@click.option("--json", "policy_json", help="Policy overrides as a JSON string.")
def publishers_set_policy(publisher_id: str, policy_file, policy_json: str | None) -> None:
    """Replace the publisher's policy overrides (see config/policy.default.json for the keys)."""
    if bool(policy_file) == bool(policy_json):
        _fail("give exactly one of --file or --json")
    try:
        overrides = json.loads(policy_file.read() if policy_file else policy_json)
    except ValueError as error:
        _fail(f"policy is not valid JSON: {error}")
    settings = _settings()
    try:
        with Database(settings).session() as session:
            policy = publishers.set_policy(session, publisher_id, overrides, settings.default_policy)
    except publishers.PublisherError as error:
        _fail(str(error))
    click.echo(json.dumps(policy, indent=2))


@cli.command("run")
@click.option("--host", default=None, help="Default: KAVALU_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Default: KAVALU_PORT or 8000.")
def run(host: str | None, port: int | None) -> None:
    """Run the API, a Celery worker and beat on this machine.

    With no DATABASE_URL/BROKER_URL this is the embedded default: SQLite and a
    filesystem broker under KAVALU_DATA_DIR (./var), no external servers.
    """
    settings = _settings()
    host, port = host or settings.host, port or settings.port
    upgrade(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Every process writes its metrics here and /metrics merges them.
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--loglevel", "INFO"]
    scoring = subprocess.Popen(celery + [
        "--queues", "scoring", "--concurrency", "1", "--hostname", "scoring@%h",
        "--beat", "--schedule", str(settings.data_dir / "celerybeat-schedule"),
    ], env=env)
    # Deliveries get their own worker, so a slow publisher endpoint never holds up scoring.
    deliveries = subprocess.Popen(celery + [
        "--queues", "deliveries", "--concurrency", "2", "--hostname", "deliveries@%h",
    ], env={**env, "KAVALU_PRELOAD_MODELS": "false"})
    api = subprocess.Popen([
        sys.executable, "-m", "gunicorn", "--config", str(CONFIG_DIR / "gunicorn.conf.py"),
        "--bind", f"{host}:{port}", "service.wsgi:app",
    ], env=env)
    mode = "embedded (SQLite + filesystem broker in " + str(settings.data_dir) + ")" if settings.embedded else "external services"
    click.echo(f"Kavalu is running on http://{host}:{port}  [{mode}]")
    click.echo("Create a publisher in another shell:  .venv/bin/kavalu publishers create --name 'My paper' --callback-url https://example.org/hook")
    click.echo("Press Ctrl-C to stop.")

    children = [api, scoring, deliveries]
    signalled = []

    def _terminate_children() -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    def _on_signal(*_) -> None:
        signalled.append(True)
        _terminate_children()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        _terminate_children()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    if not signalled:
        sys.exit(1)  # a child died on its own


def _register_groups() -> None:
    from service import cli_deliveries, cli_moderation

    for group in cli_moderation.GROUPS + cli_deliveries.GROUPS:
        cli.add_command(group)


_register_groups()
