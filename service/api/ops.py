"""Liveness and readiness."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from service.api.context import database, task_queue

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    return {"status": "ok"}


@blp.get("/readyz")
def readyz():
    checks = {}
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
    try:
        with task_queue().celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
        checks["broker"] = {"ok": True}
    except Exception as error:
        checks["broker"] = {"ok": False, "error": type(error).__name__}
    ready = all(check["ok"] for check in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response
