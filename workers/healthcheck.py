"""The workers' container healthchecks: `python -m workers.healthcheck [--deliveries]`.

Scoring (the default): exits 0 only when a scoring pool process of a worker on this host has its models loaded
and has written its heartbeat within KAVALU_HEARTBEAT_MAX_AGE_S, and is not stalled (while a comment has been pending
for over KAVALU_SCORING_STALL_S, it finished a task within that time); 1 otherwise (no process can score here, every
one is stalled, or the database does not answer). A stalled process's heartbeat thread lives on while tasks no longer
reach it (a frozen main process, a job lost with a dead pool child): restarting the worker is the cure. `celery inspect ping` answers from the worker's main process, which stays up while
every pool process is dead or being killed as it loads: this asks the processes that score.

`--deliveries`: exits 0 only when the database answers and this container's sealing keys open the publishers'
signing secrets (service/sealing.py), without which every callback it sends fails to be signed; the delivery
worker's `celery inspect ping` covers the rest.

It loads no model and no Celery application: a short process, run every 30 s.
"""

from __future__ import annotations

import argparse
import socket
import sys

from service.config import Settings
from service.db import Database
from service.ops.heartbeats import fresh_scoring_processes
from service.publishers.accounts import check_sealing_keys
from service.sealing import SealingError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=socket.gethostname(), help="The host part of the worker's name (%%h).")
    parser.add_argument("--max-age", type=float, default=None, help="Seconds; default KAVALU_HEARTBEAT_MAX_AGE_S.")
    parser.add_argument("--deliveries", action="store_true", help="Check a delivery worker's container instead.")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    max_age = settings.heartbeat_max_age_s if args.max_age is None else args.max_age
    database = Database(settings)
    try:
        with database.session() as session:
            if args.deliveries:
                check_sealing_keys(session)
            else:
                ready = fresh_scoring_processes(session, max_age, host=args.host, stall_s=settings.scoring_stall_s)
    except SealingError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        print(f"unhealthy: database unavailable ({type(error).__name__})", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    if args.deliveries:
        print("ok: the sealing keys open the publishers' signing secrets")
        return 0
    if not ready:
        print(
            f"unhealthy: no scoring process on {args.host} with a heartbeat in {max_age:g} s that is not stalled"
            f" (a comment pending for over {settings.scoring_stall_s:g} s and no task finished since)",
            file=sys.stderr,
        )
        return 1
    print(f"ok: {ready} scoring process(es) on {args.host}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
