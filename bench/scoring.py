"""Scoring throughput: the real pipeline (API -> Redis -> worker -> PostgreSQL) against the bare model.

Run:  .venv/bin/python bench/scoring.py [--comments 2400] [--workers 2] [--torch-threads 1] [--rounds 3]
Needs PostgreSQL and Redis on this machine, as for the tests, and ../shared/data/abuse/abuse_train.csv.

The corpus is a fixed, source-balanced sample of typical comments (under 100 words) from the shared
training file, read at run time. Both sides use the same layout: `--workers` processes with
`--torch-threads` torch threads each (the default, 2 x 1, is what two cores do best).

- bare model: each process loads the default abuse model through DetoxifyAbuseScorer and scores its
  share of the corpus in batches; comments/s = corpus / slowest process.
- pipeline: gunicorn, `--workers` Celery scoring workers, the deliveries worker and beat, with the
  production sweep settings. The workers' scoring consumers are paused (Celery remote control), the
  corpus is posted, signed, through the API, then the consumers resume and the clock runs until every
  comment has its decision in PostgreSQL. So the figure is what the queue, the database, all scorers
  and the decision engine sustain together; the intake figure is printed apart (bench/intake.py is
  the intake benchmark).

The two are measured in alternating rounds (one stack, a new publisher each round); each round's
ratio compares runs a few seconds apart, and the median of those is the figure: on a shared VM one
measurement of either side can be 10 % off.

Prints comments/s for both, per round and as medians, and the median ratio. Figures in
the README were taken on the 2-core VM named there.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import DEFAULT_DATA, corpus  # noqa: E402
from service.publishers.signing import signature_header  # noqa: E402

PG_ADMIN = os.environ.get("KAVALU_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = os.environ.get("KAVALU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kavalu_bench")
BROKER_URL = os.environ.get("KAVALU_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
# The stack's production sweep, lease and delivery timings, not the short ones the reliability tests use.
PRODUCTION_TIMINGS = {
    "KAVALU_SWEEP_INTERVAL_S": "30",
    "KAVALU_SWEEP_STALE_AFTER_S": "60",
    "KAVALU_SCORING_LEASE_S": "120",
    "KAVALU_DELIVERY_DISPATCH_INTERVAL_S": "10",
}


def fresh_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kavalu_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE kavalu_bench")


def _scoring_env(threads: int, batch_size: int) -> dict:
    return {"KAVALU_TORCH_THREADS": str(threads), "KAVALU_SCORING_BATCH_SIZE": str(batch_size)}


def _bare_worker(texts, threads, batch_size, ready, go, results):
    from service.config import Settings
    from workers.scoring.abuse import get_abuse_scorer

    # The scorer the workers build, from the same settings (precision, micro-batch size and token budget).
    scorer = get_abuse_scorer(Settings.from_env({**os.environ, **_scoring_env(threads, batch_size)}))
    scorer.score_texts(texts[:32])  # warm up
    ready.release()
    go.wait()
    started = time.perf_counter()
    scorer.score_texts(texts)
    results.put(time.perf_counter() - started)


def bare_model(texts: list[str], workers: int, threads: int, batch_size: int) -> float:
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [
        context.Process(target=_bare_worker, args=(texts[n::workers], threads, batch_size, ready, go, results))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    go.set()
    slowest = max(results.get() for _ in processes)
    for process in processes:
        process.join()
    return len(texts) / slowest


class Pipeline:
    """The whole stack on a fresh database, kept running across rounds."""

    def __init__(self, workers: int, threads: int, batch_size: int):
        import redis
        from celery import Celery

        from service.config import Settings
        from service.db import Database
        from service.migrate import upgrade
        from tests.stack import Stack

        fresh_database()
        redis.Redis.from_url(BROKER_URL).flushdb()
        settings = Settings.from_env({**os.environ, "DATABASE_URL": DATABASE_URL, "BROKER_URL": BROKER_URL})
        upgrade(settings)
        self.database = Database(settings)
        self.workers = workers
        self.stack = Stack(
            Path(tempfile.mkdtemp(prefix="kavalu-scoring-")),
            DATABASE_URL,
            BROKER_URL,
            env={**_scoring_env(threads, batch_size), **PRODUCTION_TIMINGS},
            api_workers=2,
            scoring_workers=workers,
        )
        self.stack.start()
        self.control = Celery(broker=BROKER_URL).control
        self.rounds = 0

    def run(self, texts: list[str]) -> tuple[float, float]:
        """Post the corpus while the scoring consumers are paused, then time the drain.
        Returns (pipeline comments/s, intake comments/s)."""
        from service.publishers import accounts as publishers

        # A publisher per round: the same texts again would be duplicates of the last round's.
        self.rounds += 1
        with self.database.session() as session:
            publisher, secret = publishers.create(session, f"bench-{self.rounds}", None)
            publisher_id = publisher.id
        replies = self.control.cancel_consumer("scoring", reply=True, timeout=5)
        assert len(replies) == self.workers + 1, f"expected every worker to pause its consumer: {replies}"
        http = requests.Session()
        started = time.perf_counter()
        for n, text in enumerate(texts):
            body = json.dumps(
                {
                    "comment_id": f"s-{n}",
                    "article": {"id": "a-1", "title": "Bench article"},
                    "author": {"name": f"Reader {n}", "email": f"r{n}@example.in", "ip": "203.0.113.9"},
                    "text": text,
                }
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Kavalu-Publisher": publisher_id,
                "X-Kavalu-Signature": signature_header(secret, body, int(time.time())),
            }
            assert (
                http.post(self.stack.base_url + "/v1/comments", data=body, headers=headers, timeout=30).status_code
                == 202
            )
        posting = time.perf_counter() - started
        time.sleep(1)  # let the API's last metrics and logs settle
        started = time.perf_counter()
        for worker in self.stack.scoring:
            self.control.add_consumer("scoring", destination=[worker.hostname], reply=False)
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            while conn.execute("SELECT EXISTS (SELECT 1 FROM comments WHERE status = 'pending')").fetchone()[0]:
                time.sleep(0.05)  # often enough to be within 1 % of a drain of seconds, rarely enough to cost nothing
        elapsed = time.perf_counter() - started
        return len(texts) / elapsed, len(texts) / posting

    def stop(self) -> None:
        self.stack.stop()
        self.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2400)
    parser.add_argument("--workers", type=int, default=2, help="scoring processes, on both sides")
    parser.add_argument("--torch-threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare and pipeline runs, alternating; medians are reported"
    )
    options = parser.parse_args()
    texts = corpus(DEFAULT_DATA, options.comments)
    words = sum(len(t.split()) for t in texts) / len(texts)
    layout = f"{options.workers} processes x {options.torch_threads} torch threads"
    print(f"corpus: {len(texts)} comments, mean {words:.0f} words; {os.cpu_count()} CPUs; {layout}")
    pipeline = Pipeline(options.workers, options.torch_threads, options.batch_size)
    bare, through, intake = [], [], []
    try:
        for round_number in range(1, options.rounds + 1):
            bare.append(bare_model(texts, options.workers, options.torch_threads, options.batch_size))
            comments_per_s, posted_per_s = pipeline.run(texts)
            through.append(comments_per_s)
            intake.append(posted_per_s)
            print(
                f"round {round_number}: bare model {bare[-1]:7.1f}/s   pipeline {through[-1]:7.1f}/s   "
                f"ratio {through[-1] / bare[-1]:.0%}",
                flush=True,
            )
    finally:
        pipeline.stop()
    ratios = [pipeline_rate / bare_rate for pipeline_rate, bare_rate in zip(through, bare)]
    print(
        f"bare model (DetoxifyAbuseScorer, batches of {options.batch_size}):  {statistics.median(bare):7.1f} comments/s (median)"
    )
    print(
        f"pipeline (queue -> worker, all scorers -> PostgreSQL): {statistics.median(through):7.1f} comments/s (median)"
    )
    print(
        f"pipeline / bare model: {statistics.median(ratios):.0%} (median of the rounds' ratios; "
        f"{min(ratios):.0%}-{max(ratios):.0%})   intake, one client, while paused: {statistics.median(intake):.0f} comments/s"
    )


if __name__ == "__main__":
    main()
