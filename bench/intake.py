"""Intake throughput: signed, valid, distinct comments through gunicorn + PostgreSQL + Redis, against a bare /healthz.

Run:  .venv/bin/python bench/intake.py [--duration 20] [--connections 32] [--workers 4]
Needs: PostgreSQL and Redis on this machine (as for the tests) and wrk (Debian/Ubuntu: `apt-get install wrk`;
macOS: `brew install wrk`).

It creates a scratch database `kavalu_bench` (dropped at the end) and uses Redis DB 13, starts gunicorn with
the production config (its own PROMETHEUS_MULTIPROC_DIR, rate limits on but raised out of the way), pre-signs
distinct comments (signatures are valid for 300 s), drives them with wrk for --duration seconds and prints
accepted/s (202 answers only), p50/p99 latency, every other answer and the CPU each answer cost (the API
workers', PostgreSQL's, Redis's, wrk's and the whole machine's, from /proc and getrusage); then drives a bare GET
/healthz with the same settings in the same run, as the ceiling of this stack on this machine, and prints the cost ratio by throughput and by CPU per answer; then
intake again at a fixed offered rate (--rate, 1,000/s), whose p99 is the latency at that load rather than at
saturation (wrk paces the sends with its delay() hook: closed loop per connection, so a stalled server is sent less).
It prints the CPU model and its SIMD flags first. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import cpu_description  # noqa: E402
from service.publishers.signing import signature_header  # noqa: E402

PG_ADMIN = os.environ.get("KAVALU_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = os.environ.get("KAVALU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kavalu_bench")
BROKER_URL = os.environ.get("KAVALU_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")

WRK_SCRIPT = r"""
local requests, i = {}, 0
-- With a rate (args[2], requests/s), sends are spread over a schedule: each request gets the next slot of
-- 1000/rate ms, and waits for it (wrk's delay()) if the slot is still ahead, so the offered load stays at the rate
-- while the server keeps up. Without one, every connection sends as soon as its last answer came.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } kavalu_timeval;
           int gettimeofday(kavalu_timeval *tv, void *tz); ]]
local clock = ffi.new("kavalu_timeval")
local function now_ms()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
end
local period_ms, next_slot = 0, nil
function init(args)
  local rate = tonumber(args[2] or "0")
  if rate > 0 then period_ms = 1000 / rate end
  for line in io.lines(args[1]) do
    local publisher, signature, body = line:match("^(%S+)\t(%S+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/v1/comments", {
      ["Content-Type"] = "application/json", ["X-Kavalu-Publisher"] = publisher,
      ["X-Kavalu-Signature"] = signature}, body)
  end
end
function delay()
  if period_ms == 0 then return 0 end
  local now = now_ms()
  next_slot = math.max(next_slot or now, now - 1000) + period_ms  -- never bank more than a second of slots
  return math.max(0, math.floor(next_slot - now))
end
-- one wrk thread walks the list once, so no comment is posted twice
function request()
  i = i + 1
  return requests[i % #requests + 1]
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
accepted, other = 0, 0
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("accepted")
    bad = bad + thread:get("other")
  end
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d, "non_2xx": %d, "accepted": %d, "not_202": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, ok, bad))
end
"""


def setup_database() -> tuple[str, str]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kavalu_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE kavalu_bench")
    env = dict(os.environ, DATABASE_URL=DATABASE_URL, BROKER_URL=BROKER_URL)
    subprocess.run(
        [sys.executable, "-c", "from service.cli.main import cli; cli()", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "-c", "from service.cli.main import cli; cli()", "publishers", "create", "--name", "bench"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fields = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return fields["publisher_id"], fields["signing_secret"]


def write_requests(path: Path, publisher_id: str, secret: str, count: int, first: int = 0) -> None:
    now = int(time.time())
    with open(path, "w") as out:
        for n in range(first, first + count):
            body = json.dumps(
                {
                    "comment_id": f"bench-{n}",
                    "article": {
                        "id": f"a-{n % 50}",
                        "title": "India-Russia ties look up ahead of Putin's possible Delhi visit",
                    },
                    "author": {
                        "name": f"Reader {n % 997}",
                        "email": f"reader{n % 997}@example.in",
                        "ip": f"203.0.113.{n % 250}",
                    },
                    "text": f"Comment number {n}: the talks in Goa look like progress, and the summit will tell us more.",
                },
                separators=(",", ":"),
            )
            out.write(f"{publisher_id}\t{signature_header(secret, body.encode(), now)}\t{body}\n")


def wrk(
    url: str, duration: int, connections: int, threads: int, script: Path | None = None, args: list[str] = ()
) -> dict:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if script:
        command += ["-s", str(script), url, "--", *args]
    else:
        command += ["-s", str(script_plain()), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def script_plain() -> Path:
    path = Path(tempfile.gettempdir()) / "kavalu_plain.lua"
    path.write_text(
        WRK_SCRIPT.split("local requests", maxsplit=1)[0]
        + """
