"""Delivery of outbound events to publishers' callback URLs.

`deliver_event` makes one attempt per run and writes the next attempt time to
the database; `dispatch_due_deliveries` (beat) enqueues the events whose time
has come. No task ever waits in the broker with a countdown, so Redis's
visibility timeout never redelivers a long-delayed retry.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError

from service.delivery.attempts import AttemptResult, attempt_delivery, record_acknowledgement
from service.delivery.dispatch import claim_due_events
from service.delivery.retry import DeliveryConfig
from service.models import EVENT_DELIVERED, EVENT_FAILED, utcnow
from service.ops.metrics import DELIVERY_ATTEMPTS, DELIVERY_FAILURES
from service.sealing import SealingError
from service.task_names import DELIVER_EVENT, DELIVER_EVENTS, DISPATCH_DUE_DELIVERIES, DISPATCH_LOCK_ID
from workers.app import celery

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500
DISPATCH_PER_PUBLISHER = 25
# How long a worker keeps trying to write down a 2xx whose commit the database lost; a restart takes seconds.
ACKNOWLEDGEMENT_WINDOW_S = 30.0
# What _deliver returns when this worker could not sign: the event is untouched and stays due.
NOT_ATTEMPTED = "not_attempted"


@celery.task(bind=True, name=DELIVER_EVENT, acks_late=True)
def deliver_event(self, event_id: str, expected_attempts: int | None = None) -> str:
    """One delivery attempt of one event; idempotent (see service.delivery.attempts.attempt_delivery)."""
    return _deliver(self, event_id, expected_attempts)


@celery.task(bind=True, name=DELIVER_EVENTS, acks_late=True)
def deliver_events(self, event_ids: list[str]) -> str:
    """First attempts of one publisher's new events, in order, from one scoring batch.

    Stops at the first event that isn't delivered: the rest stay due, and the dispatcher
    hands them out with the usual fairness between publishers, so a slow endpoint holds
    this worker for one attempt only.
    """
    for event_id in event_ids:
        outcome = _deliver(self, event_id, None)
        if outcome != EVENT_DELIVERED:
            return outcome
    return EVENT_DELIVERED


def _deliver(task, event_id: str, expected_attempts: int | None) -> str:
    config = DeliveryConfig.from_settings(task.settings)
    result = None
    try:
        with task.session() as session:
            result = attempt_delivery(session, event_id, config=config, expected_attempts=expected_attempts)
    except DBAPIError:
        if result is None or result.outcome != EVENT_DELIVERED:
            raise
        _record_acknowledgement(task, result)
    except SealingError as error:
        # This worker's keys did not seal the publisher's secret: its operator's fault, not the publisher's. Nothing
        # is counted against the event, which the dispatcher hands out again (to this or another worker); one line
        # per try, no traceback.
        log.error("delivery not attempted event=%s: %s", event_id, error, extra={"event_id": event_id})
        return NOT_ATTEMPTED
    if result.attempted:
        DELIVERY_ATTEMPTS.labels(publisher=result.publisher_id).inc()
        if result.outcome != EVENT_DELIVERED:
            DELIVERY_FAILURES.labels(publisher=result.publisher_id).inc()
        # No URL (it may carry the publisher's token) and no signature.
        log.info(
            "delivery attempt event=%s outcome=%s status_code=%s latency_ms=%s error=%s",
            result.event_id,
            result.outcome,
            result.status_code,
            result.latency_ms,
            result.error,
            extra={
                "event_id": result.event_id,
                "publisher_id": result.publisher_id,
                "delivery_id": result.delivery_id,
                "outcome": result.outcome,
                "status_code": result.status_code,
                "latency_ms": result.latency_ms,
                "error": result.error,
                "next_attempt_at": result.next_attempt_at.isoformat() if result.next_attempt_at else None,
            },
        )
    elif result.outcome == EVENT_FAILED:
        log.info(
            "delivery failed without an attempt event=%s error=%s",
            event_id,
            result.error,
            extra={"event_id": event_id, "publisher_id": result.publisher_id, "error": result.error},
        )
    else:
        log.debug("delivery skipped event=%s outcome=%s", event_id, result.outcome)
    return result.outcome


def _record_acknowledgement(task, result: AttemptResult) -> None:
    """The publisher answered 2xx and the commit was lost: write it down in new sessions until the
    database is back, so that the event is not sent again; after the window, fail (at least once)."""
    deadline = time.monotonic() + ACKNOWLEDGEMENT_WINDOW_S
    delay = 0.25
    while True:
        try:
            with task.session() as session:
                recorded = record_acknowledgement(session, result)
            log.warning(
                "delivery acknowledged but its commit was lost; %s event=%s",
                "recorded again" if recorded else "the event had moved on",
                result.event_id,
                extra={"event_id": result.event_id, "delivery_id": result.delivery_id},
            )
            return
        except DBAPIError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@celery.task(bind=True, name=DISPATCH_DUE_DELIVERIES, soft_time_limit=60)
def dispatch_due_deliveries(self) -> int:
    """Enqueue one deliver_event task per due event, taking turns between publishers."""
    config = DeliveryConfig.from_settings(self.settings)
    with self.session() as session:
        if not self.try_advisory_lock(session, DISPATCH_LOCK_ID):
            return 0
        claimed = claim_due_events(session, utcnow(), DISPATCH_BATCH, DISPATCH_PER_PUBLISHER, config.dispatch_lease_s)
    # Sent after commit: the claim's row locks are gone and the leases are visible to the tasks.
    for event_id, attempts in claimed:
        deliver_event.apply_async(args=[event_id, attempts], retry=False)
    if claimed:
        log.info("dispatched %d due deliveries", len(claimed))
    return len(claimed)
