"""An idle stack is quiet, and what it writes is JSON: the API, a scoring worker, a deliveries worker and beat,
started as in production (`--loglevel INFO`), with no traffic.

The bound tested is the issue's: at INFO, the idle stack as a whole writes at most one line a minute
once it has started (over a minute of every process's output, with beat ticking every second or two).
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from service.logs import JsonFormatter, configure_logging
from workers import logging as worker_logging

IDLE_WINDOW_S = 60
SETTLE_S = 15  # after every process says it is ready: the models' warm-up, the first beat ticks


def _capture(handler_level=logging.INFO):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(handler_level)
    logging.getLogger().addHandler(handler)
    return records, handler


def test_celerys_routine_lines_are_debug_and_dropped_at_info():
    worker_logging.setup()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    records, handler = _capture(logging.DEBUG)
    try:
        logging.getLogger("celery.worker.strategy").info(
            "Task %(name)s[%(id)s] received", {"name": "kavalu.sweep_pending", "id": "1"}
        )
        logging.getLogger("celery.app.trace").info(
            "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            {"name": "kavalu.sweep_pending", "id": "1", "runtime": 0.01, "return_value": 0},
        )
        logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)", "sweep-pending", "x")
        logging.getLogger("kombu.connection").warning("No hostname was supplied. Reverting to default 'localhost'")
        logging.getLogger("kombu.transport").info("routine chatter")
        assert records == []
        logging.getLogger("celery.app.trace").error(
            "Task %(name)s[%(id)s] raised unexpected: %(exc)s", {"name": "x", "id": "1", "exc": "boom"}
        )
        assert [r.levelname for r in records] == ["ERROR"]
        root.setLevel(logging.DEBUG)
        logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)", "sweep-pending", "x")
        assert records[-1].levelname == "DEBUG"  # still there for whoever turns DEBUG on
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_importing_alembic_writes_no_plugin_lines_at_info():
    """alembic logs seven "setup plugin ..." lines at INFO when it is first imported; every API worker imports it (the
    health check reports the schema revision), so they were half of an embedded stack's start-up output. A fresh
    process, as an API worker is."""
    import subprocess
    import sys

    code = (
        "from service.logs import configure_logging; configure_logging('INFO'); "
        "from service.migrate import head_revision; print(head_revision())"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # the head revision: alembic was imported and read the migrations
    assert "setup plugin" not in done.stderr, done.stderr


def test_gunicorn_builds_no_access_log_lines_that_its_logging_config_drops():
    """config/gunicorn.conf.py sets gunicorn.access to WARNING: its logger class then skips building each
    request's access-log fields (2 % of a loaded intake worker), and builds them again if the level lets them out."""
    import copy
    import runpy
    from pathlib import Path

    from gunicorn.config import Config

    conf = runpy.run_path(str(Path(__file__).resolve().parents[1] / "config" / "gunicorn.conf.py"))
    saved = {
        name: (lg.level, list(lg.handlers))
        for name in ("gunicorn.error", "gunicorn.access")
        for lg in [logging.getLogger(name)]
    }
    try:
        for access_level, enabled in (("WARNING", False), ("INFO", True)):
            cfg = Config()
            for name in ("logconfig_dict", "logger_class", "accesslog", "errorlog", "loglevel"):
                cfg.set(name, copy.deepcopy(conf[name]))
            cfg.logconfig_dict["loggers"]["gunicorn.access"]["level"] = access_level
            assert cfg.logger_class(cfg).access_log_enabled is enabled, access_level
    finally:
        for name, (level, handlers) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.handlers[:] = handlers


def test_a_json_line_carries_the_comment_id_and_the_request_id():
    from service.logs import request_id

    token = request_id.set("req-77")
    try:
        record = logging.LogRecord("kavalu", logging.INFO, __file__, 1, "decided", (), None)
        record.comment_id = "cmt_1"
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert entry["request_id"] == "req-77" and entry["comment_id"] == "cmt_1" and entry["level"] == "INFO"
    configure_logging("INFO")  # idempotent: the library noise filters are installed once


def _tail(path, offset: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_an_idle_stack_writes_at_most_a_line_a_minute_and_only_json(database, tmp_path):
    import redis

    from tests.conftest import ISOLATED_BROKER, TEST_DATABASE_URL
    from tests.stack import Stack

    redis.Redis.from_url(ISOLATED_BROKER).flushdb()
    stack = Stack(
        tmp_path / "stack", TEST_DATABASE_URL, ISOLATED_BROKER, env={"KAVALU_LOG_LEVEL": "INFO"}, api_workers=1
    )
    try:
        stack.start()
        time.sleep(SETTLE_S)
        logs = sorted(stack.workdir.glob("*.log"))
        assert {path.name.split("-")[0].split(".")[0] for path in logs} >= {"api", "scoring", "deliveries", "beat"}
        start = {path: path.stat().st_size for path in logs}
        time.sleep(IDLE_WINDOW_S)
        window = {path.name: _tail(path, offset).splitlines() for path, offset in start.items()}
        until_now = {path.name: path.read_text() for path in logs}  # start-up and the window, not the shutdown
        for process in [stack.api, stack.beat, stack.deliveries, *stack.scoring]:
            assert process.poll() is None, stack.logs()
    finally:
        stack.stop()
    lines = [(name, line) for name, text in window.items() for line in text if line.strip()]
    not_json = [(name, line) for name, line in lines if not _is_json(line)]
    assert not not_json, not_json
    loud = [(name, line) for name, line in lines if json.loads(line).get("level") != "DEBUG"]
    assert len(loud) <= IDLE_WINDOW_S / 60, loud
    # Start-up of the Celery processes is JSON too: no banners, no kombu warnings, no progress bars.
    for name, text in until_now.items():
        if name.startswith(("scoring", "deliveries", "beat")):
            startup = [line for line in text.splitlines() if line.strip()]
            assert all(_is_json(line) for line in startup), (name, [x for x in startup if not _is_json(x)][:5])
            assert "No hostname was supplied" not in text and "Loading weights" not in text


def _is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
