"""The worker's entry module, for `celery -A workers.celery_app worker|beat|flower`.

It gives the Celery application its settings from the environment and sets up
each worker process: JSON logs, the request id, the models after fork, and the
heartbeats that /readyz reads (one per scoring pool process, once its models are loaded).
"""

from __future__ import annotations

import logging
import os
import time

from celery import signals

from service.config import Settings
from service.logs import JsonFormatter, request_id
from service.ops.heartbeats import scoring_process_name
from service.task_names import SCORING_QUEUE
from workers import logging as worker_logging
from workers import runtime
from workers.app import celery

log = logging.getLogger(__name__)

settings = Settings.from_env()
celery.init_settings(settings)
worker_logging.setup()  # before Celery sets up its logging, and before the pool forks
worker_logging.quiet_beat(celery)


def _consumed_queues() -> set[str]:
    """The queues this worker consumes (set up in the main process before the pool forks)."""
    return {queue.name for queue in celery.amqp.queues.consume_from.values()}


@signals.worker_process_init.connect
def _load_models_after_fork(sender=None, **_):
    """torch must be set up in the child, once per process, never per task."""
    import torch

    torch.set_num_threads(settings.torch_threads)
    if settings.preload_models:
        from workers.scoring.pipeline import get_pipeline

        started = time.perf_counter()
        get_pipeline(settings).warm_up()
        runtime.connect_database(settings)
        # The worker says "ready" before its children have loaded the models; this line says when they have.
        log.info(runtime.MODELS_LOADED, extra={"load_s": round(time.perf_counter() - started, 2)})
    if SCORING_QUEUE in _consumed_queues():
        # This process can score now: its own heartbeat is what /readyz and the healthcheck count. If it dies
        # (the OOM killer), the main process removes the row (runtime.watch_pool) and the replacement writes its own
        # once it has loaded its models.
        name = scoring_process_name(str(sender or "worker"), os.getpid())
        if settings.preload_models:  # the abuse model's precision travels with the heartbeat (/metrics, ops)
            from workers.scoring import precision_report
            from workers.scoring.pipeline import get_pipeline

            precision_report.attach(name, get_pipeline(settings).abuse)
        runtime.start_heartbeat(settings, name, SCORING_QUEUE, tracks_tasks=True)


@signals.task_postrun.connect
def _record_task_finished(**_):
    # What the heartbeat thread cannot show: tasks still reach this process (service/ops/heartbeats.py, stalled).
    runtime.task_finished()


@signals.worker_process_shutdown.connect
def _forget_process_heartbeat(**_):
    runtime.stop_heartbeat(settings)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _json_logs(logger=None, **_):
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


@signals.celeryd_after_setup.connect
def _banner_as_json(sender=None, instance=None, **_):
    worker_logging.quiet_worker_banner(instance, str(sender))


@signals.task_prerun.connect
def _carry_request_id(task=None, **_):
    request_id.set(
        getattr(task.request, "kavalu_request_id", None) or (task.request.headers or {}).get("kavalu_request_id")
    )


def _main_process_queues() -> str:
    """What a worker's main process writes in its heartbeat row: the queues it consumes other than scoring."""
    return ",".join(sorted(_consumed_queues() - {SCORING_QUEUE}))


@signals.worker_init.connect
def _first_main_heartbeat(sender=None, **_):
    # Before the pool starts: a scoring process counts as ready only while its worker's main process writes its row
    # (service/ops/heartbeats.py, frozen workers), and a restarted worker's row may be stale from the frozen one.
    if SCORING_QUEUE in _consumed_queues():
        runtime.write_first_heartbeat(settings, sender.hostname if sender else "worker", _main_process_queues())


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **_):
    # The main process cannot score: a scoring worker's readiness comes from its pool processes (above). Its own row
    # says that it still dispatches their tasks (a frozen main process sends them nothing).
    hostname = sender.hostname if sender else "worker"
    queues = _main_process_queues()
    if queues or SCORING_QUEUE in _consumed_queues():
        runtime.start_heartbeat(settings, hostname, queues)
    pool = getattr(sender, "pool", None)
    if SCORING_QUEUE in _consumed_queues() and pool is not None and "processes" in pool.info:
        runtime.watch_pool(settings, hostname, lambda: pool.info["processes"])
