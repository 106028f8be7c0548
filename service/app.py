"""The Flask app factory."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from service.api import comments as comments_api
from service.api import feed as feed_api
from service.api import ops as ops_api
from service.api import review as review_api
from service.api.context import close_db_session
from service.config import Settings
from service.db import Database
from service.errors import register_error_handlers
from service.taskqueue import TaskQueue


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
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
            "info": {"description": "Self-hosted comment moderation for news publishers. See README and CONTRACT."},
        },
    )
    app.extensions["kavalu.db"] = Database(settings)
    app.extensions["kavalu.tasks"] = TaskQueue(settings)
    app.teardown_appcontext(close_db_session)

    api = Api(app)
    api.register_blueprint(comments_api.blp)
    api.register_blueprint(feed_api.blp)
    api.register_blueprint(review_api.blp)
    app.register_blueprint(ops_api.blp)
    register_error_handlers(app)
    return app
