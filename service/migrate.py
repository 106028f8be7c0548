"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import make_url

from service.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["settings"] = settings  # for migrations that need more than the store (0010: sealing keys)
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def is_up_to_date(settings: Settings) -> bool:
    """Whether the store is at the latest revision (connects, changes nothing)."""
    heads = set(ScriptDirectory.from_config(alembic_config(settings)).get_heads())
    engine = create_engine(settings.database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def upgrade_embedded_store(settings: Settings) -> bool:
    """Migrate the embedded store (SQLite, no DATABASE_URL) when its file is missing or behind; True if it was.

    PostgreSQL is never migrated implicitly: an operator runs `kavalu db upgrade` on purpose.
    """
    if not settings.embedded:
        return False
    store = make_url(settings.database_url).database
    if store and Path(store).is_file() and is_up_to_date(settings):
        return False
    upgrade(settings)
    return True
