"""Load test: N publishers post signed comments at a fixed rate through the whole stack, on one or more APIs.

Run:  .venv/bin/python bench/load.py [--rate 50] [--duration 60] [--publishers 5]
      .venv/bin/python bench/load.py --apis 2 --workers 4 --rate 50 --duration 60   # scale-out
      .venv/bin/python bench/load.py --find-max 30,50,80,120   # highest rate that still drains within 60 s
Needs PostgreSQL and Redis on this machine, as for the tests (a scratch database `kavalu_bench`, Redis DB 13).

Starts --apis gunicorn instances (each on its own port, --api-workers sync workers each), --workers scoring
workers, a delivery worker and beat (tests/stack.py) against one PostgreSQL and one Redis, and a callback
receiver on loopback. The publishers take turns to post, rate comments a second in all, round-robin over the
APIs, each sent at its scheduled time from a pool of 64 sender threads (open loop), for --duration seconds;
then the script waits up to 60 s after the last comment was due for every decision and delivery.

Every accepted comment's final decision is then looked for through the API itself: each publisher's pull
feed (GET /v1/decisions, signed), and GET /v1/comments/<id> for those not in it (a comment a scorer sent to
review is decided, and waits for a person). It prints offered / accepted / decided / delivered; lost
(answered 202 but no decision found through the API), duplicated (more than one decision event for one
comment revision, in the feed or in the database) and 5xx counts; intake p50/p99 (from the time each comment
was due, so a backlog in front of the APIs counts) and decision p50/p99 (received_at to decided_at).
Figures: docs/benchmarks.md.
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

from bench.abuse_model import cpu_description  # noqa: E402
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


def start_extra_api(stack, index: int):
    """Another gunicorn on the stack's database and Redis, on a port of its own (tests/stack.py starts one)."""
    import subprocess

    from tests.processes import REPO_ROOT, free_port, wait_for_http

    port = free_port()
    with open(stack.workdir / f"api-{index}.log", "a") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(REPO_ROOT / "config/gunicorn.conf.py"),
                "--workers",
                str(stack.api_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "service.wsgi:app",
            ],
            env=stack.env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(base_url + "/healthz", timeout=60)
    return process, base_url


def signed_get(http, base_url: str, path: str, publisher_id: str, secret: str) -> dict:
    headers = {
        "X-Kavalu-Publisher": publisher_id,
        "X-Kavalu-Signature": signature_header(secret, b"", int(time.time())),
    }
    response = http.get(base_url + path, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()


def decisions_through_the_api(base_url: str, keys: list, accepted: dict[str, int]) -> dict:
    """What each publisher can see: its feed (final decisions) and, for the rest, each comment's status."""
    http = requests.Session()
    feed: Counter = Counter()
    for publisher_id, secret in keys:
        cursor = ""
        while True:
            page = signed_get(http, base_url, f"/v1/decisions?after={cursor}&limit=500", publisher_id, secret)
            feed.update((item["id"], item["revision"]) for item in page["data"])
            cursor = page["next"]
            if not page["has_more"]:
                break
    in_feed = {comment_id for comment_id, _ in feed}
    statuses: Counter = Counter()
    for comment_id, publisher_index in accepted.items():
        if comment_id in in_feed:
            statuses["final (feed)"] += 1
            continue
        publisher_id, secret = keys[publisher_index]
        status = signed_get(http, base_url, f"/v1/comments/{comment_id}", publisher_id, secret)["status"]
        statuses[status] += 1
    return {
        "found": sum(c for s, c in statuses.items() if s != "pending"),
        "by_status": dict(statuses),
        "duplicate_feed_events": sum(1 for count in feed.values() if count > 1),
    }


def run(
    rate: float,
    duration: float,
    publisher_count: int,
    api_workers: int,
    drain_s: float = 60,
    apis: int = 1,
    scoring_workers: int = 2,
) -> dict:
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
        scoring_workers=scoring_workers,
    ).start()
    extra = [start_extra_api(stack, index) for index in range(1, apis)]
    base_urls = [stack.base_url, *(url for _, url in extra)]
    latencies, statuses, lock = [], Counter(), threading.Lock()
    accepted_ids: dict[str, int] = {}
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
        comment_id = None
        try:
            response = http.post(base_urls[n % len(base_urls)] + "/v1/comments", data=body, headers=headers, timeout=10)
            status = response.status_code
            if status == 202:
                comment_id = response.json()["id"]
        except requests.RequestException:
            status = "error"
        with lock:
            if comment_id is not None:
                accepted_ids[comment_id] = n % publisher_count
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
            "SELECT count(*) FROM (SELECT 1 FROM decisions GROUP BY comment_id, revision HAVING count(*) > 1) d"
        ).fetchone()[0]
        decision_latency = [
            row[0]
            for row in conn.execute(
                "SELECT extract(epoch FROM d.decided_at - c.received_at) FROM decisions d JOIN comments c ON c.id = d.comment_id"
            )
        ]
        events = conn.execute("SELECT count(*) FROM outbound_events").fetchone()[0]
    through_api = decisions_through_the_api(base_urls[-1], keys, accepted_ids)
    for process, _ in extra:
        process.terminate()
    stack.stop()
    for process, _ in extra:
        process.wait(timeout=30)
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
        "duplicate_feed_events": through_api["duplicate_feed_events"],
        "answered_202": len(accepted_ids),
        "found_through_api": through_api["found"],
        "status_through_api": through_api["by_status"],
        # Accepted (202) but no decision found through the API; and offered comments never stored.
        "lost": len(accepted_ids) - through_api["found"],
        "not_stored": offered - accepted,
        "apis": apis,
        "scoring_workers": scoring_workers,
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
    parser.add_argument("--apis", type=int, default=1, help="API instances (gunicorn on ports of their own)")
    parser.add_argument("--api-workers", type=int, default=2, help="gunicorn sync workers per API instance")
    parser.add_argument("--workers", type=int, default=2, help="scoring workers (one process each)")
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for decisions after the last post")
    parser.add_argument("--find-max", default="", help="comma-separated rates to try in turn")
    options = parser.parse_args()
    rates = [float(r) for r in options.find_max.split(",")] if options.find_max else [options.rate]
    print(f"CPU: {cpu_description()}", flush=True)
    print(
        f"{options.publishers} publishers; {options.apis} API instance(s) x {options.api_workers} gunicorn workers; "
        f"{options.workers} scoring workers; {options.duration:.0f} s per rate",
        flush=True,
    )
    for rate in rates:
        result = run(
            rate,
            options.duration,
            options.publishers,
            options.api_workers,
            drain_s=options.drain,
            apis=options.apis,
            scoring_workers=options.workers,
        )
        print(json.dumps(result))
        drained = result["drained_in_s"] < options.drain and result["lost"] == 0
        duplicated = max(result["duplicate_decisions"], result["duplicate_feed_events"])
        print(
            f"rate {rate:g}/s: offered {result['offered']} accepted {result['answered_202']} "
            f"decided {result['found_through_api']} (through the API) delivered {result['delivered']}/{result['events']}"
            f" | lost {result['lost']} dup {duplicated} 5xx {result['server_errors']} | intake p50 "
            f"{result['intake_p50_ms']} ms p99 {result['intake_p99_ms']} ms | decision p50 {result['decision_p50_ms']} ms"
            f" p99 {result['decision_p99_ms']} ms | last answer {result['answered_in_s']} s after the last comment was"
            f" due, {'drained' if drained else 'DID NOT DRAIN'} {result['drained_in_s']} s after it",
            flush=True,
        )


if __name__ == "__main__":
    main()
