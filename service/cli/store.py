"""`kavalu db ...`: the results store."""

from __future__ import annotations

import click

from service.config import Settings
from service.migrate import (
    MigrationRefused,
    copy_sqlite_store,
    describe_store,
    downgrade,
    lock_data_dir,
    refuse_if_ahead,
    sqlite_path,
    store_schema,
    upgrade,
    upgrade_embedded_store,
)


@click.group("db")
def db_group() -> None:
    """The results store."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Run the Alembic migrations up to the latest revision."""
    settings = Settings.from_env()
    if settings.embedded:  # as any command does: not under `kavalu run`, and after a copy
        done = upgrade_embedded_store(settings)
        if done:
            click.echo(done, err=True)
    else:
        upgrade(settings)
    click.echo("database is up to date")


@db_group.command("current")
def db_current() -> None:
    """Show the store's revision and the one this version of Kavalu needs."""
    schema = store_schema(Settings.from_env())
    if schema.current:
        state = "up to date"
    elif schema.ahead:
        state = "migrated by a newer Kavalu"
    else:
        state = "behind: run `kavalu db upgrade`"
    click.echo(f"revision: {schema.revision or 'none'}\nexpected: {schema.expected}\n{state}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Go ahead: the columns and tables of later revisions are dropped, data too.")
def db_downgrade(revision: str, yes: bool) -> None:
    """Migrate the store back to REVISION (e.g. the previous version's head), to run that version again.

    Run it with the version that migrated the store (the newer one), after a backup and with Kavalu stopped.
    The embedded store is copied first, to kavalu.sqlite3.before-downgrade-REVISION.
    """
    settings = Settings.from_env()
    schema = store_schema(settings)
    refuse_if_ahead(settings, schema)
    if schema.revision == revision:
        click.echo(f"{describe_store(settings)} is already at revision {revision}")
        return
    if not yes:
        raise click.ClickException(
            f"downgrading {describe_store(settings)} from revision {schema.revision} to {revision} drops what the"
            " later revisions added, data too: back it up, stop Kavalu, then run this again with --yes"
        )
    lock = lock_data_dir(settings) if settings.embedded else None
    if settings.embedded and lock is None:
        raise MigrationRefused(f"`kavalu run` is serving {describe_store(settings)}: stop it, then run this again")
    try:
        if settings.embedded:
            copy = copy_sqlite_store(sqlite_path(settings), f"before-downgrade-{revision}")
            click.echo(f"the store as it was is in {copy}", err=True)
        downgrade(settings, revision)
    finally:
        if lock is not None:
            lock.close()
    click.echo(f"{describe_store(settings)} is at revision {revision}")
