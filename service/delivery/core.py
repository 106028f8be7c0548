"""Delivering outbound events (decisions) to publishers' callback URLs, and the pull feed of decisions.

Delivery state lives in the database, never in the broker: an event is
`pending` with a `next_attempt_at`, a periodic dispatcher enqueues the due
ones, and each task makes exactly one attempt and writes down the next time.
Long retry delays therefore never become broker countdowns, which Redis would
redeliver after its visibility timeout.

The clock (`now`), the jitter source (`rng`), the HTTP client (`http_post`)
and the resolver are parameters, so the schedule and the hardening are tested
without sleeping or touching the network.
"""
from __future__ import annotations

import ipaddress
import json
import random
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import (
    FINAL_STATUSES,
    Comment,
    Decision,
    DeliveryAttempt,
    OutboundEvent,
    Publisher,
    as_utc,
    new_id,
    utcnow,
)
from service.publishers.signing import PUBLISHER_HEADER, SIGNATURE_HEADER, signature_header


PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
NO_CALLBACK_URL = "no_callback_url"  # the publisher reads the pull feed
EVENT_STATUSES = (PENDING, DELIVERED, FAILED)
EVENT_HEADER = "X-Kavalu-Event"
DELIVERY_HEADER = "X-Kavalu-Delivery"
USER_AGENT = "Kavalu-Webhooks/1"

HttpPost = Callable[[str, bytes, dict, tuple], int]
Resolver = Callable[[str, int], Iterable[str]]


class DeliveryError(ValueError):
    """A caller's mistake: no such event, a bad status filter."""


class RefusedDestination(Exception):
    """The callback URL may not be called (bad scheme, or it resolves to a non-public address)."""


