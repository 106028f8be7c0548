"""The deployment files validate with the tools that consume them, and agree with the code.

- docker-compose.yml: `docker compose config -q` (or Debian's `docker-compose` 1.29), through scripts/check_compose.py.
- deploy/kubernetes/: `kubernetes-validate --strict` against recent Kubernetes versions, offline; kustomization.yaml
  lists every manifest; the shapes the operations guide relies on (one beat, probes, resources, CPU budget).
- deploy/prometheus/alerts.yml: `promtool check rules`; every kavalu_* metric and label exists in
  service/ops/metrics.py.
- deploy/grafana/kavalu.json: valid JSON, unique panel ids, a Prometheus datasource variable, only real metrics.

A missing tool (docker-compose, promtool, kubernetes-validate) fails the test when CI is set (.ci/run installs them)
and skips it elsewhere.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.processes import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "kavalu.json"
METRICS_SOURCE = REPO_ROOT / "service" / "ops" / "metrics.py"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
IMAGE = "kavalu:latest"
KAVALU_COMPONENTS = {"api", "worker-scoring", "worker-deliveries", "beat", "migrate"}
# Labels Prometheus adds when it scrapes (selectors may use them on any metric).
TARGET_LABELS = {"job", "instance", "namespace", "pod"}


def _missing(tool: str, how: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed; CI must have it ({how})")
    pytest.skip(f"{tool} is not installed, so this check cannot run here ({how}); CI installs it and fails without it")


def _tool(name: str, how: str) -> str:
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        _missing(name, how)
    return str(path)


# ---- metrics defined in the code --------------------------------------------------------------------------------

METRIC_CLASSES = {
    "Counter": "counter",
    "Gauge": "gauge",
    "Histogram": "histogram",
    "Summary": "summary",
    "CounterMetricFamily": "counter",
    "GaugeMetricFamily": "gauge",
    "HistogramMetricFamily": "histogram",
    "SummaryMetricFamily": "summary",
}


def _defined_metrics() -> dict[str, set[str]]:
    """Every series name service/ops/metrics.py exposes, with its labels (read from the source, not imported)."""
    series: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(METRICS_SOURCE.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        kind = METRIC_CLASSES.get(func or "")
        if kind is None or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        name = node.args[0].value
        label_node = node.args[2] if len(node.args) > 2 else None
        for keyword in node.keywords:
            if keyword.arg in ("labelnames", "labels"):
                label_node = keyword.value
        labels = set(ast.literal_eval(label_node)) if label_node is not None else set()
        if kind == "counter":
            base = name.removesuffix("_total")
            series[f"{base}_total"] = labels
            series[f"{base}_created"] = labels
        elif kind in ("histogram", "summary"):
            for suffix in ("_count", "_sum", "_created"):
                series[name + suffix] = labels
            if kind == "histogram":
                series[name + "_bucket"] = labels | {"le"}
        else:
            series[name] = labels
    return series


def test_the_metric_reader_finds_the_metrics():
    metrics = _defined_metrics()
    assert metrics["kavalu_tasks_total"] == {"task", "outcome"}
    assert metrics["kavalu_decision_latency_seconds_bucket"] == {"le"}
    assert metrics["kavalu_queue_depth"] == {"queue"}
    assert metrics["kavalu_oldest_pending_comment_age_seconds"] == set()
    assert "kavalu_decision_latency_seconds" not in metrics  # a histogram has no series of its bare name


METRIC_NAME = re.compile(r"\bkavalu_[A-Za-z0-9_]+")
SELECTOR = re.compile(r"\b(kavalu_[A-Za-z0-9_]+)\s*\{([^}]*)\}")
MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


def _metric_problems(expr: str, metrics: dict[str, set[str]]) -> list[str]:
    problems = []
    used = METRIC_NAME.findall(expr)
    for name in used:
        if name not in metrics:
            problems.append(f"{name} is not a metric defined in service/ops/metrics.py")
    for name, matchers in SELECTOR.findall(expr):
        for label in MATCHER.findall(matchers):
            if name in metrics and label not in metrics[name] | TARGET_LABELS:
                problems.append(f"{name} has no label {label!r}")
    known = set().union(*(metrics.get(name, set()) for name in used)) | TARGET_LABELS | {"le"}
    for group in GROUPING.findall(expr):
        for label in filter(None, (word.strip() for word in group.split(","))):
            if used and label not in known:
                problems.append(f"grouping by {label!r}, a label none of {sorted(set(used))} has")
    return problems


def test_the_metric_check_catches_unknown_names_and_labels():
    metrics = _defined_metrics()
    assert _metric_problems('sum by (queue) (kavalu_queue_depth{queue="scoring"})', metrics) == []
    assert _metric_problems("rate(kavalu_decision_latency_seconds_bucket[5m])", metrics) == []
    assert _metric_problems("kavalu_queue_size", metrics)
    assert _metric_problems("kavalu_decision_latency_seconds", metrics)
    assert _metric_problems('kavalu_queue_depth{topic="scoring"}', metrics)
    assert _metric_problems("sum by (publisher) (kavalu_tasks_total)", metrics)


# ---- docker-compose.yml -----------------------------------------------------------------------------------------


def _check_compose():
    spec = importlib.util.spec_from_file_location("kavalu_check_compose", REPO_ROOT / "scripts" / "check_compose.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compose_file_passes_compose_config():
    check_compose = _check_compose()
    command = check_compose.compose_command()
    if command is None:
        _missing("docker-compose", "Debian: apt-get install docker-compose, or the docker compose plugin")
    valid, output = check_compose.run_compose_config(command, COMPOSE_FILE, COMPOSE_FILE.read_text())
    assert valid, f"{' '.join(command)} config -q:\n{output}"


def test_compose_config_fails_without_the_required_secrets(tmp_path):
    check_compose = _check_compose()
    command = check_compose.compose_command()
    if command is None:
        _missing("docker-compose", "Debian: apt-get install docker-compose, or the docker compose plugin")
    env = {key: value for key, value in os.environ.items() if key not in ("POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH")}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--project-directory", str(tmp_path), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no .env here
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stdout + result.stderr


# ---- Kubernetes -------------------------------------------------------------------------------------------------


def _kustomization() -> dict:
    return yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())


def _manifest_files() -> list[Path]:
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")


def _resources() -> list[dict]:
    docs = []
    for path in _manifest_files():
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def _find(kind: str, component: str) -> dict:
    for doc in _resources():
        if doc["kind"] == kind and doc["metadata"]["labels"].get("app.kubernetes.io/component") == component:
            return doc
    raise AssertionError(f"no {kind} for {component}")


def _pod_spec(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]


def _containers(doc: dict) -> list[dict]:
    spec = _pod_spec(doc)
    return spec.get("initContainers", []) + spec["containers"]


def _main_container(doc: dict) -> dict:
    return _pod_spec(doc)["containers"][0]


def _env(container: dict) -> dict[str, str]:
    return {item["name"]: item.get("value", "") for item in container.get("env", [])}


def _cpu(quantity) -> float:
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def _flag(words: list[str], flag: str) -> str:
    return words[words.index(flag) + 1]


def _kubernetes_validate() -> list[str]:
    if importlib.util.find_spec("kubernetes_validate") is None:
        _missing("kubernetes-validate", "pip: the test extras, scripts/bootstrap test")
    return [_tool("kubernetes-validate", "pip: the test extras, scripts/bootstrap test")]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_manifests_validate(version):
    files = [str(path) for path in _manifest_files()]
    result = subprocess.run(
        [*_kubernetes_validate(), "--strict", "--kubernetes-version", version, *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == len(_resources()), result.stdout


def test_kubernetes_validate_catches_a_mistake(tmp_path):
    broken = yaml.safe_load((KUBERNETES / "beat.yaml").read_text())
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"tcpSocket": {"port": 1}}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = subprocess.run(
        [*_kubernetes_validate(), "--strict", "--kubernetes-version", KUBERNETES_VERSIONS[-1], str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0, result.stdout


def test_kustomization_lists_every_manifest_but_the_secret_example():
    kustomization = _kustomization()
    resources = kustomization["resources"]
    names = {path.name for path in _manifest_files()}
    assert "secret.example.yaml" not in resources  # `kubectl apply -k` must never overwrite the real Secret
    assert set(resources) == names - {"secret.example.yaml"}
    for generator in kustomization.get("configMapGenerator", []):
        for file in generator["files"]:
            assert (KUBERNETES / file).is_file(), file
    assert {"name": "kavalu", "newName": "kavalu", "newTag": "latest"} in kustomization["images"]
    assert kustomization["namespace"] == "kavalu"


def test_every_container_runs_the_kavalu_image_with_resources_and_no_privileges():
    for doc in _resources():
        if "template" not in doc.get("spec", {}):
            continue
        assert doc["metadata"]["namespace"] == "kavalu"
        spec = _pod_spec(doc)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for container in _containers(doc):
            where = f"{doc['metadata']['name']}/{container['name']}"
            assert container["image"] == IMAGE, where
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) >= {"cpu", "memory"}, where
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where


def test_kavalu_processes_take_settings_from_the_configmap_and_the_secret():
    for component in KAVALU_COMPONENTS:
        kind = "Job" if component == "migrate" else "Deployment"
        container = _main_container(_find(kind, component))
        refs = {next(iter(ref)): next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert refs == {"configMapRef": "kavalu-config", "secretRef": "kavalu-secrets"}, component
        if kind == "Deployment":
            init = _pod_spec(_find(kind, component))["initContainers"][0]
            assert init["command"][-1].endswith("wait_for_migrations.py"), component


def test_secret_example_holds_only_placeholders():
    (secret,) = yaml.safe_load_all((KUBERNETES / "secret.example.yaml").read_text())
    assert secret["kind"] == "Secret"
    assert secret["metadata"]["name"] == "kavalu-secrets"
    assert set(secret["stringData"]) == {
        "DATABASE_URL",
        "BROKER_URL",
        "REDIS_URL",
        "KAVALU_SEALING_KEYS",
        # Several API pods: without one shared console secret each signs sessions with a key of its own.
        "KAVALU_CONSOLE_SECRET",
    }
    assert _find("Deployment", "api")["spec"]["replicas"] > 1
    assert all("CHANGE-ME" in value for value in secret["stringData"].values())
    readme = (KUBERNETES / "README.md").read_text()
    assert all(f"--from-literal={key}=" in readme for key in secret["stringData"])


def test_configmap_holds_documented_non_secret_settings():
    (config,) = yaml.safe_load_all((KUBERNETES / "configmap.yaml").read_text())
    readme = (REPO_ROOT / "README.md").read_text()
    for key, value in config["data"].items():
        assert isinstance(value, str), key
        assert f"`{key}`" in readme, f"{key} is not in README's configuration table"
        assert not re.search(r"_URL$|PASSWORD|SECRET|_TOKEN$|BASIC_AUTH", key), f"{key} belongs in the Secret"
    assert config["data"]["KAVALU_BLOCK_PRIVATE_CALLBACKS"] == "true"


def test_api_probes_metrics_service_and_disruption_budget():
    api = _find("Deployment", "api")
    container = _main_container(api)
    assert container["command"][:3] == ["gunicorn", "--config", "config/gunicorn.conf.py"]
    assert "0.0.0.0:8000" in container["command"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz?scope=process"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    metrics_dir = _env(container)["PROMETHEUS_MULTIPROC_DIR"]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == metrics_dir)
    volume = next(v for v in _pod_spec(api)["volumes"] if v["name"] == mount["name"])
    assert "emptyDir" in volume
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    service = _find("Service", "api")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    pdb = _find("PodDisruptionBudget", "api")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert api["spec"]["replicas"] > pdb["spec"]["minAvailable"]


def test_scoring_workers_fit_their_cpu_limit_and_preload_the_models():
    container = _main_container(_find("Deployment", "worker-scoring"))
    words = container["command"]
    assert words[:4] == ["celery", "-A", "workers.celery_app", "worker"]
    assert _flag(words, "-Q") == "analyze,scoring"
    assert "-E" in words
    env = _env(container)
    assert env["KAVALU_PRELOAD_MODELS"] == "true"
    processes, threads = int(_flag(words, "--concurrency")), int(env["KAVALU_TORCH_THREADS"])
    assert processes * threads <= _cpu(container["resources"]["limits"]["cpu"])


def test_delivery_workers_do_not_load_the_models():
    container = _main_container(_find("Deployment", "worker-deliveries"))
    assert _flag(container["command"], "-Q") == "deliveries,maintenance"
    assert _env(container)["KAVALU_PRELOAD_MODELS"] == "false"


def test_worker_pods_expose_their_metrics():
    for component in ("worker-scoring", "worker-deliveries"):
        doc = _find("Deployment", component)
        worker, sidecar = _pod_spec(doc)["containers"]
        metrics_dir = _env(worker)["PROMETHEUS_MULTIPROC_DIR"]
        assert _env(sidecar)["KAVALU_METRICS_DIR"] == metrics_dir
        annotations = doc["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == _env(sidecar)["KAVALU_METRICS_PORT"]
        for probe in ("startupProbe", "livenessProbe"):
            assert "env -u PROMETHEUS_MULTIPROC_DIR" in worker[probe]["exec"]["command"][-1]


def test_exactly_one_beat():
    beat = _find("Deployment", "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert _main_container(beat)["command"][:4] == ["celery", "-A", "workers.celery_app", "beat"]


def test_migration_job_runs_kavalu_db_upgrade():
    job = _find("Job", "migrate")
    assert _main_container(job)["command"] == ["kavalu", "db", "upgrade"]
    assert _pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")


def test_pod_scripts_compile():
    for path in (KUBERNETES / "scripts").glob("*.py"):
        compile(path.read_text(), str(path), "exec")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_worker_metrics_sidecar_serves_the_workers_counters(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    writer = (
        "from service.ops.metrics import TASK_OUTCOMES; "
        "TASK_OUTCOMES.labels(task='kavalu.sweep_pending', outcome='success').inc()"
    )
    subprocess.run(
        [sys.executable, "-c", writer],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "KAVALU_DATA_DIR": str(tmp_path)},
        check=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    files_before = sorted(metrics_dir.iterdir())
    port = _free_port()
    env = {**os.environ, "KAVALU_METRICS_DIR": str(metrics_dir), "KAVALU_METRICS_PORT": str(port)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    sidecar = subprocess.Popen([sys.executable, str(KUBERNETES / "scripts" / "worker_metrics.py")], env=env)
    try:
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert 'kavalu_tasks_total{outcome="success",task="kavalu.sweep_pending"} 1.0' in body
    finally:
        sidecar.terminate()
        sidecar.wait(timeout=10)
    assert sorted(metrics_dir.iterdir()) == files_before  # the sidecar writes no metrics files of its own


# ---- Prometheus rules -------------------------------------------------------------------------------------------


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules():
    promtool = _tool("promtool", "Debian: apt-get install prometheus")
    result = subprocess.run(
        [promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout + result.stderr


def test_every_alert_has_duration_severity_and_text():
    rules = _rules()
    assert len({rule["alert"] for rule in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert rule["annotations"]["description"].strip(), rule["alert"]


def test_alert_rules_use_only_defined_metrics():
    metrics = _defined_metrics()
    problems = [
        f"{rule['alert']}: {problem}" for rule in _rules() for problem in _metric_problems(rule["expr"], metrics)
    ]
    assert problems == []


def test_the_alerts_from_the_operations_guide_are_rules():
    exprs = " ".join(rule["expr"] for rule in _rules())
    for needle in (
        'probe_success{job="kavalu-readyz"}',
        "kavalu_oldest_pending_comment_age_seconds",
        'kavalu_queue_oldest_message_age_seconds{queue="scoring"}',
        "kavalu_queue_depth",
        "kavalu_delivery_failures_total",
        'kavalu_intake_requests_total{status=~"5.."}',
        'kavalu_review_queue_size{queue="general"}',
        'kavalu_review_queue_size{queue="legal"}',
        "kavalu_decision_latency_seconds_bucket",
    ):
        assert needle in exprs, needle
    guide = (REPO_ROOT / "docs" / "operations.md").read_text()
    assert "deploy/prometheus/alerts.yml" in guide


# ---- Grafana dashboard ------------------------------------------------------------------------------------------

DASHBOARD_METRICS = {
    "kavalu_intake_requests_total",
    "kavalu_decision_latency_seconds_bucket",
    "kavalu_comments_decided_total",
    "kavalu_queue_depth",
    "kavalu_queue_oldest_message_age_seconds",
    "kavalu_oldest_pending_comment_age_seconds",
    "kavalu_review_queue_size",
    "kavalu_scorer_latency_seconds_bucket",
    "kavalu_scorer_batch_size_bucket",
    "kavalu_delivery_attempts_total",
    "kavalu_delivery_failures_total",
    "kavalu_tasks_total",
}


def _panels(panels: list[dict]) -> list[dict]:
    found = []
    for panel in panels:
        found.append(panel)
        found += _panels(panel.get("panels", []))
    return found


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def test_dashboard_is_a_current_grafana_dashboard(dashboard):
    assert dashboard["schemaVersion"] >= 36
    assert dashboard["uid"] and dashboard["title"]
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = _panels(dashboard["panels"])
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        assert {"x", "y", "w", "h"} <= panel["gridPos"].keys(), panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_dashboard_uses_only_defined_metrics_and_covers_them(dashboard):
    metrics = _defined_metrics()
    exprs = [target["expr"] for panel in _panels(dashboard["panels"]) for target in panel.get("targets", [])]
    problems = [problem for expr in exprs for problem in _metric_problems(expr, metrics)]
    assert problems == []
    used = {name for expr in exprs for name in METRIC_NAME.findall(expr)}
    assert used >= DASHBOARD_METRICS, sorted(DASHBOARD_METRICS - used)
