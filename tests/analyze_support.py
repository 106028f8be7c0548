"""A running Kavalu for the drop-in endpoint tests: a real HTTP server (werkzeug, in a thread) over the app, and a
real Celery worker with the shipped model consuming the `analyze` (and `scoring`) queues of this slot's
isolated Redis DB. Real clients (googleapiclient, openai, plain HTTP for Coral) talk to it over TCP."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
import redis
from werkzeug.serving import WSGIRequestHandler, make_server

from service.apikeys import keys
from service.config import Settings
from tests.conftest import ISOLATED_BROKER
from tests.helpers import limiter_state_kept
from tests.processes import start_celery_worker, stop_process


class _QuietHandler(WSGIRequestHandler):
    """No request log: a Perspective client puts its key in the query string (gunicorn keeps no access log)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class RunningKavalu:
    base_url: str
    app: object
    settings: Settings
    worker_log: object


def create_key(database, publisher_id: str, scope: str, store_text: bool = True) -> str:
    with database.session() as session:
        _, key = keys.create(session, publisher_id, scope, store_text=store_text)
    return key


@pytest.fixture(scope="module", name="running_kavalu")
def running_kavalu_fixture(migrated_database, tmp_path_factory):
    from service.app import create_app

    redis.Redis.from_url(ISOLATED_BROKER).flushdb()
    env = {**os.environ, "BROKER_URL": ISOLATED_BROKER, "KAVALU_ANALYZE_TIMEOUT_S": "30"}
    worker_log = tmp_path_factory.mktemp("analyze") / "worker.log"
    worker = start_celery_worker(env, worker_log, queues="analyze,scoring")
    try:
        with limiter_state_kept():
            settings = Settings.from_env(env)
            app = create_app(settings)
            server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=_QuietHandler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                yield RunningKavalu(f"http://127.0.0.1:{server.server_port}", app, settings, worker_log)
            finally:
                server.shutdown()
                thread.join(10)
    finally:
        stop_process(worker)
        redis.Redis.from_url(ISOLATED_BROKER).flushdb()
