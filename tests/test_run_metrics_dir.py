"""`kavalu run` removes the metrics folders that earlier runs, killed with SIGKILL, left in memory (/dev/shm)."""

from __future__ import annotations

import os
import subprocess
import sys

from service.cli import run


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_metrics_folders_of_dead_runs_are_removed_and_a_live_runs_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SHARED_MEMORY", str(tmp_path), raising=False)  # in place of /dev/shm
    dead, live = _dead_pid(), os.getpid()
    # As a run killed with SIGKILL leaves its folder: with the files its processes wrote.
    abandoned = tmp_path / f"kavalu-metrics-{dead}-k1l2e3d4"
    abandoned.mkdir()
    (abandoned / "counter_123.db").write_bytes(b"\0" * 64)
    (abandoned / "nested").mkdir()
    running = tmp_path / f"kavalu-metrics-{live}-r5u6n7s8"  # another `kavalu run`, still going
    running.mkdir()
    (running / "counter_456.db").write_bytes(b"\0" * 64)
    # Not Kavalu's (another name, or a folder of an older version, whose pid nobody knows), or a link: left alone.
    others = [tmp_path / "kavalu-metrics-abc123", tmp_path / f"someone-else-{dead}-x", tmp_path / "outside"]
    for folder in others:
        folder.mkdir()
        (folder / "keep").write_text("x")
    link = tmp_path / f"kavalu-metrics-{dead}-l1n2k3s4"
    link.symlink_to(tmp_path / "outside", target_is_directory=True)

    made = run._metrics_dir()

    assert not abandoned.exists()
    assert (running / "counter_456.db").is_file()
    assert all((folder / "keep").is_file() for folder in others)
    assert link.is_symlink() and (tmp_path / "outside" / "keep").is_file()
    # The new folder is named by this process's pid, so that a later run knows whether its owner is alive, and is
    # not removed by the next run while this one lives.
    assert os.path.dirname(made) == str(tmp_path)
    assert os.path.basename(made).startswith(f"kavalu-metrics-{live}-")
    assert run._metrics_dir() != made and os.path.isdir(made)
