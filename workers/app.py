"""The one Celery application, configured from `Settings` (service/config.py).

Task modules import `celery` from here and read their settings from the task
(`self.settings`), so nothing but the worker's entry module (workers/celery_app.py)
decides where the settings come from.
"""
from __future__ import annotations

from celery import Celery

from service.config import Settings
from service.task_names import (DELIVER_EVENT, DELIVER_EVENTS, DISPATCH_DUE_DELIVERIES, SCORE_COMMENT,
                                SWEEP_PENDING)

TASK_MODULES = ["workers.scoring.tasks", "workers.delivery.tasks"]


class KavaluCelery(Celery):
    _settings: Settings | None = None

    def init_settings(self, settings: Settings) -> None:
        self._settings = settings
        settings.make_broker_folders()
        self.conf.update(settings.celery_config())
        self.conf.include = TASK_MODULES
        self.conf.beat_schedule = {
            "sweep-pending": {"task": SWEEP_PENDING, "schedule": settings.sweep_interval_s},
            "dispatch-deliveries": {"task": DISPATCH_DUE_DELIVERIES, "schedule": settings.delivery_dispatch_interval_s},
        }
        # One delivery attempt is bounded by its connect and read timeouts; the limits only catch a stuck worker.
        delivery_limit = int(settings.delivery_connect_timeout_s + settings.delivery_read_timeout_s + 20)
        self.conf.task_annotations = {
            name: {"soft_time_limit": delivery_limit, "time_limit": delivery_limit + 15}
            for name in (DELIVER_EVENT, DELIVER_EVENTS)
        } | {SCORE_COMMENT: {"soft_time_limit": settings.scoring_drain_s + 60,
                             "time_limit": settings.scoring_drain_s + 120}}

    @property
    def settings(self) -> Settings:
        """The settings given to `init_settings`, or the environment's when a task runs in a process
        that did not start as a worker (a test, a shell)."""
        if self._settings is None:
            self.init_settings(Settings.from_env())
        assert self._settings is not None
        return self._settings


celery = KavaluCelery("kavalu", task_cls="workers.base_task:KavaluTask")
