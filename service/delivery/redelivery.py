"""What admins see of outbound events (the CLI and the admin API), and sending events again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import EVENT_FAILED, EVENT_PENDING, EVENT_STATUSES, DeliveryAttempt, OutboundEvent, as_utc, utcnow


class DeliveryError(ValueError):
    """A caller's mistake: no such event, a bad status filter."""


def event_view(event: OutboundEvent) -> dict:
    return {
        "event_id": event.id,
        "publisher_id": event.publisher_id,
        "comment_id": event.comment_id,
        "decision_id": event.decision_id,
        "type": event.type,
        "status": event.status,
        "attempts": event.attempts,
        "next_attempt_at": as_utc(event.next_attempt_at).isoformat() if event.next_attempt_at else None,
        "last_status_code": event.last_status_code,
        "last_error": event.last_error,
        "created_at": as_utc(event.created_at).isoformat() if event.created_at else None,
        "delivered_at": as_utc(event.delivered_at).isoformat() if event.delivered_at else None,
    }


def list_events(
    session: Session,
    status: str | None = None,
    publisher_id: str | None = None,
    limit: int = 100,
    after: str | None = None,
) -> list[OutboundEvent]:
    """Events, newest first, optionally filtered; `after` is the last event id of the previous page."""
    if status is not None and status not in EVENT_STATUSES:
        raise DeliveryError(f"status must be one of {', '.join(EVENT_STATUSES)}")
    query = select(OutboundEvent)
    if status is not None:
        query = query.where(OutboundEvent.status == status)
    if publisher_id is not None:
        query = query.where(OutboundEvent.publisher_id == publisher_id)
    if after is not None:
        anchor = session.get(OutboundEvent, after)
        if anchor is None:
            raise DeliveryError(f"no event {after}")
        query = query.where(
            (OutboundEvent.created_at < anchor.created_at)
            | ((OutboundEvent.created_at == anchor.created_at) & (OutboundEvent.id < anchor.id))
        )
    query = query.order_by(OutboundEvent.created_at.desc(), OutboundEvent.id.desc()).limit(max(1, min(limit, 1000)))
    return list(session.scalars(query))


def failed_events(
    session: Session, publisher_id: str | None = None, limit: int = 100, after: str | None = None
) -> list[dict]:
    """What admins see of the events whose retries ran out (for the admin API and the CLI)."""
    return [event_view(e) for e in list_events(session, EVENT_FAILED, publisher_id, limit, after)]


def attempts_of(session: Session, event_id: str) -> list[DeliveryAttempt]:
    return list(
        session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.event_id == event_id).order_by(DeliveryAttempt.id)
        )
    )


def redeliver(session: Session, event_id: str, now: datetime | None = None) -> OutboundEvent:
    """Make an event (failed, or even delivered) pending and due now, with a fresh retry series.

    The attempt history is kept; the event keeps its id, so a receiver that
    already has it can recognise the duplicate. Enqueue it after commit, or
    leave it to the dispatcher.
    """
    now = now or utcnow()
    event = session.get(OutboundEvent, event_id, with_for_update=True)
    if event is None:
        raise DeliveryError(f"no event {event_id}")
    event.status = EVENT_PENDING
    event.attempts = 0
    event.next_attempt_at = now
    event.delivered_at = None
    return event


def redeliver_failed(session: Session, publisher_id: str | None = None, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    query = select(OutboundEvent).where(OutboundEvent.status == EVENT_FAILED).with_for_update()
    if publisher_id is not None:
        query = query.where(OutboundEvent.publisher_id == publisher_id)
    ids = []
    for event in session.scalars(query):
        event.status, event.attempts, event.next_attempt_at, event.delivered_at = EVENT_PENDING, 0, now, None
        ids.append(event.id)
    return ids