# --- the retry schedule -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter above a floor, retried for at least `retry_window_s`.

    After the n-th failed attempt of a series the next one waits a uniform
    random time in [base, min(cap, base * 2**n)]: the first retry comes after
    10-20 s, later ones spread up to the 1 h cap. Full jitter spreads a burst
    of failures (a publisher's endpoint down for everyone) instead of retrying
    them in lock-step; the floor keeps a struggling endpoint from being hit
    again at once. The event fails only when an attempt fails at least
    `retry_window_s` after the first attempt of its series, so the retrying
    spans the whole window whatever the jitter draws (at most one cap longer).
    """

    base_delay_s: float = 10.0
    max_delay_s: float = 3600.0
    retry_window_s: float = 86400.0

    @classmethod
    def from_settings(cls, settings) -> "RetryPolicy":
        return cls(settings.delivery_base_delay_s, settings.delivery_max_delay_s, settings.delivery_retry_window_s)

    def delay_s(self, failed_attempts: int, rng: Callable[[], float]) -> float:
        """Seconds to wait after the `failed_attempts`-th consecutive failure (1-based)."""
        floor = min(self.base_delay_s, self.max_delay_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** min(failed_attempts, 40))
        return floor + rng() * max(0.0, ceiling - floor)

    def next_attempt_at(self, series_started_at: datetime, failed_at: datetime, failed_attempts: int,
                        rng: Callable[[], float]) -> datetime | None:
        """When to try again, or None when the window is spent and the event should fail."""
        if (failed_at - series_started_at).total_seconds() >= self.retry_window_s:
            return None
        return failed_at + timedelta(seconds=self.delay_s(failed_attempts, rng))

    def simulate(self, rng: Callable[[], float]) -> list[float]:
        """Offsets (s) of every attempt of a series that always fails, each made exactly on time."""
        start = datetime(2000, 1, 1)
        offsets, now, failures = [0.0], start, 0
        while True:
            failures += 1
            following = self.next_attempt_at(start, now, failures, rng)
            if following is None:
                return offsets
            now = following
            offsets.append((now - start).total_seconds())


@dataclass(frozen=True)
class DeliveryConfig:
    retry: RetryPolicy = RetryPolicy()
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    block_private: bool = True

    @classmethod
    def from_settings(cls, settings) -> "DeliveryConfig":
        return cls(
            retry=RetryPolicy.from_settings(settings),
            connect_timeout_s=settings.delivery_connect_timeout_s,
            read_timeout_s=settings.delivery_read_timeout_s,
            block_private=settings.block_private_callbacks,
        )

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout_s, self.read_timeout_s)

    @property
    def dispatch_lease_s(self) -> float:
        # How long a dispatched event is left alone while its task waits in the queue and runs.
        # Only a lost task ever waits this out; a duplicate task is harmless (see attempt_delivery).
        return max(60.0, 4 * (self.connect_timeout_s + self.read_timeout_s))


# --- outbound hardening -------------------------------------------------------------------------


def resolve_host(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _address_refused(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparseable address"
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address hidden in IPv6 (::ffff:10.0.0.1, 6to4, Teredo) is judged as itself too.
        for embedded in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if embedded is not None:
                candidates.append(embedded)
    for candidate in candidates:
        for label in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
            if getattr(candidate, f"is_{label}"):
                return label
        if not candidate.is_global:
            return "not_global"  # e.g. 100.64.0.0/10 shared address space
    return None


def check_destination(url: str, resolve: Resolver = resolve_host) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to any non-public address.

    Every resolved address must be public: a name with one private A record
    among public ones is refused, since the client may pick either. The check
    and the connection resolve separately, so `guarded_post_callback` checks
    the address actually connected to as well (a DNS answer that changed in
    between: rebinding).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination("callback_url is not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedDestination("callback_url has an invalid port")
    try:
        addresses = list(resolve(parts.hostname, port))
    except (OSError, UnicodeError):
        raise RefusedDestination("callback host does not resolve")
    if not addresses:
        raise RefusedDestination("callback host does not resolve")
    for address in addresses:
        reason = _address_refused(address)
        if reason is not None:
            raise RefusedDestination(f"callback host resolves to a {reason} address")


_REFUSED_PEER = "kavalu-refused-peer"


class _PeerCheckedConnection:
    """Refuses the socket when the address it connected to is not public, whatever DNS said before."""

    def _new_conn(self):
        sock = super()._new_conn()
        try:
            address = sock.getpeername()[0]
        except OSError:
            address = ""
        reason = _address_refused(address)
        if reason is not None:
            sock.close()
            raise urllib3.exceptions.NewConnectionError(self, f"{_REFUSED_PEER}: connected to a {reason} address")
        return sock


class _PeerCheckedHTTPConnection(_PeerCheckedConnection, urllib3.connection.HTTPConnection):
    pass


class _PeerCheckedHTTPSConnection(_PeerCheckedConnection, urllib3.connection.HTTPSConnection):
    pass


class _PeerCheckedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _PeerCheckedHTTPConnection


class _PeerCheckedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _PeerCheckedHTTPSConnection


class _PeerCheckedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PeerCheckedHTTPPool, "https": _PeerCheckedHTTPSPool}


def _post(url: str, body: bytes, headers: dict, timeout: tuple[float, float], adapter) -> int:
    # trust_env=False: no proxy from the environment (it would connect where we did not check)
    # and no .netrc credentials sent to a publisher. max_retries=0: one attempt is one request.
    with requests.Session() as http:
        http.trust_env = False
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        with http.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True) as response:
            return response.status_code


def post_callback(url: str, body: bytes, headers: dict, timeout: tuple[float, float]) -> int:
    """POST once; return the status code. Redirects are not followed (a 3xx is a failed attempt)."""
    return _post(url, body, headers, timeout, requests.adapters.HTTPAdapter(max_retries=0))


def guarded_post_callback(url: str, body: bytes, headers: dict, timeout: tuple[float, float]) -> int:
    """post_callback that also refuses to talk to a non-public address it got connected to."""
    return _post(url, body, headers, timeout, _PeerCheckedAdapter(max_retries=0))


def _describe_failure(error: BaseException) -> str:
    # Only the kind of failure: exception messages can carry the URL, which may hold a publisher's token.
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError):
        text = str(error)
        if _REFUSED_PEER in text:
            return "refused: connected to a non-public address"
        if "Connection refused" in text or "ConnectionRefusedError" in text:
            return "connection_refused"
        return "connection_error"
    if type(error).__name__ == "SoftTimeLimitExceeded":
        return "timeout"
    return f"error: {type(error).__name__}"


# --- one attempt --------------------------------------------------------------------------------


@dataclass
class AttemptResult:
    event_id: str
    outcome: str  # delivered | retry | failed | missing | busy | already_delivered | already_failed | not_due | stale
    publisher_id: str | None = None
    delivery_id: str | None = None
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
    config: DeliveryConfig = DeliveryConfig(),
    resolve: Resolver = resolve_host,
    expected_attempts: int | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> AttemptResult:
    """Make one delivery attempt of a pending event; the caller commits.

    The row is locked with FOR UPDATE SKIP LOCKED for the whole attempt, so two
    workers never deliver one event at once: the second one gets `busy` and
    leaves it. A task sent by the dispatcher carries `expected_attempts` and
    gives up (`stale`) if another attempt happened since; a task without it
    (the one enqueued after the decision's commit, or a redelivery) attempts
    only a due event. So a duplicated or late task never delivers twice or
    ahead of the schedule, and an acknowledged event is never sent again.
    (A worker killed after the publisher answered 2xx but before the commit
    sends the event once more: delivery is at least once, and receivers
    dedupe on `event_id`.)

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
    if event.status != PENDING:
        result.outcome = f"already_{event.status}"
        return result
    if expected_attempts is not None and event.attempts != expected_attempts:
        result.outcome = "stale"
        return result
    if expected_attempts is None and as_utc(event.next_attempt_at) > as_utc(now):
        result.outcome = "not_due"
        return result

    publisher = session.get(Publisher, event.publisher_id)
    if not publisher.callback_url:
        event.status, event.last_error = FAILED, NO_CALLBACK_URL
        result.outcome, result.error = FAILED, NO_CALLBACK_URL
        return result
    result.delivery_id = new_id("dlv")
    body = encode_payload(event.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        PUBLISHER_HEADER: publisher.id,
        SIGNATURE_HEADER: signature_header(publisher.signing_secret, body, int(now.timestamp())),
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
    except Exception as error:  # noqa: BLE001  any failure to get an answer is a failed attempt
        result.error = _describe_failure(error)
    result.latency_ms = round((timer() - started) * 1000, 1)
    if result.status_code is not None and not 200 <= result.status_code < 300:
        result.error = "redirect_not_followed" if 300 <= result.status_code < 400 else f"http_{result.status_code}"

    session.add(DeliveryAttempt(event_id=event.id, delivery_id=result.delivery_id, attempted_at=now,
                                status_code=result.status_code, latency_ms=result.latency_ms, error=result.error))
    session.flush()
    event.attempts += 1
    event.last_status_code = result.status_code
    event.last_error = result.error
    if result.error is None:
        event.status, event.delivered_at = DELIVERED, now
        result.outcome = DELIVERED
        return result
    # Counted from the end of the attempt: a 10 s timeout must not eat into the wait before the next one.
    failed_at = now + timedelta(milliseconds=result.latency_ms)
    following = config.retry.next_attempt_at(_series_started_at(session, event), failed_at, event.attempts, rng)
    if following is None:
        event.status = FAILED
        result.outcome = FAILED
    else:
        event.next_attempt_at = following
        result.next_attempt_at = following
        result.outcome = "retry"
    return result


# --- dispatching due events ---------------------------------------------------------------------


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
            func.row_number().over(partition_by=OutboundEvent.publisher_id,
                                   order_by=(OutboundEvent.next_attempt_at, OutboundEvent.id)).label("rank"),
        )
        .where(OutboundEvent.status == PENDING, OutboundEvent.next_attempt_at <= now)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.id).where(ranked.c.rank <= per_publisher)
        .order_by(ranked.c.rank, ranked.c.next_attempt_at, ranked.c.id).limit(limit)
    )
    return [row.id for row in rows]


