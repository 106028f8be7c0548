#!/usr/bin/env python3
"""Validate docker-compose.yml.

1. A structural check in Python (PyYAML), always: the services Kavalu needs exist, every long-running one has a
   healthcheck, migrations complete before the API and workers start, PostgreSQL keeps its data in a named
   volume, the workers send events for Flower, and no secret has a literal value.
2. `docker compose config -q` when the compose plugin works (it needs no Docker daemon), else a standalone
   `docker-compose`, else nothing more (say so). Required variables (${VAR:?...}) that are unset get a
   placeholder for this check only.

Usage: scripts/check_compose.py [FILE] [--require-compose] [--structural-only]
Exit status 0 when valid; the problems are printed otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPO / "docker-compose.yml"

REQUIRED_SERVICES = ("postgres", "redis", "migrate", "api", "worker", "worker-deliveries", "beat", "flower")
ONE_SHOT = {"migrate"}
KAVALU_SERVICES = ("migrate", "api", "worker", "worker-deliveries", "beat", "flower")
AFTER_MIGRATIONS = ("api", "worker", "worker-deliveries", "beat")
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|BASIC_AUTH|API_KEY|SEALING_KEYS", re.I)
# $$ (a literal $), ${NAME...} and $NAME are what compose accepts; anything else after a $ is an error.
DOLLAR = re.compile(r"\$(\$|\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)")
REQUIRED_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?")


def _command_words(service: dict) -> list[str]:
    command = service.get("command") or []
    if isinstance(command, str):
        return command.split()
    return [str(word) for word in command]


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def _depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _mount(mount) -> tuple[str | None, str | None]:
    if isinstance(mount, str):
        parts = mount.split(":")
        return (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
    return mount.get("source"), mount.get("target")


def _healthcheck_test(service: dict) -> list[str] | None:
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable"):
        return None
    test = check.get("test")
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if not test or test[0] == "NONE":
        return None
    return [str(word) for word in test]


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def structural_problems(compose: dict) -> list[str]:
    """Everything wrong with a parsed compose file, as sentences; empty when it is fine."""
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
        return ["no top-level `services` mapping"]
    problems: list[str] = []
    services: dict = compose["services"]
    volumes = compose.get("volumes") or {}

    for name in REQUIRED_SERVICES:
        if name not in services:
            problems.append(f"service `{name}` is missing")
    for name, service in services.items():
        if not isinstance(service, dict):
            problems.append(f"service `{name}` is not a mapping")
            continue
        if not (service.get("image") or service.get("build")):
            problems.append(f"service `{name}` has neither image nor build")
        if name not in ONE_SHOT and _healthcheck_test(service) is None:
            problems.append(f"service `{name}` has no healthcheck")
        for dependency in _depends_on(service):
            if dependency not in services:
                problems.append(f"service `{name}` depends on unknown service `{dependency}`")
    services = {name: service for name, service in services.items() if isinstance(service, dict)}

    def words(name: str) -> list[str]:
        return _command_words(services.get(name, {}))

    # Migrations first, then the API and workers.
    if "migrate" in services:
        if words("migrate")[-2:] != ["db", "upgrade"]:
            problems.append("`migrate` does not run `kavalu db upgrade`")
        if _depends_on(services["migrate"]).get("postgres") != "service_healthy":
            problems.append("`migrate` does not wait for postgres to be healthy")
    for name in AFTER_MIGRATIONS:
        if name in services and _depends_on(services[name]).get("migrate") != "service_completed_successfully":
            problems.append(f"`{name}` does not wait for `migrate` to complete successfully")
    if "api" in services:
        api_words = words("api")
        if "gunicorn" not in api_words[:1] or "config/gunicorn.conf.py" not in api_words:
            problems.append("`api` does not run gunicorn with config/gunicorn.conf.py")
        if "0.0.0.0:8000" not in api_words:
            problems.append("`api` does not bind 0.0.0.0:8000")
        if _depends_on(services["api"]).get("redis") != "service_healthy":
            problems.append("`api` does not wait for redis to be healthy")
        if "/healthz" not in " ".join(_healthcheck_test(services["api"]) or []):
            problems.append("`api` healthcheck does not call /healthz")

    # PostgreSQL data in a named volume.
    if "postgres" in services:
        mounts = [_mount(m) for m in services["postgres"].get("volumes") or []]
        sources = [source for source, target in mounts if target == "/var/lib/postgresql/data"]
        if not sources:
            problems.append("`postgres` keeps no volume at /var/lib/postgresql/data")
        elif not any(source in volumes for source in sources):
            problems.append("`postgres` data volume is not a named volume declared under top-level `volumes`")

    # Workers: their queues, and events on for Flower.
    # The deliveries workers also run the sweeper and the dispatcher (the maintenance queue).
    for name, queue in (("worker", "analyze,scoring"), ("worker-deliveries", "deliveries,maintenance")):
        if name not in services:
            continue
        w = words(name)
        if w[:4] != ["celery", "-A", "workers.celery_app", "worker"]:
            problems.append(f"`{name}` does not run `celery -A workers.celery_app worker`")
        queue_args = [w[i + 1] for i, word in enumerate(w[:-1]) if word in ("-Q", "--queues")]
        queue_args += [word.split("=", 1)[1] for word in w if word.startswith(("-Q=", "--queues="))]
        if queue_args != [queue]:
            problems.append(f"`{name}` does not consume exactly the `{queue}` queue (-Q {queue})")
        if not ({"-E", "--task-events"} & set(w)):
            problems.append(f"`{name}` does not send task events (-E) for Flower")
    if "worker-deliveries" in services and (
        _environment(services["worker-deliveries"]).get("KAVALU_PRELOAD_MODELS", "").lower() != "false"
    ):
        problems.append("`worker-deliveries` does not set KAVALU_PRELOAD_MODELS=false")
    if "beat" in services and words("beat")[:4] != ["celery", "-A", "workers.celery_app", "beat"]:
        problems.append("`beat` does not run `celery -A workers.celery_app beat`")
    if "flower" in services and "flower" not in words("flower"):
        problems.append("`flower` does not run `celery ... flower`")
        if "/healthcheck" not in " ".join(_healthcheck_test(services["flower"]) or []):
            problems.append("`flower` healthcheck does not call /healthcheck")

    # Settings every Kavalu process needs.
    for name in KAVALU_SERVICES:
        if name not in services:
            continue
        env = _environment(services[name])
        for key in ("DATABASE_URL", "BROKER_URL", "REDIS_URL"):
            if not env.get(key):
                problems.append(f"`{name}` has no {key}")
        if env.get("KAVALU_BLOCK_PRIVATE_CALLBACKS", "").lower() != "true":
            problems.append(f"`{name}` does not set KAVALU_BLOCK_PRIVATE_CALLBACKS=true")
        # Each container has a data folder of its own: a key file there would differ from one to the next.
        if not env.get("KAVALU_SEALING_KEYS"):
            problems.append(f"`{name}` has no KAVALU_SEALING_KEYS")

    # No literal secrets: they come from variables.
    for name, service in services.items():
        for key, value in _environment(service).items():
            if SECRET_KEY.search(key) and value and "${" not in value:
                problems.append(f"`{name}` has a literal value for {key}; take it from a variable")
            if SECRET_KEY.search(key) and re.search(r"\$\{\w+:?[-+]", value):
                problems.append(f"`{name}` gives {key} a default value; require it with ${{VAR:?message}}")
        for key, value in _environment(service).items():
            if key == "DATABASE_URL" and re.match(r"^[a-z+]+://[^:/@]+:[^$@][^@]*@", value):
                problems.append(f"`{name}` DATABASE_URL holds a literal password")

    for text in _strings(compose):
        stripped = DOLLAR.sub("", text)
        if "$" in stripped:
            problems.append(f"bad variable syntax (use $$ for a literal $): {text!r}")
    return problems


def required_variables(text: str) -> set[str]:
    return set(REQUIRED_VAR.findall(text))


def compose_command() -> list[str] | None:
    """`docker compose` if the plugin works, else a standalone `docker-compose`, else None."""
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        try:
            probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return command
    return None


def run_compose_config(command: list[str], path: Path, text: str) -> tuple[bool, str]:
    env = dict(os.environ)
    for name in required_variables(text):
        env.setdefault(name, "compose-check-placeholder")
    result = subprocess.run(
        [*command, "-f", str(path), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=path.parent,
        timeout=120,
        check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument(
        "--require-compose", action="store_true", help="fail when neither `docker compose` nor `docker-compose` works"
    )
    parser.add_argument("--structural-only", action="store_true", help="skip `docker compose config`")
    args = parser.parse_args(argv)
    path = Path(args.file).resolve()
    try:
        import yaml
    except ImportError:
        print("PyYAML is needed for the structural check: pip install pyyaml", file=sys.stderr)
        return 2
    text = path.read_text()
    try:
        compose = yaml.safe_load(text)
    except yaml.YAMLError as error:
        print(f"{path}: not valid YAML: {error}", file=sys.stderr)
        return 1
    problems = structural_problems(compose)
    for problem in problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    ok = not problems
    print(f"structural check: {'ok' if not problems else f'{len(problems)} problem(s)'}")

    if not args.structural_only:
        command = compose_command()
        if command is None:
            print("compose check: skipped (no working `docker compose` plugin or `docker-compose`)")
            if args.require_compose:
                print("--require-compose: no compose client", file=sys.stderr)
                ok = False
        else:
            valid, output = run_compose_config(command, path, text)
            print(f"compose check ({' '.join(command)} config -q): {'ok' if valid else 'FAILED'}")
            if not valid:
                print(output, file=sys.stderr)
                ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
