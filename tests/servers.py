"""Servers of a test's own (PostgreSQL, Redis) on free loopback ports, so a drill can stop, freeze or restart
them without touching the servers other tests use."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.processes import free_port, wait_until

# The newest PostgreSQL server installed (Debian puts each major version under /usr/lib/postgresql).
PG_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name), default=Path("/nonexistent")
)


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=60, **kwargs)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port, so a drill can freeze it (SIGSTOP)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kavalu-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if not self.data.exists():
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "postgres.log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            "-w",
            "-t",
            "30",
            "start",
        )

    def pids(self) -> list[int]:
        """The postmaster and every backend and helper process it started."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False, timeout=10
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> list[int]:
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        return pids

    @staticmethod
    def thaw(pids: list[int]) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def restart(self) -> None:
        """A fast restart (`pg_ctl restart -m fast`): every connection is cut, the server is back within seconds."""
        log = str(self.dir / "postgres.log")  # restart forgets start's -l: without it the server keeps our pipe open
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-m", "fast", "-w", "-t", "30", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.thaw(self.pids())  # never leave a frozen server behind
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A Redis of our own (no persistence: a restart empties it, as a crash of an unconfigured one would)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, 10, interval=0.05, message="private redis")

    def answers(self) -> bool:
        ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False, timeout=5)
        return ping.stdout.strip() == b"PONG"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
