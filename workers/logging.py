"""Logs of the Celery processes (workers and beat): one JSON line per event, and quiet when idle.

- Celery's own per-task lines ("Task ... received", "Task ... succeeded in ...") and beat's
  "Scheduler: Sending due task" are DEBUG here: every Kavalu task logs what it did at INFO
  ("batch decided", "delivery attempt", "swept", "dispatched") and nothing when it did nothing,
  so an idle stack writes nothing at INFO. Failures and retries keep their levels.
- The start-up banners, which Celery prints as plain text, are replaced by one JSON line each.
- kombu is kept at WARNING, and its harmless "No hostname was supplied" dropped (service.logs).
- Progress bars of the Hugging Face libraries (the "Loading weights" bar while a worker loads the
  models) are off when stderr is not a terminal: in a worker, Celery turns stderr into WARNING
  log lines, so a bar became WARNING lines.
"""

from __future__ import annotations

import logging
import sys

from service.logs import JsonFormatter, demote_to_debug, quiet_library_noise

log = logging.getLogger("kavalu.worker")

# Celery's loggers and the routine lines they write for every task and every beat tick.
ROUTINE = {
    "celery.worker.strategy": ("Task %(name)s[%(id)s] received",),
    "celery.app.trace": ("Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",),
    "celery.beat": ("Scheduler: Sending due task",),
}

_installed = False


def setup() -> None:
    """Once per process, at import of the entry module: before Celery sets up its logging, and before fork."""
    global _installed
    if _installed:
        return
    _installed = True
    quiet_library_noise()
    # What is written before Celery sets up its logging (its own warnings while it starts, such as running
    # as root) is JSON too; Celery replaces this handler with its own, which after_setup_logger makes JSON.
    root = logging.getLogger()
    if not root.handlers:
        early = logging.StreamHandler(sys.stderr)
        early.setFormatter(JsonFormatter())
        root.addHandler(early)
    logging.captureWarnings(True)  # Python warnings (SecurityWarning, DeprecationWarning...) as log records
    for name, prefixes in ROUTINE.items():
        logging.getLogger(name).addFilter(demote_to_debug(prefixes))
    if not sys.stderr.isatty():
        try:
            from huggingface_hub.utils import disable_progress_bars
        except ImportError:  # pragma: no cover - an install without the model libraries
            return
        disable_progress_bars()  # before transformers is imported: it reads this once, at import


def quiet_worker_banner(instance, hostname: str) -> None:
    """celeryd_after_setup: the worker's plain-text banner becomes one JSON line."""
    instance.quiet = True
    queues = sorted(queue.name for queue in instance.app.amqp.queues.consume_from.values())
    log.info(
        "worker starting",
        extra={"hostname": hostname, "queues": queues, "concurrency": getattr(instance, "concurrency", None)},
    )


def quiet_beat(app) -> None:
    """Beat prints its banner before it sets up logging, and no signal comes before that: give the
    app a Beat that starts quiet and says, in one JSON line once logging is set up, what it runs."""
    base = app.Beat

    class QuietBeat(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args, **kwargs):
            kwargs["quiet"] = True
            super().__init__(*args, **kwargs)

        def setup_logging(self, colorize=None):
            super().setup_logging(colorize)
            log.info(
                "beat starting",
                extra={"schedule": sorted(entry["task"] for entry in app.conf.beat_schedule.values())},
            )

    app.__dict__["Beat"] = QuietBeat
