"""Instructions per intake request in the API process, counted by valgrind: the one intake figure that repeats.

Run:  .venv/bin/python bench/intake_instructions.py
Needs: PostgreSQL and Redis as for the tests, and valgrind (Debian: apt-get install valgrind).

wrk's figures (bench/intake.py) move by up to half between runs on a shared VM; instruction counts move by
about 1 %. Each endpoint is driven in process, through the app's WSGI callable (no gunicorn, no sockets), under
`valgrind --tool=callgrind` twice: 200 warm-up requests then SHORT requests, and 200 then LONG; the difference
divided by LONG - SHORT is one request's cost, without start-up and warm-up. It prints that for a new signed
comment (POST /v1/comments, 202) and for a bare GET /healthz, and their ratio. PostgreSQL's and Redis's own
work is not counted: bench/intake.py's CPU per answer includes it.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import cpu_description  # noqa: E402
from bench.intake import BROKER_URL, DATABASE_URL, drop_database, setup_database, write_requests  # noqa: E402

WARM_UP, SHORT, LONG = 200, 100, 500


def drive(endpoint: str, requests_file: str, count: int) -> None:
    """Run WARM_UP + count requests through the app in this process (the child valgrind runs)."""
    from service.wsgi import app

    lines = Path(requests_file).read_text().splitlines() if endpoint == "intake" else []

    def environ(n: int) -> dict:
        if endpoint == "healthz":
            return _environ("GET", "/healthz", b"", {})
        publisher, signature, body = lines[n].split("\t", 2)
        headers = {"CONTENT_TYPE": "application/json", "HTTP_X_KAVALU_PUBLISHER": publisher}
        return _environ("POST", "/v1/comments", body.encode(), {**headers, "HTTP_X_KAVALU_SIGNATURE": signature})

    want = "202" if endpoint == "intake" else "200"
    statuses: list[str] = []
    for n in range(WARM_UP + count):
        b"".join(app(environ(n), lambda status, headers, exc_info=None: statuses.append(status)))
        if not statuses[-1].startswith(want):
            sys.exit(f"request {n} answered {statuses[-1]}, not {want}")


def _environ(method: str, path: str, body: bytes, headers: dict) -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8087",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **headers,
    }


def instructions(endpoint: str, requests_file: str, count: int, env: dict) -> int:
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}/callgrind.out",
                sys.executable,
                __file__,
                "--drive",
                endpoint,
                "--requests-file",
                requests_file,
                "--count",
                str(count),
            ],
            env=env,
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            sys.exit(f"the {endpoint} run failed:\n{result.stderr[-3000:]}")
        collected = re.search(r"Collected : (\d+)", result.stderr)
        assert collected, result.stderr[-2000:]
        return int(collected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drive", choices=["intake", "healthz"], help=argparse.SUPPRESS)
    parser.add_argument("--requests-file", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.drive:
        drive(options.drive, options.requests_file, options.count)
        return

    print(f"CPU: {cpu_description()}", flush=True)
    publisher_id, secret = setup_database()
    workdir = Path(tempfile.mkdtemp(prefix="kavalu-instr-"))
    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        BROKER_URL=BROKER_URL,
        KAVALU_LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=str(workdir),
        KAVALU_RATE_LIMIT_PER_AUTHOR_IP="100000000/minute",
        KAVALU_RATE_LIMIT_PER_PUBLISHER="100000000/minute",
    )
    try:
        per_request = {}
        for endpoint in ("intake", "healthz"):
            counts = []
            for count in (SHORT, LONG):
                # Distinct comments in each run: the second run's are new too.
                requests_file = workdir / f"{endpoint}-{count}.tsv"
                write_requests(requests_file, publisher_id, secret, WARM_UP + count, first=count * 10_000)
                counts.append(instructions(endpoint, str(requests_file), count, env))
            per_request[endpoint] = (counts[1] - counts[0]) / (LONG - SHORT)
            print(f"{endpoint}: {per_request[endpoint] / 1e6:.2f} M instructions per request", flush=True)
        print(f"an intake request costs {per_request['intake'] / per_request['healthz']:.2f}x a bare GET /healthz")
    finally:
        drop_database()


if __name__ == "__main__":
    main()
