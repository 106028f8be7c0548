"""The workers' Celery application. Task modules import `celery` from here and read their settings
from the task (`self.settings`); only the entry module (workers/celery_app.py) decides where the
settings come from."""

from __future__ import annotations

from service.taskqueue import KavaluCelery

TASK_MODULES = ["workers.scoring.tasks", "workers.scoring.analyze_tasks", "workers.delivery.tasks"]

celery = KavaluCelery("kavalu", include=TASK_MODULES, task_cls="workers.base_task:KavaluTask")
