"""`kavalu models train` and `train-defamation-head` from an installed wheel, away from the checkout.

The wheel is built from a copy of the package sources and installed with `pip --target`; its commands
run from an empty folder, with nothing of the checkout on the path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import REPO_ROOT

pytestmark = pytest.mark.slow
# The wheel is built offline, with the setuptools of this environment (pyproject's build requirement).
pytest.importorskip("setuptools", minversion="77")

WHEEL_SOURCES = ("pyproject.toml", "README.md", "service", "workers", "config")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel installed into its own folder: the environment and folder its commands run with."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    for name in WHEEL_SOURCES:
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(REPO_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(root / "wheel"), str(source)],
        check=True,
        cwd=root,
    )
    [wheel] = (root / "wheel").glob("kavalu-*.whl")
    site = root / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], check=True)
    workdir = root / "work"
    workdir.mkdir()
    # The project's dependencies come from this interpreter's site-packages; kavalu only from the wheel.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    return {"site": site, "env": env, "cwd": workdir, "kavalu": str(site / "bin" / "kavalu")}


def run_installed(installed: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [installed["kavalu"], *args],
        check=False,
        env=installed["env"],
        cwd=installed["cwd"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_commands_import_kavalu_from_the_wheel(installed):
    where = subprocess.run(
        [sys.executable, "-c", "import service, workers; print(service.__file__); print(workers.__file__)"],
        env=installed["env"],
        cwd=installed["cwd"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for module_file in where:
        assert Path(module_file).is_relative_to(installed["site"]), module_file
    assert run_installed(installed, "--version").stdout.strip() == "kavalu 0.1.0"


def test_train_help_and_missing_data_from_an_install(installed):
    shown = run_installed(installed, "models", "train", "--help")
    assert shown.returncode == 0 and "--data" in shown.stdout
    missing = run_installed(installed, "models", "train")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "error: no training data: give --data PATH (a CSV with columns text,label[,source])"
    ]


def test_a_short_training_run_from_an_install_writes_a_checkpoint_that_loads(installed, tmp_path):
    data = tmp_path / "train.csv"
    rows = ["text,label,source"]
    for i in range(8):
        rows += [f"you are an idiot {i},1,forum", f"thanks for the report {i},0,forum"]
        rows += [f"shut up you moron {i},1,news", f"the council meets on day {i},0,news"]
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "model"
    trained = run_installed(
        installed,
        *("models", "train", "--data", str(data), "--out-dir", str(out)),
        *("--steps", "3", "--batch-size", "4", "--max-length", "16", "--threads", "1", "--tune-steps", "2"),
        timeout=180,
    )
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "%|" not in trained.stderr  # no progress bar: stderr is not a terminal
    checkpoint = out / "kavalu-minilm-abuse.ckpt"
    assert checkpoint.is_file() and (out / "hf_config" / "config.json").is_file()
    assert not (installed["cwd"] / "kavalu-abuse-model").exists()  # --out-dir was honoured

    # Stage 2 tuned the top layers alone, on the authored templates shipped in the package, and saved only them.
    import numpy as np

    from service.scoring.jobs import ScoringInput
    from workers.scoring.abuse import DetoxifyAbuseScorer

    with np.load(out / "transformer_tuning.npz") as tuning:
        tuned = set(tuning.files)
    assert tuned and all(
        name.startswith(("bert.encoder.layer.4.", "bert.encoder.layer.5.", "bert.pooler.", "classifier."))
        for name in tuned
    ), tuned
    scorer = DetoxifyAbuseScorer(checkpoint=checkpoint, blend=False, precision="fp32")
    assert "+tuned@" in scorer.model_version
    [result] = scorer.score_batch([ScoringInput("you are an idiot")])
    assert 0.0 <= result.scores["toxicity"] <= 1.0


def test_the_defamation_head_trains_from_an_install(installed, tmp_path):
    head = tmp_path / "head.json"
    trained = run_installed(installed, "models", "train-defamation-head", "--out", str(head), timeout=180)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    fitted = json.loads(head.read_text())
    assert len(fitted["weights"]) == 384 and "threshold" in fitted
