"""Per-request access to the app's database, task queue and settings, and what every answer carries."""

from __future__ import annotations

import uuid

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


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def incoming_request_id(header: str) -> str:
    """The caller's X-Request-ID if it is a sane one, else a new id."""
    return header if 0 < len(header) <= 64 and header.isprintable() else uuid.uuid4().hex
