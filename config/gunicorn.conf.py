# gunicorn settings for the Kavalu API. Override any of them on the command line.
import json
import logging
import multiprocessing
import resource

import gunicorn.glogging
import gunicorn.util

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2
# Threads, not sync workers: an analyze request (/v1/analyze and the drop-ins) waits on a scoring worker. A sync
# worker would sit idle through that wait, so in-flight analyze requests would be capped at the worker count
# (too few texts to batch: 75 requests/s against 105-120 with threads, bench/analyze.py), and a few requests
# waiting out a missing scorer would hold up intake.
worker_class = "gthread"
threads = 4
# A gthread worker whose accept() runs out of file descriptors (EMFILE) exits, dropping every connection it holds.
# So it takes the hard limit, and accepts no more connections than leave room for its other descriptors (the
# database, Redis, metrics files, logs: about 30); the rest wait in the listen backlog.
_soft_nofile, _hard_nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
if _soft_nofile != _hard_nofile:
    resource.setrlimit(resource.RLIMIT_NOFILE, (_hard_nofile, _hard_nofile))
_nofile = _hard_nofile if _hard_nofile != resource.RLIM_INFINITY else 1_000_000
worker_connections = max(2 * threads, min(1000, _nofile - 64))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None
# gunicorn 25+ opens a control socket at one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): a second
# instance takes it over, and the first one's exit removes it from under the second. Kavalu does not use gunicornc;
# give --control-socket PATH (one path per instance) to use it.
control_socket_disable = True
errorlog = "-"
loglevel = "info"
# gunicorn's own lines (start, workers booting and exiting) in the same JSON format as the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.logs.JsonFormatter"}},
    "filters": {"redact": {"()": "service.logs.GunicornErrorRedaction"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        # The request lines and headers gunicorn quotes can hold tokens and sender details (service/logs.py).
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False, "filters": ["redact"]},
        # No access log (as with accesslog = None): health checks alone would fill it.
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}


class Logger(gunicorn.glogging.Logger):
    """gunicorn builds every request's access-log fields whenever a logging config is set, even though
    gunicorn.access drops them (its level is WARNING): 2 % of a loaded intake worker's CPU (py-spy)."""

    def setup(self, cfg):
        super().setup(cfg)  # applies logconfig_dict, which sets gunicorn.access's level
        self._access_log_enabled = self._access_log_enabled and self.access_log.isEnabledFor(logging.INFO)


logger_class = Logger


def child_exit(server, worker):
    # Metrics of a gunicorn worker that exited must not count as live gauges (prometheus multiprocess mode).
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn refuses some requests itself, before the app sees them: a request line over
# limit_request_line (414), a header over limit_request_field_size or too many headers (431), a
# request it cannot parse (400). Its answer is an HTML page; this one has the API's error shape.
# The limits stay as they are: they bound what a worker buffers before the app runs.
_GUNICORN_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}


def _write_json_error(sock, status_int, reason, mesg):
    message = f"{reason}: {mesg}" if mesg else reason
    body = json.dumps(
        {
            "errors": [
                {"field": None, "code": _GUNICORN_ERROR_CODES.get(status_int, "bad_request"), "message": message[:300]}
            ]
        }
    ).encode()  # ensure_ascii: the head and body are plain ASCII
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


gunicorn.util.write_error = _write_json_error  # what gunicorn's workers call for the answers above


def post_worker_init(worker):
    # A full garbage collection walked every object the app loaded (about 130,000: Flask, SQLAlchemy, marshmallow)
    # and held the GIL for about 90 ms, stalling every request of the worker: /healthz p99 127 ms under wrk, 30 ms
    # with this (bench/intake.py). Frozen objects are never walked again; what requests allocate is collected.
    import gc

    gc.collect()
    gc.freeze()
