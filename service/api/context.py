"""Per-request access to the app's database, task queue and settings."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from service.config import Settings
from service.db import Database
from service.taskqueue import TaskQueue


def settings() -> Settings:
    return current_app.config["KAVALU_SETTINGS"]


def database() -> Database:
    return current_app.extensions["kavalu.db"]


def task_queue() -> TaskQueue:
    return current_app.extensions["kavalu.tasks"]


def default_policy() -> dict:
    return settings().default_policy


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def close_db_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
