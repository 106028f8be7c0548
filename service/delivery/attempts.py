"""One delivery attempt of one outbound event: sign it, POST it, write down the outcome and the next time."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.delivery.destinations import (
    HttpPost,
    RefusedDestination,
    Resolver,
    check_destination,
    describe_failure,
    guarded_post_callback,
    post_callback,
    resolve_host,
)
from service.delivery.retry import DeliveryConfig
from service.models import (
    EVENT_DELIVERED,
    EVENT_FAILED,
    EVENT_PENDING,
    NO_CALLBACK_URL,
    DeliveryAttempt,
    OutboundEvent,
    Publisher,
    as_utc,
    new_id,
    utcnow,
)
from service.publishers.accounts import active_secrets
from service.publishers.signing import PUBLISHER_HEADER, SIGNATURE_HEADER, signature_header_for_secrets

EVENT_HEADER = "X-Kavalu-Event"
DELIVERY_HEADER = "X-Kavalu-Delivery"
USER_AGENT = "Kavalu-Webhooks/1"
DEFAULT_CONFIG = DeliveryConfig()


@dataclass
class AttemptResult:
    event_id: str
    outcome: str  # delivered | retry | failed | missing | busy | already_delivered | already_failed | not_due | stale
    publisher_id: str | None = None
    delivery_id: str | None = None
    attempted_at: datetime | None = None
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None

    @property
    def attempted(self) -> bool:
        return self.delivery_id is not None


def encode_payload(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _series_started_at(session: Session, event: OutboundEvent) -> datetime:
    """When the current series of attempts began: `attempts` counts the attempts since the last (re)delivery request."""
    started = session.scalars(
        select(DeliveryAttempt.attempted_at)
        .where(DeliveryAttempt.event_id == event.id)
        .order_by(DeliveryAttempt.id.desc())
        .offset(max(event.attempts - 1, 0))
        .limit(1)
    ).first()
    return as_utc(started or event.created_at)


def attempt_delivery(
    session: Session,
    event_id: str,
    http_post: HttpPost | None = None,
    now: datetime | None = None,
    rng: Callable[[], float] | None = None,
    *,
    config: DeliveryConfig = DEFAULT_CONFIG,
    resolve: Resolver = resolve_host,
    expected_attempts: int | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> AttemptResult:
    """Make one delivery attempt of a pending event; the caller commits.

    The row is locked with FOR UPDATE SKIP LOCKED for the whole attempt, so two
    workers never deliver one event at once: the second one gets `busy` and
    leaves it. SQLite has no row locks: there the attempt first claims the event
    (see `_claim`) and commits the claim, and a worker that finds it claimed gets
    `busy`. A task sent by the dispatcher carries `expected_attempts` and
    gives up (`stale`) if another attempt happened since; a task without it
    (the one enqueued after the decision's commit, or a redelivery) attempts
    only a due event. So a duplicated or late task never delivers twice or
    ahead of the schedule, and an acknowledged event is never sent again.
    After the POST a 2xx touches the database only at the caller's commit:
    if that commit is lost (the database restarted meanwhile), the caller
    writes the answer down with `record_acknowledgement` in a new session. (A
    worker killed after the publisher answered 2xx but before either commit
    sends the event once more: delivery is at least once, and receivers dedupe
    on `event_id`.)

    Every failure is an attempt row and counts towards the schedule: a non-2xx
    answer (a 3xx too: redirects are not followed), a timeout, a refused
    connection, and, with `config.block_private`, a destination that is or
    connects to a non-public address. A refused destination is retried like
    the others rather than failed at once, so a publisher who fixes the URL or
    its DNS within the window still gets the event; after the window it is
    `failed` and visible to admins. A publisher without a callback_url reads
    the pull feed: its events fail at once with `no_callback_url` and no
    attempt (`redeliver` sends them once it has a URL).

    `http_post` defaults to `guarded_post_callback` when private destinations
    are blocked and to `post_callback` otherwise.
    """
    now = as_utc(now or utcnow())
    rng = rng or random.random
    http_post = http_post or (guarded_post_callback if config.block_private else post_callback)
    event = session.scalars(
        select(OutboundEvent).where(OutboundEvent.id == event_id).with_for_update(skip_locked=True)
    ).one_or_none()
    if event is None:
        exists = session.scalar(select(func.count()).select_from(OutboundEvent).where(OutboundEvent.id == event_id))
        return AttemptResult(event_id, "busy" if exists else "missing")
    result = AttemptResult(event_id, "", publisher_id=event.publisher_id)
    if event.status != EVENT_PENDING:
        result.outcome = f"already_{event.status}"
        return result
    if expected_attempts is not None and event.attempts != expected_attempts:
        result.outcome = "stale"
        return result
    if expected_attempts is None and as_utc(event.next_attempt_at) > as_utc(now):
        result.outcome = "not_due"
        return result

    publisher = session.get_one(Publisher, event.publisher_id)
    if not publisher.callback_url:
        event.status, event.last_error = EVENT_FAILED, NO_CALLBACK_URL
        result.outcome, result.error = EVENT_FAILED, NO_CALLBACK_URL
        return result
    if not _claim(session, event, now, config.dispatch_lease_s):
        result.outcome = "busy"
        return result
    result.delivery_id = new_id("dlv")
    body = encode_payload(event.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        PUBLISHER_HEADER: publisher.id,
        # One v1= per active secret, so a publisher mid-rotation verifies with either.
        SIGNATURE_HEADER: signature_header_for_secrets(active_secrets(publisher, now), body, int(now.timestamp())),
        EVENT_HEADER: event.type,
        DELIVERY_HEADER: result.delivery_id,
    }
    started = timer()
    try:
        if config.block_private:
            check_destination(publisher.callback_url, resolve)
        result.status_code = http_post(publisher.callback_url, body, headers, config.timeout)
    except RefusedDestination as refusal:
        result.error = f"refused: {refusal}"
    except Exception as error:  # any failure to get an answer is a failed attempt
        result.error = describe_failure(error)
    result.latency_ms = round((timer() - started) * 1000, 1)
    if result.status_code is not None and not 200 <= result.status_code < 300:
        result.error = "redirect_not_followed" if 300 <= result.status_code < 400 else f"http_{result.status_code}"

    result.attempted_at = now
    _write_attempt(session, event, result)
    if result.error is None:
        result.outcome = EVENT_DELIVERED
        return result
    # Counted from the end of the attempt: a 10 s timeout must not eat into the wait before the next one.
    failed_at = now + timedelta(milliseconds=result.latency_ms)
    following = config.retry.next_attempt_at(_series_started_at(session, event), failed_at, event.attempts, rng)
    if following is None:
        event.status = EVENT_FAILED
        result.outcome = EVENT_FAILED
    else:
        event.next_attempt_at = following
        result.next_attempt_at = following
        result.outcome = "retry"
    return result


def _claim(session: Session, event: OutboundEvent, now: datetime, lease_s: float) -> bool:
    """Claim the event for this attempt, unless another worker claimed or attempted it since it was read.

    A compare-and-set: only the worker whose UPDATE changed the row sends. On PostgreSQL the row is locked since
    the read, so the claim always succeeds. On SQLite it is committed at once: the other workers must see it, and
    an open write transaction there would hold the whole store during the POST. Recording the attempt ends the
    claim; a worker that dies during the POST holds the event until `lease_s` has passed.
    """
    lease_until = now + timedelta(seconds=lease_s)
    claimed = session.execute(
        update(OutboundEvent)
        .where(
            OutboundEvent.id == event.id,
            OutboundEvent.status == EVENT_PENDING,
            OutboundEvent.attempts == event.attempts,
            or_(OutboundEvent.delivery_lease_until.is_(None), OutboundEvent.delivery_lease_until <= now),
        )
        .values(delivery_lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(event, "delivery_lease_until", lease_until)  # so that recording the attempt clears it
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
    return True


def _write_attempt(session: Session, event: OutboundEvent, result: AttemptResult) -> None:
    """Record one attempt of the event; a 2xx marks it delivered."""
    assert result.attempted_at is not None
    session.add(
        DeliveryAttempt(
            event_id=event.id,
            delivery_id=result.delivery_id,
            attempted_at=result.attempted_at,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
        )
    )
    event.attempts += 1
    event.delivery_lease_until = None
    event.last_status_code = result.status_code
    event.last_error = result.error
    if result.error is None:
        event.status, event.delivered_at = EVENT_DELIVERED, result.attempted_at


def record_acknowledgement(session: Session, result: AttemptResult) -> bool:
    """Write down a 2xx whose commit was lost, unless the event has moved on since; the caller commits.

    The database went away between the publisher's answer and the commit (a restart drops the
    connection and with it the row lock); without this the event would stay pending and be sent again.
    """
    event = session.scalars(
        select(OutboundEvent).where(OutboundEvent.id == result.event_id).with_for_update()
    ).one_or_none()
    if event is None or event.status != EVENT_PENDING:
        return False
    _write_attempt(session, event, result)
    return True