def claim_due_events(session: Session, now: datetime | None = None, limit: int = 500, per_publisher: int = 25,
                     lease_s: float = 60.0) -> list[tuple[str, int]]:
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
        .where(OutboundEvent.id.in_(ids), OutboundEvent.status == PENDING, OutboundEvent.next_attempt_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    order = {event_id: position for position, event_id in enumerate(ids)}
    claimed = []
    for event in sorted(events, key=lambda e: order[e.id]):
        event.next_attempt_at = now + timedelta(seconds=lease_s)
        claimed.append((event.id, event.attempts))
    return claimed


# --- admin: listing and redelivery --------------------------------------------------------------


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


def list_events(session: Session, status: str | None = None, publisher_id: str | None = None,
                limit: int = 100, after: str | None = None) -> list[OutboundEvent]:
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


def failed_events(session: Session, publisher_id: str | None = None, limit: int = 100, after: str | None = None) -> list[dict]:
    """What admins see of the events whose retries ran out (for the admin API and the CLI)."""
    return [event_view(e) for e in list_events(session, FAILED, publisher_id, limit, after)]


def attempts_of(session: Session, event_id: str) -> list[DeliveryAttempt]:
    return list(session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.event_id == event_id).order_by(DeliveryAttempt.id)
    ))


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
    event.status = PENDING
    event.attempts = 0
    event.next_attempt_at = now
    event.delivered_at = None
    return event


