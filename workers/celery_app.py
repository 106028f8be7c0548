"""The Celery app, for the `celery -A workers.celery_app` command."""
from __future__ import annotations

import logging
import time

from celery import Celery, signals

from service.config import Settings
from workers import runtime

log = logging.getLogger(__name__)

settings = Settings.from_env()
settings.make_broker_folders()

celery = Celery("kavalu")
celery.conf.update(settings.celery_config())
celery.conf.beat_schedule = {
    "sweep-pending": {"task": "kavalu.sweep_pending", "schedule": settings.sweep_interval_s},
    "dispatch-deliveries": {"task": "kavalu.dispatch_due_deliveries", "schedule": settings.delivery_dispatch_interval_s},
}


@signals.worker_process_init.connect
def _load_models_after_fork(**_):
    """torch must be set up in the child, once per process, never per task."""
    import torch

    torch.set_num_threads(settings.torch_threads)
    if settings.preload_models:
        from workers.pipeline import get_pipeline

        started = time.perf_counter()
        get_pipeline(settings).warm_up()
        runtime.connect_database(settings)
        # The worker says "ready" before its children have loaded the models; this line says when they have.
        log.info(runtime.MODELS_LOADED, extra={"load_s": round(time.perf_counter() - started, 2)})


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _json_logs(logger=None, **_):
    from service.logs import JsonFormatter

    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


@signals.task_prerun.connect
def _carry_request_id(task=None, **_):
    from service.logs import request_id

    request_id.set(getattr(task.request, "kavalu_request_id", None) or (task.request.headers or {}).get("kavalu_request_id"))


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **_):
    queues = ",".join(sorted(queue.name for queue in sender.app.amqp.queues.consume_from.values())) if sender else ""
    runtime.start_heartbeat(settings, sender.hostname if sender else "worker", queues)


import workers.deliveries  # noqa: E402,F401  (registers the tasks)
import workers.tasks  # noqa: E402,F401
