"""The dispatcher's side: which pending events are due, and claiming them for one round of tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import EVENT_PENDING, OutboundEvent, utcnow


def due_events(session: Session, now: datetime | None = None, limit: int = 500, per_publisher: int = 25) -> list[str]:
    """Ids of pending events whose time has come, oldest first, taking turns between publishers.

    At most `per_publisher` from each publisher per round: one publisher with
    a deep backlog to a dead endpoint can't fill the queue ahead of the others.
    """
    now = now or utcnow()
    ranked = (
        select(
            OutboundEvent.id.label("id"),
            OutboundEvent.next_attempt_at.label("next_attempt_at"),
            func.row_number()
            .over(partition_by=OutboundEvent.publisher_id, order_by=(OutboundEvent.next_attempt_at, OutboundEvent.id))
            .label("rank"),
        )
        .where(OutboundEvent.status == EVENT_PENDING, OutboundEvent.next_attempt_at <= now)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.id)
        .where(ranked.c.rank <= per_publisher)
        .order_by(ranked.c.rank, ranked.c.next_attempt_at, ranked.c.id)
        .limit(limit)
    )
    return [row.id for row in rows]


def claim_due_events(
    session: Session, now: datetime | None = None, limit: int = 500, per_publisher: int = 25, lease_s: float = 60.0
) -> list[tuple[str, int]]:
    """Take due events for dispatch: push their next_attempt_at out by the lease; return (id, attempts) pairs.

    Rows being delivered right now are locked and skipped. Send the tasks only
    after this transaction commits, or they would find the rows still locked.
    """
    now = now or utcnow()
    ids = due_events(session, now, limit, per_publisher)
    if not ids:
        return []
    events = session.scalars(
        select(OutboundEvent)
        .where(OutboundEvent.id.in_(ids), OutboundEvent.status == EVENT_PENDING, OutboundEvent.next_attempt_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    order = {event_id: position for position, event_id in enumerate(ids)}
    claimed = []
    for event in sorted(events, key=lambda e: order[e.id]):
        event.next_attempt_at = now + timedelta(seconds=lease_s)
        claimed.append((event.id, event.attempts))
    return claimed