def redeliver_failed(session: Session, publisher_id: str | None = None, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    query = select(OutboundEvent).where(OutboundEvent.status == FAILED).with_for_update()
    if publisher_id is not None:
        query = query.where(OutboundEvent.publisher_id == publisher_id)
    ids = []
    for event in session.scalars(query):
        event.status, event.attempts, event.next_attempt_at, event.delivered_at = PENDING, 0, now, None
        ids.append(event.id)
    return ids


# --- the pull feed ------------------------------------------------------------------------------


class InvalidCursor(ValueError):
    pass


MAX_CURSOR = 2 ** 63 - 1


def parse_cursor(raw: str | None) -> int:
    """The feed cursor is the last decision's sequence number, as a decimal string (clients treat it as opaque)."""
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > MAX_CURSOR:
        raise InvalidCursor("after must be a cursor returned as `next` by this feed")
    return int(raw)


def decision_view(decision: Decision, external_id: str) -> dict:
    """The same fields as a callback's `data`, plus the feed sequence."""
    return {
        "sequence": str(decision.id),
        "id": decision.comment_id,
        "comment_id": external_id,
        "revision": decision.revision,
        "status": decision.status,
        "decided_by": decision.decided_by,
        "reasons": decision.reasons,
        "scores": decision.scores,
        "decided_at": as_utc(decision.decided_at),
    }


def decision_feed(session: Session, publisher_id: str, after: str | None, limit: int) -> dict:
    """Final decisions of one publisher after the cursor, oldest first: {"data", "next", "has_more"}.

    `next` is always set (to the incoming cursor when the page is empty), so a
    client simply polls with the `next` it last got.
    """
    position = parse_cursor(after)
    rows = session.execute(
        select(Decision, Comment.external_id)
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Decision.publisher_id == publisher_id, Decision.id > position, Decision.status.in_(FINAL_STATUSES))
        .order_by(Decision.id)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [decision_view(decision, external_id) for decision, external_id in rows]
    return {"data": items, "next": items[-1]["sequence"] if items else str(position), "has_more": has_more}
