"""docker-compose.yml validates: `docker compose config -q` where the compose plugin works, and always the
structural check of scripts/check_compose.py (the services, healthchecks, migration order, volumes, events)."""

from __future__ import annotations

import copy
import importlib.util
import os
import subprocess
import sys

import pytest
import yaml

from tests.processes import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "check_compose.py"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"


def _load_checker():
    spec = importlib.util.spec_from_file_location("kavalu_check_compose", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_compose = _load_checker()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_file_validates():
    # Uses `docker compose config -q` too when a compose client works on this machine; CI must have one
    # (.ci/run installs Debian's docker-compose).
    require = ["--require-compose"] if os.environ.get("CI") else []
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(COMPOSE_FILE), *require],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "structural check: ok" in result.stdout


def test_structural_check_passes(compose):
    assert check_compose.structural_problems(compose) == []


def _broken(compose: dict, change) -> list[str]:
    broken = copy.deepcopy(compose)
    change(broken)
    return check_compose.structural_problems(broken)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda c: c["services"].pop("flower"), "service `flower` is missing"),
        (lambda c: c["services"]["worker"].pop("healthcheck"), "service `worker` has no healthcheck"),
        (lambda c: c["services"]["api"]["depends_on"].pop("migrate"), "`api` does not wait for `migrate`"),
        (
            lambda c: c["services"]["api"]["depends_on"]["migrate"].update(condition="service_started"),
            "`api` does not wait for `migrate`",
        ),
        (lambda c: c["services"]["postgres"].pop("volumes"), "`postgres` keeps no volume"),
        (lambda c: c["services"]["worker"]["command"].remove("-E"), "`worker` does not send task events"),
        (
            lambda c: c["services"]["postgres"]["environment"].update(POSTGRES_PASSWORD="hunter2"),
            "literal value for POSTGRES_PASSWORD",
        ),
        (
            lambda c: c["services"]["postgres"]["environment"].update(
                POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-hunter2}"
            ),
            "gives POSTGRES_PASSWORD a default value",
        ),
        (
            lambda c: c["services"]["api"]["environment"].update(KAVALU_BLOCK_PRIVATE_CALLBACKS="false"),
            "`api` does not set KAVALU_BLOCK_PRIVATE_CALLBACKS=true",
        ),
        (
            lambda c: c["services"]["worker-deliveries"]["environment"].update(KAVALU_SEALING_KEYS=""),
            "`worker-deliveries` has no KAVALU_SEALING_KEYS",
        ),
        (
            lambda c: c["services"]["worker"]["healthcheck"].update(test=["CMD-SHELL", "ping -d celery@$(hostname)"]),
            "bad variable syntax",
        ),
    ],
)
def test_structural_check_catches(compose, change, expected):
    problems = _broken(compose, change)
    assert any(expected in problem for problem in problems), problems


def test_required_variables_get_placeholders_only_for_the_check():
    text = COMPOSE_FILE.read_text()
    assert check_compose.required_variables(text) >= {"POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH", "KAVALU_SEALING_KEYS"}
