"""The PostgreSQL schema the migrations build: the indexes the models declare, and none that another covers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

import service.models  # noqa: F401  (registers every table on Base.metadata)
from service.db import Base


@pytest.fixture
def schema(settings, migrated_database):
    engine = create_engine(settings.database_url)
    try:
        yield inspect(engine)
    finally:
        engine.dispose()


def _indexes(schema) -> dict[tuple[str, str], dict]:
    """Every index of the migrated schema by (table, name), less those that only back a unique constraint."""
    return {
        (table, index["name"]): index
        for table in schema.get_table_names()
        if table != "alembic_version"
        for index in schema.get_indexes(table)
        if "duplicates_constraint" not in index
    }


def test_the_migrations_build_the_indexes_the_models_declare(schema):
    declared = {(table.name, index.name) for table in Base.metadata.tables.values() for index in table.indexes}
    assert set(_indexes(schema)) == declared


def test_no_index_is_a_leading_part_of_another_on_the_same_table(schema):
    """An index on (a) beside one on (a, b) costs an insertion on every write and serves nothing the other does
    not (migration 0009 dropped two)."""
    columns_by_table: dict[str, list[tuple[str, tuple, bool]]] = {}
    for table in schema.get_table_names():
        for index in schema.get_indexes(table):  # unique constraints' indexes too: they serve look-ups as well
            if None not in index["column_names"]:  # an expression index: compared by nothing here
                columns_by_table.setdefault(table, []).append(
                    (index["name"], tuple(index["column_names"]), index["unique"])
                )
    covered = [
        (table, name, other)
        for table, indexes in columns_by_table.items()
        for name, columns, unique in indexes
        for other, wider, _ in indexes
        if not unique and len(columns) < len(wider) and wider[: len(columns)] == columns
    ]
    assert covered == []
