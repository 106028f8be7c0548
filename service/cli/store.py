"""`kavalu db ...`: the results store."""

from __future__ import annotations

import click

from service.config import Settings
from service.migrate import upgrade


@click.group("db")
def db_group() -> None:
    """The results store."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Run the Alembic migrations up to the latest revision."""
    upgrade(Settings.from_env())
    click.echo("database is up to date")
