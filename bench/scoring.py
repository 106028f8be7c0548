"""Scoring throughput: the real pipeline (API -> Redis -> worker -> PostgreSQL) against the bare model.

Run:  .venv/bin/python bench/scoring.py [--comments 600] [--torch-threads 2]
Needs PostgreSQL and Redis on this machine, as for the tests, and ../shared/data/abuse/abuse_train.csv.

The corpus is a fixed, source-balanced sample of typical comments (under 100 words) from the shared
training file, read at run time. The bare model scores it in batches through DetoxifyAbuseScorer in
this process; the pipeline run posts the same texts, signed, to gunicorn and times until every
comment has a decision in PostgreSQL. Both use the same torch thread count. Prints comments/s for
each and their ratio. Figures in the README were taken on the 2-core development VM.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import DEFAULT_DATA, corpus  # noqa: E402
from service.signing import signature_header  # noqa: E402

PG_ADMIN = os.environ.get("KAVALU_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = os.environ.get("KAVALU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kavalu_bench")
BROKER_URL = os.environ.get("KAVALU_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")


def fresh_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kavalu_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE kavalu_bench")


def bare_model(texts: list[str], threads: int, batch_size: int) -> float:
    import torch

    from workers.scoring.abuse import DetoxifyAbuseScorer

    torch.set_num_threads(threads)
    scorer = DetoxifyAbuseScorer(batch_size=batch_size, num_threads=threads)
    scorer.score_texts(texts[:32])  # warm up
    started = time.perf_counter()
    scorer.score_texts(texts)
    return len(texts) / (time.perf_counter() - started)


def pipeline(texts: list[str], threads: int, batch_size: int) -> tuple[float, float]:
    import redis

    from service import publishers
    from service.config import Settings
    from service.db import Database
    from service.migrate import upgrade
    from tests.stack import Stack

    fresh_database()
    redis.Redis.from_url(BROKER_URL).flushdb()
    env = {"KAVALU_TORCH_THREADS": str(threads), "KAVALU_SCORING_BATCH_SIZE": str(batch_size)}
    settings = Settings.from_env({**os.environ, "DATABASE_URL": DATABASE_URL, "BROKER_URL": BROKER_URL})
    upgrade(settings)
    database = Database(settings)
    with database.session() as session:
        publisher, secret = publishers.create(session, "bench", None)
        publisher_id = publisher.id
    stack = Stack(Path(tempfile.mkdtemp(prefix="kavalu-scoring-")), DATABASE_URL, BROKER_URL, env=env, api_workers=2)
    stack.start()
    try:
        bodies = []
        for n, text in enumerate(texts):
            body = json.dumps({"comment_id": f"s-{n}", "article": {"id": "a-1", "title": "Bench article"},
                               "author": {"name": f"Reader {n}", "email": f"r{n}@example.in", "ip": "203.0.113.9"},
                               "text": text}).encode()
            bodies.append(body)
        http = requests.Session()
        started = time.perf_counter()
        for body in bodies:
            headers = {"Content-Type": "application/json", "X-Kavalu-Publisher": publisher_id,
                       "X-Kavalu-Signature": signature_header(secret, body, int(time.time()))}
            assert http.post(stack.base_url + "/v1/comments", data=body, headers=headers, timeout=30).status_code == 202
        posted = time.perf_counter() - started
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            while conn.execute("SELECT count(*) FROM comments WHERE status = 'pending'").fetchone()[0]:
                time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stack.stop()
        database.dispose()
    return len(texts) / elapsed, posted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=600)
    parser.add_argument("--torch-threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    options = parser.parse_args()
    texts = corpus(DEFAULT_DATA, options.comments)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"corpus: {len(texts)} comments, mean {words:.0f} words; {os.cpu_count()} CPUs, torch threads {options.torch_threads}")
    bare = bare_model(texts, options.torch_threads, options.batch_size)
    print(f"bare model (DetoxifyAbuseScorer, batches of {options.batch_size}): {bare:7.1f} comments/s")
    through, posting = pipeline(texts, options.torch_threads, options.batch_size)
    print(f"pipeline (API -> Redis -> worker -> PostgreSQL):      {through:7.1f} comments/s  (posting took {posting:.1f}s)")
    print(f"pipeline / bare model: {through / bare:.0%}")


if __name__ == "__main__":
    main()
