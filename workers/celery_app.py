"""The worker's entry module, for `celery -A workers.celery_app worker|beat|flower`.

It gives the Celery application its settings from the environment and sets up
each worker process: JSON logs, the request id, the models after fork, and the
heartbeat that /readyz reads.
"""

from __future__ import annotations

import logging
import time

from celery import signals

from service.config import Settings
from service.logs import JsonFormatter, request_id
from workers import runtime
from workers.app import celery

log = logging.getLogger(__name__)

settings = Settings.from_env()
celery.init_settings(settings)


@signals.worker_process_init.connect
def _load_models_after_fork(**_):
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


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _json_logs(logger=None, **_):
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


@signals.task_prerun.connect
def _carry_request_id(task=None, **_):
    request_id.set(
        getattr(task.request, "kavalu_request_id", None) or (task.request.headers or {}).get("kavalu_request_id")
    )


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **_):
    queues = ",".join(sorted(queue.name for queue in sender.app.amqp.queues.consume_from.values())) if sender else ""
    runtime.start_heartbeat(settings, sender.hostname if sender else "worker", queues)
