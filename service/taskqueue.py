"""The API's port to the task queue: it sends tasks by name and never imports the workers."""
from __future__ import annotations

import logging
import time

from celery import Celery

from service.config import Settings
from service.logs import request_id

log = logging.getLogger(__name__)

SCORE_COMMENT = "kavalu.score_comment"
DELIVER_EVENT = "kavalu.deliver_event"


def sent_at_header() -> dict:
    """Message headers: the send time lets ops read the age of the oldest waiting message straight from
    the broker, and the request id follows a comment from intake through the workers into their logs."""
    return {"kavalu_sent_at": time.time(), "kavalu_request_id": request_id.get()}


class TaskQueue:
    def __init__(self, settings: Settings):
        self.celery = Celery("kavalu-client", set_as_current=False)
        self.celery.conf.update(settings.celery_config())
        settings.make_broker_folders()

    def send(self, task_name: str, *args) -> bool:
        """Send a task; False if the broker is unreachable.

        A failed send is not an error for the caller: the row stays pending and
        the periodic sweeper enqueues it again once the broker is back.
        """
        try:
            self.celery.send_task(task_name, args=list(args), retry=False, headers=sent_at_header())
            return True
        except Exception as error:  # kombu raises several transport-specific errors
            log.warning("enqueue failed, the sweeper will retry", extra={"task": task_name, "error": type(error).__name__})
            return False

    def enqueue_scoring(self, comment_id: str) -> bool:
        return self.send(SCORE_COMMENT, comment_id)

    def enqueue_delivery(self, event_id: str) -> bool:
        return self.send(DELIVER_EVENT, event_id)
