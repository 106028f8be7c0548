"""The Flask app factory."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import NotFound

from service.api import admin as admin_api  # noqa: F401  (adds its views to the review blueprint)
from service.api import analyze as analyze_api
from service.api import comments as comments_api
from service.api import coral as coral_api
from service.api import docs as docs_api
from service.api import feed as feed_api
from service.api import legal as legal_api  # noqa: F401  (adds its views to the review blueprint)
from service.api import openai_compat as openai_api
from service.api import ops as ops_api
from service.api import perspective as perspective_api
from service.api import review as review_api
from service.api.context import SECURITY_HEADERS, close_db_session, incoming_request_id
from service.api.intake_fast_path import IntakeFastPath
from service.config import Settings
from service.console import admin_views  # noqa: F401  (adds the admin pages to the console blueprint)
from service.console import views as console_views
from service.db import Database
from service.errors import register_error_handlers
from service.intake import ratelimit
from service.intake.schemas import ErrorBodySchema
from service.logs import configure_logging, request_id
from service.ops.metrics import INTAKE_REQUESTS
from service.strings import storable
from service.taskqueue import TaskQueue


class KavaluApi(Api):
    # Every error in the OpenAPI document has the contract's shape: {"errors": [{field, code, message}]}.
    ERROR_SCHEMA = ErrorBodySchema
    # No catch-all "default" response: each operation lists the statuses it answers, and nothing else.
    DEFAULT_ERROR_RESPONSE_NAME = None


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config.update(
        KAVALU_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        API_TITLE="Kavalu",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Self-hosted comment moderation for news publishers. See README.md and docs/api.md."
            },
        },
    )
    # Requests get a short statement timeout, and a store that timed out is skipped for db_pause_s: a frozen
    # PostgreSQL costs a request a 503 within about a second, not a gunicorn worker killed at 30 s.
    app.extensions["kavalu.db"] = Database(
        settings, statement_timeout_s=settings.api_statement_timeout_s, pause_after_timeout_s=settings.db_pause_s
    )
    app.extensions["kavalu.tasks"] = TaskQueue(settings)
    app.teardown_appcontext(close_db_session)

    ratelimit.init_app(app)
    api = KavaluApi(app)
    api.register_blueprint(comments_api.blp)
    api.register_blueprint(feed_api.blp)
    api.register_blueprint(review_api.blp)  # with the legal and admin views: one "review" tag in the OpenAPI document
    api.register_blueprint(ops_api.blp)
    # Synchronous scoring and the drop-in endpoints (Perspective, OpenAI moderation, Coral Talk).
    for blueprint in (analyze_api.blp, perspective_api.blp, openai_api.blp, coral_api.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_api.blp)  # a page, not an API operation: outside the OpenAPI document
    # The moderator console's pages: outside the OpenAPI document too.
    app.register_blueprint(console_views.blp)
    register_error_handlers(app, {"/v1alpha1/": perspective_api.http_error, "/v1/moderations": openai_api.http_error})
    app.before_request(_start_request)
    app.after_request(_finish_response)
    app.teardown_request(_forget_request_id)
    app.wsgi_app = IntakeFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


def _start_request() -> None:
    request_id.set(incoming_request_id(request.headers.get("X-Request-ID", "")))
    if not storable(request.path):  # "%00" in an id: no row has it, and PostgreSQL refuses to look
        raise NotFound()


def _finish_response(response):
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    response.headers["X-Request-ID"] = request_id.get() or ""
    if request.endpoint == "comments.submit_comment" and request.method == "POST":  # not an OPTIONS
        INTAKE_REQUESTS.labels(status=str(response.status_code)).inc()
    return response


def _forget_request_id(_error: BaseException | None) -> None:
    request_id.set(None)
