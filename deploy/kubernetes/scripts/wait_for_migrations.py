"""Init container of every Kavalu Deployment: wait until the `kavalu-migrate` Job has brought the schema to the
latest revision, so that the API, the workers and beat never run against an older schema (compose's
`service_completed_successfully`). It only reads the revision table; it never migrates."""

import time

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from service.config import Settings
from service.migrate import alembic_config

settings = Settings.from_env()
scripts = ScriptDirectory.from_config(alembic_config(settings))
heads = set(scripts.get_heads())
known = {revision.revision for revision in scripts.walk_revisions()}
engine = create_engine(settings.database_url, pool_pre_ping=True)
while True:
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        if current == heads:
            print("schema at", *sorted(heads), flush=True)
            break
        if current - known:  # a rolled-back image on a store that a newer image migrated: waiting will not help
            print(
                "schema at",
                sorted(current),
                "which this version does not know: a newer Kavalu migrated it;"
                " roll forward, or run `kavalu db downgrade",
                *sorted(heads),
                "--yes` with the newer image",
                flush=True,
            )
        else:
            print("waiting for `kavalu db upgrade`: schema at", sorted(current), "wanted", sorted(heads), flush=True)
    except Exception as error:  # the database may not be reachable yet
        print("waiting for the database:", type(error).__name__, flush=True)
    time.sleep(5)
