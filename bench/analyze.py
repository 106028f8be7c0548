"""Synchronous scoring benchmark: POST /v1/analyze and Perspective's comments:analyze on a 300-character comment.

Run:  .venv/bin/python bench/analyze.py [--rate 20] [--duration 30] [--workers 2] [--api-workers 4] [--clients 16]
Needs PostgreSQL and Redis on this machine, as for the tests (a scratch database `kavalu_bench`, Redis DB 13).

Starts gunicorn (--api-workers sync workers) and --workers analyze workers (Celery, one process each, the shipped
model), then:
1. latency: each endpoint at a fixed --rate (open loop: each request sent at its scheduled time) for --duration
   seconds; p50 / p99 / max and the non-200 count (goal: p50 <= 50 ms, p99 <= 150 ms at 20 requests/s);
2. throughput: --clients threads sending back to back for --duration seconds (goal: >= 100 requests/s with 2
   workers);
3. the bare model in the same run: the scoring pipeline called in-process on the same text, one at a time (as
   the analyze task scores it) and in batches of 32, one torch thread; every category ("all", what /v1/analyze
   scores by default) and toxicity alone (what comments:analyze with TOXICITY and /v1/analyze with
   `categories: ["toxicity"]` score).
It prints the CPU model and its SIMD flags first. It asserts nothing: the figures are for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import BROKER_URL, PG_ADMIN  # noqa: E402

# A scratch database of its own: another benchmark may be using kavalu_bench on this machine.
DATABASE_NAME = "kavalu_bench_analyze"
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE_NAME


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE_NAME}")


TEXT = (
    "The council's decision to delay the water audit again is hard to understand. Residents in the eastern wards "
    "have had brown water for months, and the last report promised answers by March. Publish the findings, name "
    "the contractors responsible, and tell us when the pipes will be fixed, before the monsoon arrives again."
)[:300]


def cpu() -> str:
    try:
        from bench.abuse_model import cpu_description

        return cpu_description()
    except Exception as error:  # another helper's module: never let it stop this benchmark
        return f"unknown ({type(error).__name__})"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def bare_model(threads: int) -> dict:
    """In a child process: the pipeline alone, batch 1 and batch 32, on the benchmark's text."""
    import torch

    from service.config import Settings
    from service.scoring.jobs import ScoringJob
    from workers.scoring.pipeline import get_pipeline

    torch.set_num_threads(threads)
    settings = Settings.from_env()
    pipeline = get_pipeline(settings)
    pipeline.warm_up()
    policy = settings.default_policy
    figures = {}
    for name, categories in (("all", None), ("toxicity", frozenset({"toxicity"}))):
        job = ScoringJob("bench", 1, TEXT, "", "", "en", policy, categories)
        for _ in range(5):
            pipeline.score([job])
        n, started = 100, time.perf_counter()
        for _ in range(n):
            pipeline.score([job])
        one = n / (time.perf_counter() - started)
        batches, started = 10, time.perf_counter()
        for _ in range(batches):
            pipeline.score([job] * 32)
        batched = batches * 32 / (time.perf_counter() - started)
        figures[name] = {"batch_1_per_s": round(one, 1), "batch_32_per_s": round(batched, 1)}
    return figures


class Endpoint:
    def __init__(self, name: str, url: str, body: dict, headers: dict):
        self.name, self.url, self.body, self.headers = name, url, body, headers

    def call(self, session: requests.Session) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            status = session.post(self.url, json=self.body, headers=self.headers, timeout=30).status_code
        except requests.RequestException:
            status = 0
        return time.perf_counter() - started, status


_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def open_loop(endpoint: Endpoint, rate: float, duration: float) -> dict:
    """Each request sent at its scheduled time; latency counted from that time (a backlog counts)."""
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def one(due: float) -> None:
        time.sleep(max(0.0, due - time.perf_counter()))
        _, status = endpoint.call(_session())
        with lock:
            results.append((time.perf_counter() - due, status))

    with ThreadPoolExecutor(64) as pool:
        for i in range(int(rate * duration)):
            pool.submit(one, start + i / rate)
    latencies = [latency for latency, status in results if status == 200]
    return {
        "requests": len(results),
        "non_200": sum(1 for _, status in results if status != 200),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
    }


