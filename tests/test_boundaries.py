"""The import boundaries that scripts/lint enforces in CI bite: an `import torch` on the API side fails
both ruff's banned-api rule and import-linter's contract, and first-party modules import each other
without cycles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.processes import REPO_ROOT

BIN = Path(sys.executable).parent
PYPROJECT = REPO_ROOT / "pyproject.toml"
CONTRACT = "The API side (service) does not import the workers package or the ML libraries"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts, on the packages found under root."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--config", str(PYPROJECT), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_packages(destination: Path) -> None:
    """The Python files of service/ and workers/ (not the model weights) under destination."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [
            name
            for name in names
            if name == "__pycache__" or (Path(folder, name).is_file() and not name.endswith(".py"))
        ]

    for package in ("service", "workers"):
        shutil.copytree(REPO_ROOT / package, destination / package, ignore=ignore)


def test_the_import_contracts_hold_on_the_tree():
    result = _lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_ml_import_on_the_api_side_breaks_the_contract(tmp_path):
    _copy_packages(tmp_path)
    probe = tmp_path / "service" / "api" / "boundary_probe.py"
    probe.write_text('"""Deliberately on the wrong side of the boundary."""\nimport torch\n')
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout + result.stderr
    assert f"{CONTRACT} BROKEN" in result.stdout
    assert "service.api.boundary_probe -> torch" in result.stdout


def test_ruff_bans_ml_and_worker_imports_on_the_api_side_only():
    source = "import torch\nfrom workers.scoring import abuse\n\nprint(torch, abuse)\n"

    def ruff(filename: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                str(BIN / "ruff"),
                "check",
                "--config",
                str(PYPROJECT),
                "--select",
                "TID251",
                "--stdin-filename",
                filename,
                "-",
            ],
            input=source,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    api = ruff("service/api/boundary_probe.py")
    assert api.returncode == 1, api.stdout + api.stderr
    assert "`torch` is banned" in api.stdout
    assert "`workers` is banned" in api.stdout
    worker = ruff("workers/scoring/boundary_probe.py")
    assert worker.returncode == 0, worker.stdout + worker.stderr


def _import_cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_first_party_modules_import_without_cycles():
    # Imports inside functions count too: a lazy import that closes a loop is still a cycle.
    graph = grimp.build_graph("service", "workers", cache_dir=None)
    cycles = _import_cycles(graph)
    chains = {" -> ".join(cycle): graph.find_shortest_chain(cycle[1], cycle[0]) for cycle in cycles}
    assert not cycles, chains


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for importer, imported in (("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")):
        graph.add_import(importer=importer, imported=imported)
    assert _import_cycles(graph) == [["a.x", "a.y", "a.z"]]
