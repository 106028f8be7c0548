"""Liveness, readiness, Prometheus metrics and the admin queue view."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy import text

from service.api.context import database, db_session, settings, task_queue
from service.api.moderator_auth import BEARER_DOC, authenticate_moderator
from service.errors import ApiError
from service.intake.schemas import ErrorBodySchema
from service.migrate import Schema, head_revision
from service.ops.heartbeats import fresh_other_workers, fresh_scoring_processes, last_sweep_age
from service.ops.metrics import render_metrics
from service.ops.overview import decision_latency, queue_overview
from service.publishers.accounts import check_sealing_keys
from service.sealing import SealingError

blp = Blueprint("ops", __name__, description="Health, readiness, metrics and queues")

_JSON_OBJECT = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}


@blp.route("/healthz", methods=["GET"])
@blp.doc(operationId="healthz", summary="200 while the process is alive", responses={"200": _JSON_OBJECT})
def healthz():
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.doc(
    operationId="readyz",
    summary="200 only when the database and the broker answer, the database's schema is at this version's"
    " revision (neither behind nor migrated by a newer version), this process's sealing keys open the publishers'"
    " signing secrets, a scoring process has its models loaded and is not stalled (it finished a task within"
    " KAVALU_SCORING_STALL_S, or no comment has waited that long), and the periodic sweep ran within four sweep"
    " intervals; JSON detail either way. With ?scope=process,"
    " only what this process needs to take comments (the database, a schema not behind this version, and the"
    " sealing keys): intake goes on accepting while the broker or the workers are away, or while a newer version"
    " rolls out, so a load balancer's readiness probe should not wait for them",
    parameters=[
        {
            "in": "query",
            "name": "scope",
            "required": False,
            "schema": {"type": "string", "enum": ["process"]},
            "description": "process: check only this process's own dependencies",
        }
    ],
    responses={
        "200": _JSON_OBJECT,
        "400": {
            "description": "scope is neither process nor absent (invalid_scope)",
            "content": {"application/json": {"schema": ErrorBodySchema}},
        },
        "503": {**_JSON_OBJECT, "description": "A check failed; see checks"},
    },
)
def readyz():
    scope = request.args.get("scope")
    if scope not in (None, "process"):
        raise ApiError.single(400, "invalid_scope", "scope is process, or absent for every check.", field="scope")
    whole_service = scope is None
    checks = {}
    try:
        max_age = settings().heartbeat_max_age_s
        with database().sessionmaker() as session:
            # The one query that shows the database answers, and whether its schema is this code's.
            schema = Schema.of(session.execute(text("SELECT version_num FROM alembic_version")).scalar())
            # A pod of the old version keeps taking comments on a store that the new version's migration job has
            # just moved ahead (most migrations only add): leaving the Service then would stop intake until the
            # new pods are up. The whole service is not ready in a mixed state (the KavaluNotReady alert).
            ok = schema.current or (schema.ahead and not whole_service)
            checks["schema"] = {"ok": ok, "revision": schema.revision, "expected": schema.expected}
            # Only the processes that score count: a worker's main process is up while its pool cannot score.
            # ...and among those, only the ones that still finish tasks while comments wait (not stalled).
            scoring = fresh_scoring_processes(session, max_age, settings().scoring_stall_s)
            others = fresh_other_workers(session, max_age)
            sweep_age = last_sweep_age(session)
            try:
                check_sealing_keys(session)
                checks["signing_secrets"] = {"ok": True}
            except SealingError as error:
                checks["signing_secrets"] = {"ok": False, "error": str(error)}
        checks["database"] = {"ok": True}
        if whole_service:
            checks["workers"] = {
                "ok": scoring > 0,
                "scoring_processes_ready": scoring,
                "other_workers_alive": others,
                "heartbeat_max_age_seconds": max_age,
                "scoring_stall_seconds": settings().scoring_stall_s,
            }
            # Beat schedules the sweeps and the callback retries; none recorded yet (a new store) is not a failure.
            sweep_max_age = settings().sweep_max_age_s
            checks["sweeper"] = {
                "ok": sweep_age is None or sweep_age <= sweep_max_age,
                "last_run_age_seconds": None if sweep_age is None else round(sweep_age, 1),
                "max_age_seconds": sweep_max_age,
            }
    except Exception as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
        checks["signing_secrets"] = {"ok": False, "error": "database unavailable"}
        checks["schema"] = {"ok": False, "expected": head_revision(), "error": "database unavailable"}
        if whole_service:
            checks["workers"] = {"ok": False, "error": "database unavailable"}
            checks["sweeper"] = {"ok": False, "error": "database unavailable"}
    if whole_service:
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


@blp.route("/metrics", methods=["GET"])
@blp.doc(
    operationId="metrics",
    summary="Prometheus text format",
    responses={"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics():
    body = render_metrics(settings(), database().sessionmaker)
    return Response(body, mimetype="text/plain; version=0.0.4")


@blp.route("/v1/ops/queues", methods=["GET"])
@blp.doc(
    operationId="opsQueues",
    summary="Admin token. Queue depth and oldest message age, backlog, workers online and active tasks, and the "
    "last hour's decision latency",
    responses={"200": _JSON_OBJECT},
    **BEARER_DOC,
)
@blp.alt_response(401, schema=ErrorBodySchema, description="Missing, invalid or revoked token (invalid_token)")
@blp.alt_response(403, schema=ErrorBodySchema, description="Not the admin role (forbidden)")
@blp.alt_response(503, schema=ErrorBodySchema, description="Store unavailable; see Retry-After")
def queues():
    """Queue figures for admins: broker depth and age, backlog, the workers Celery's inspect API sees, and the
    latency of the last hour's automatic decisions."""
    authenticate_moderator(db_session(), roles=("admin",))
    figures = queue_overview(db_session(), settings(), task_queue().celery)
    return {**figures, "decision_latency": decision_latency(db_session())}