def closed_loop(endpoint: Endpoint, clients: int, duration: float) -> dict:
    stop = time.perf_counter() + duration
    counts = [0] * clients
    errors = [0] * clients

    def run(index: int) -> None:
        session = requests.Session()
        while time.perf_counter() < stop:
            _, status = endpoint.call(session)
            if status == 200:
                counts[index] += 1
            else:
                errors[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"requests_per_s": round(sum(counts) / seconds, 1), "ok": sum(counts), "non_200": sum(errors)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--api-workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker and for the bare model")
    parser.add_argument("--bare-model-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_model_child:
        print(json.dumps(bare_model(args.threads)))
        return 0

    from service.apikeys import keys
    from service.config import Settings
    from service.db import Database
    from service.migrate import upgrade
    from service.publishers import accounts
    from tests.processes import free_port, start_celery_worker, stop_process, wait_for_http

    print(f"CPU: {cpu()}", flush=True)
    print(f"text: {len(TEXT)} characters; API: {args.api_workers} gunicorn workers; {args.workers} analyze workers")
    fresh_database()
    redis.Redis.from_url(BROKER_URL).delete("analyze")  # only this benchmark's queue: the DB may be shared
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "BROKER_URL": BROKER_URL,
        "KAVALU_ANALYZE_TIMEOUT_S": "10",
        "KAVALU_RATE_LIMIT_PER_API_KEY": "100000/second",
        "KAVALU_TORCH_THREADS": str(args.threads),
        "KAVALU_LOG_LEVEL": "WARNING",
    }
    settings = Settings.from_env(env)
    upgrade(settings)
    with Database(settings).session() as session:
        publisher, _ = accounts.create(session, "Bench Daily", None)
        _, analyze_key = keys.create(session, publisher.id, "analyze", store_text=False)
        _, perspective_key = keys.create(session, publisher.id, "perspective", store_text=False)

    workdir = Path(tempfile.mkdtemp(prefix="kavalu-bench-analyze-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = []
    try:
        with open(workdir / "api.log", "w") as log:
            api = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config/gunicorn.conf.py"), "--workers",
                 str(args.api_workers), "--bind", f"127.0.0.1:{port}", "service.wsgi:app"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append(api)
        wait_for_http(base + "/healthz", 60)
        for index in range(args.workers):
            processes.append(start_celery_worker(env, workdir / f"analyze-{index}.log", queues="analyze"))
        endpoints = [
            Endpoint("/v1/analyze", base + "/v1/analyze", {"text": TEXT}, {"Authorization": f"Bearer {analyze_key}"}),
            Endpoint(
                "/v1/analyze tox",
                base + "/v1/analyze",
                {"text": TEXT, "categories": ["toxicity"]},
                {"Authorization": f"Bearer {analyze_key}"},
            ),
            Endpoint(
                "comments:analyze",
                f"{base}/v1alpha1/comments:analyze?key={perspective_key}",
                {"comment": {"text": TEXT}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True},
                {},
            ),
        ]
        for endpoint in endpoints:  # warm: every API thread's first call, connections, the workers' first batches
            closed_loop(endpoint, args.clients, 3)
        for endpoint in endpoints:
            figures = open_loop(endpoint, args.rate, args.duration)
            print(f"latency  {endpoint.name:<17} at {args.rate:g}/s for {args.duration:g} s: {json.dumps(figures)}")
        for endpoint in endpoints:
            figures = closed_loop(endpoint, args.clients, args.duration)
            print(
                f"throughput {endpoint.name:<15} {args.clients} clients, {args.workers} workers: {json.dumps(figures)}"
            )
    finally:
        for process in processes:
            stop_process(process)
    child = subprocess.run(
        [sys.executable, __file__, "--bare-model-child", "--threads", str(args.threads)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    bare = json.loads(lines[-1]) if lines else {"error": child.stderr[-500:]}
    print(f"bare model (pipeline in-process, {args.threads} torch thread(s), one process): {json.dumps(bare)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
