"""Load test: N publishers post signed comments at a fixed rate through the whole stack.

Run:  .venv/bin/python bench/load.py [--rate 50] [--duration 60] [--publishers 5]
      .venv/bin/python bench/load.py --find-max 30,50,80,120   # highest rate that still drains within 60 s
Needs PostgreSQL and Redis on this machine, as for the tests.

Starts gunicorn, two scoring workers, a delivery worker and beat (tests/stack.py), and a callback
receiver on loopback. The publishers take turns to post, rate comments a second in all, each sent at its
scheduled time from a pool of 64 sender threads (open loop), for --duration seconds; then the
script waits up to 60 s after the last comment was due for every answer, decision and delivery, and
prints offered / accepted / decided / delivered, lost and duplicated counts, 5xx answers, intake
p50/p99 (from the time each comment was due, so a backlog in front of the API counts) and decision
latency p50/p99 (received_at to decided_at, from PostgreSQL). Figures in the README come from the 2-core development VM.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import BROKER_URL, DATABASE_URL, PRODUCTION_TIMINGS, fresh_database  # noqa: E402
from service.publishers.signing import signature_header  # noqa: E402

TEXTS = [
    "Good to see the talks in Goa moving forward.",
    "The summit in July should help trade between the two countries.",
    "Thanks for a clear report on the meeting of the foreign ministers.",
    "I hope the energy projects get going soon, the region needs them.",
    "Not sure this visit changes much, but talking is better than not talking.",
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(rate: float, duration: float, publisher_count: int, api_workers: int, drain_s: float = 60) -> dict:
    import redis

    from service.config import Settings
    from service.db import Database
    from service.migrate import upgrade
    from service.publishers import accounts as publishers
    from tests.receiver import Receiver
    from tests.stack import Stack

    fresh_database()
    redis.Redis.from_url(BROKER_URL).flushdb()
    settings = Settings.from_env({**os.environ, "DATABASE_URL": DATABASE_URL, "BROKER_URL": BROKER_URL})
    upgrade(settings)
    database = Database(settings)
    receiver = Receiver()
    keys = []
    with database.session() as session:
        for n in range(publisher_count):
            publisher, secret = publishers.create(session, f"load-{n}", receiver.url)
            keys.append((publisher.id, secret))
    receiver.secret = None  # several secrets; signatures are checked by the delivery tests
    stack = Stack(
        Path(tempfile.mkdtemp(prefix="kavalu-load-")),
        DATABASE_URL,
        BROKER_URL,
        env={"KAVALU_TORCH_THREADS": "1", **PRODUCTION_TIMINGS},
        api_workers=api_workers,
        scoring_workers=2,
    ).start()
    latencies, statuses, lock = [], Counter(), threading.Lock()
    sessions = threading.local()

    def post(n: int, due: float) -> None:
        publisher_id, secret = keys[n % publisher_count]
        if not hasattr(sessions, "http"):
            sessions.http = requests.Session()  # one keep-alive connection per sender thread
        http = sessions.http
        body = json.dumps(
            {
                "comment_id": f"l-{n}",
                "article": {"id": "a-1", "title": "Load article"},
                "author": {"name": f"Reader {n}", "email": f"r{n}@example.in", "ip": f"198.51.100.{n % 250}"},
                "text": TEXTS[n % len(TEXTS)] + f" #{n}",
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Kavalu-Publisher": publisher_id,
            "X-Kavalu-Signature": signature_header(secret, body, int(time.time())),
        }
        try:
            status = http.post(stack.base_url + "/v1/comments", data=body, headers=headers, timeout=10).status_code
        except requests.RequestException:
            status = "error"
        with lock:
            # From the time it was due, so waiting for a free sender (the API is behind) counts as latency.
            latencies.append(time.monotonic() - due)
            statuses[status] += 1

    # Open loop: each comment is due at its scheduled time, whether or not earlier ones were answered,
    # and its intake latency counts from then; a lower rate than offered shows up as latency, not hidden.
    total = int(rate * duration)
    with ThreadPoolExecutor(max_workers=64) as senders:
        began = time.monotonic()
        for n in range(total):
            due = began + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            senders.submit(post, n, due)
    schedule_end = began + total / rate
    answered_in = time.monotonic() - schedule_end  # the last answers came this long after the last comment was due
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        while time.monotonic() - schedule_end < drain_s:
            pending = conn.execute("SELECT count(*) FROM comments WHERE status = 'pending'").fetchone()[0]
            undelivered = conn.execute("SELECT count(*) FROM outbound_events WHERE status <> 'delivered'").fetchone()[0]
            if pending == 0 and undelivered == 0:
                break
            time.sleep(0.5)
        drained_in = time.monotonic() - schedule_end
        accepted = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
        decided = conn.execute("SELECT count(DISTINCT comment_id) FROM decisions").fetchone()[0]
        duplicate_decisions = conn.execute(
            "SELECT count(*) FROM (SELECT comment_id FROM decisions GROUP BY comment_id HAVING count(*) > 1) d"
        ).fetchone()[0]
        decision_latency = [
            row[0]
            for row in conn.execute(
                "SELECT extract(epoch FROM d.decided_at - c.received_at) FROM decisions d JOIN comments c ON c.id = d.comment_id"
            )
        ]
        events = conn.execute("SELECT count(*) FROM outbound_events").fetchone()[0]
    stack.stop()
    database.dispose()
    delivered = Counter(r["body"]["event_id"] for r in receiver.accepted())
    receiver.close()
    offered = sum(statuses.values())
    return {
        "rate": rate,
        "offered": offered,
        "answered_in_s": round(answered_in, 1),
        "accepted": accepted,
        "decided": decided,
        "events": events,
        "delivered": len(delivered),
        "duplicate_deliveries": sum(1 for c in delivered.values() if c > 1),
        "duplicate_decisions": duplicate_decisions,
        "lost": offered - decided,
        "server_errors": sum(c for s, c in statuses.items() if isinstance(s, int) and s >= 500),
        "statuses": dict(statuses),
        "drained_in_s": round(drained_in, 1),
        "intake_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "intake_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "decision_p50_ms": round(float(statistics.median(decision_latency)) * 1000, 1) if decision_latency else None,
        "decision_p99_ms": round(float(percentile(decision_latency, 0.99)) * 1000, 1) if decision_latency else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--publishers", type=int, default=5)
    parser.add_argument("--api-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--find-max", default="", help="comma-separated rates to try in turn")
    options = parser.parse_args()
    rates = [float(r) for r in options.find_max.split(",")] if options.find_max else [options.rate]
    print(
        f"{os.cpu_count()} CPUs; {options.publishers} publishers; {options.api_workers} API workers; "
        f"{options.duration:.0f} s per rate"
    )
    for rate in rates:
        result = run(rate, options.duration, options.publishers, options.api_workers)
        print(json.dumps(result))
        drained = result["drained_in_s"] < 60 and result["lost"] == 0
        print(
            f"rate {rate:g}/s: offered {result['offered']} accepted {result['accepted']} decided {result['decided']} "
            f"delivered {result['delivered']}/{result['events']} lost {result['lost']} dup {result['duplicate_decisions']} "
            f"5xx {result['server_errors']} | intake p50 {result['intake_p50_ms']} ms p99 {result['intake_p99_ms']} ms | "
            f"decision p50 {result['decision_p50_ms']} ms p99 {result['decision_p99_ms']} ms | "
            f"last answer {result['answered_in_s']} s after the last comment was due, "
            f"{'drained' if drained else 'DID NOT DRAIN'} {result['drained_in_s']} s after it"
        )


if __name__ == "__main__":
    main()