function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""
    )
    return path


# Where the rest of the machine's CPU goes, by process name (/proc/PID/stat's comm).
PROGRAMS = {"postgres": "PostgreSQL", "redis-server": "Redis"}


def cpu_seconds(server_pid: int) -> tuple[dict[int, float], dict[str, float], float]:
    """CPU seconds used so far by each of gunicorn's workers (the children of `server_pid`), by PostgreSQL and
    Redis (every process of each), and by the whole machine (every core's busy time), from /proc.
    Throughput on a shared VM moves by a third from run to run; the CPU an answer costs moves much less, so both
    are printed."""
    tick = os.sysconf("SC_CLK_TCK")
    workers: dict[int, float] = {}
    programs = dict.fromkeys(PROGRAMS.values(), 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # user and system time
        if int(fields[1]) == server_pid:  # fields[1] is the parent's pid
            workers[int(entry)] = used
        program = PROGRAMS.get(stat[stat.index("(") + 1 : stat.rindex(")")])
        if program:
            programs[program] += used
    # user, nice, system, idle, iowait, irq, softirq: busy is all but idle and iowait (steal is the host's, not ours)
    times = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return workers, programs, (sum(times) - times[3] - times[4]) / tick


def measured(server_pid: int, run) -> tuple[dict, dict[int, float], dict[str, float], float]:
    """Run `run()` (one wrk run) and return its result with the CPU seconds each API worker, each other program
    and the machine used meanwhile."""
    api_before, programs_before, machine_before = cpu_seconds(server_pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    api_after, programs_after, machine_after = cpu_seconds(server_pid)
    api = {pid: api_after[pid] - api_before.get(pid, 0.0) for pid in api_after}
    programs = {name: programs_after[name] - programs_before[name] for name in programs_after}
    # wrk has exited by now, so /proc no longer has it: its CPU is that of this process's children reaped meanwhile
    programs["wrk"] = sum(getattr(children_after, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime"))
    return result, api, programs, machine_after - machine_before


def report(
    label: str, result: dict, api_cpu: dict[int, float], programs_cpu: dict[str, float], machine_cpu_s: float
) -> tuple[float, float]:
    """Print one wrk run; the rate is of 202 answers for intake, of all answers for /healthz. Returns the rate and
    the machine's CPU milliseconds per answer (API, PostgreSQL, Redis, wrk and the kernel together). The API
    workers' shares of their CPU show how evenly gunicorn's workers took wrk's connections."""
    seconds = result["duration_us"] / 1e6
    counted = result["accepted"] if "accepted" in result else result["requests"] - result["non_2xx"]
    rate = counted / seconds
    others = result.get("not_202", result["non_2xx"])
    answers = max(result["requests"], 1)
    machine_ms = machine_cpu_s * 1000 / answers
    api_cpu_s = sum(api_cpu.values())
    shares = " ".join(f"{100 * v / max(api_cpu_s, 1e-9):.0f}%" for v in sorted(api_cpu.values(), reverse=True))
    print(
        f"{label:>8}: {rate:8.0f}/s  p50 {result['p50_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms"
        f"  other answers {others}  socket errors {result['socket_errors']}  ({result['requests']} requests)\n"
        f"{'':>10}CPU per answer: API workers {api_cpu_s * 1000 / answers:.3f} ms (shares {shares}),"
        f" whole machine {machine_ms:.3f} ms\n{'':>10}of which "
        + ", ".join(f"{name} {seconds * 1000 / answers:.3f} ms" for name, seconds in programs_cpu.items())
        + f", the rest (kernel, gunicorn's arbiter, others) {machine_ms - (api_cpu_s + sum(programs_cpu.values())) * 1000 / answers:.3f} ms",
        flush=True,
    )
    return rate, machine_ms


def drop_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kavalu_bench WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8087)
    parser.add_argument(
        "--rate", type=int, default=1000, help="then intake again at this offered rate, for its p99 (0: skip)"
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("error: this benchmark drives the API with wrk, which is not installed (Debian: apt-get install wrk)")

    print(f"CPU: {cpu_description()}", flush=True)
    publisher_id, secret = setup_database()
    redis.Redis.from_url(BROKER_URL).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="kavalu-bench-"))
    requests_file = workdir / "requests.tsv"
    write_requests(requests_file, publisher_id, secret, count=options.duration * 4000)
    paced_file = workdir / "paced.tsv"  # other comments: the first run's would be retries (200), not new (202)
    write_requests(paced_file, publisher_id, secret, count=options.duration * options.rate * 2, first=10**7)
    (workdir / "intake.lua").write_text(WRK_SCRIPT)
    (workdir / "metrics").mkdir()

    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        BROKER_URL=BROKER_URL,
        KAVALU_LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
        # The limits are checked on every request (that cost is measured) but set high enough never to refuse.
        KAVALU_RATE_LIMIT_PER_AUTHOR_IP="100000000/minute",
        KAVALU_RATE_LIMIT_PER_PUBLISHER="100000000/minute",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config/gunicorn.conf.py"),
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{options.port}",
            "--log-level",
            "warning",
            "service.wsgi:app",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{options.port}"
    try:
        for _ in range(150):
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        print(
            f"gunicorn workers={options.workers}, wrk connections={options.connections}, duration={options.duration} s,"
            f" {os.cpu_count()} CPUs (wrk shares them)",
            flush=True,
        )

        def post_comments(requests: Path, rate: int = 0) -> tuple[dict, dict[int, float], dict[str, float], float]:
            """One wrk run of intake over `requests`, as fast as the connections go or at `rate` a second."""
            lua, args = workdir / "intake.lua", [str(requests), str(rate)]
            url = base + "/v1/comments"
            return measured(server.pid, lambda: wrk(url, options.duration, options.connections, 1, lua, args))

        intake, *cpu = post_comments(requests_file)
        intake_rate, intake_cpu = report("intake", intake, *cpu)
        healthz, *cpu = measured(server.pid, lambda: wrk(base + "/healthz", options.duration, options.connections, 1))
        healthz_rate, healthz_cpu = report("healthz", healthz, *cpu)
        print(
            f"an intake request costs {healthz_rate / max(intake_rate, 1e-9):.2f}x a bare GET /healthz by throughput,"
            f" {intake_cpu / max(healthz_cpu, 1e-9):.2f}x by the machine's CPU per answer (goal <= 2.5x)"
        )
        accepted = intake["accepted"]
        if options.rate:
            paced, *cpu = post_comments(paced_file, options.rate)
            report(f"at {options.rate}/s", paced, *cpu)
            accepted += paced["accepted"]
        print(
            "goal: >= 1,000 accepted/s with p99 <= 50 ms (the first intake line: as fast as 32 connections go;"
            f" the last: at {options.rate}/s offered); scoring tasks enqueued:"
            f" {redis.Redis.from_url(BROKER_URL).llen('scoring')}"
        )
        with psycopg.connect(DATABASE_URL) as conn:
            stored = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
        print(f"comments stored: {stored} (202 answers: {accepted})")
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database()
        redis.Redis.from_url(BROKER_URL).flushdb()


if __name__ == "__main__":
    main()
