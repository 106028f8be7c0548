"""The Celery app, for the `celery -A workers.celery_app` command."""
from __future__ import annotations

from celery import Celery

from service.config import Settings

settings = Settings.from_env()

celery = Celery("kavalu")
celery.conf.update(settings.celery_config())
celery.conf.beat_schedule = {
    "sweep-pending": {"task": "kavalu.sweep_pending", "schedule": settings.sweep_interval_s},
}

import workers.deliveries  # noqa: E402,F401  (registers the tasks)
import workers.tasks  # noqa: E402,F401
