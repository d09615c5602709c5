"""Each benchmark script still runs, on a tiny intake with one run per figure.

Not a timing test: benchmarks measure (`make bench`); this only keeps the scripts from rotting.
The runner must write every row of issue 18's table, each with a figure and its command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.helpers import intake_data

ROWS = ("core review in-process", "+ retrieval for every finding", "+ md,json,html with charts",
        "cold CLI, `--format json`", "cold CLI, `--format md,json,html`", "batch of 200",
        "LLM path against the stub", "graph overhead per review",
        "retrieval: index build cold / unchanged, query p50", "prompt size per step",
        "architecture diagram (dot)")


@pytest.fixture
def tiny_intake(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(intake_data()), encoding="utf-8")
    return path


def _script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_the_runner_writes_every_row(tiny_intake: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = _script("run.py", "--runs", "1", "--cli-runs", "1", "--stub-runs", "1",
                   "--delay", "0.05", "--intake", str(tiny_intake), "--out", str(out),
                   "--diagram-counts", "8,210", "--batch-files", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in out.read_text(encoding="utf-8").splitlines()
             if line.startswith("| ") and not line.startswith("| measure")]
    for row in ROWS:
        line = next((t for t in table if t.startswith(f"| {row}")), None)
        assert line is not None, row
        measure, median, runs, _goal, command = (c.strip() for c in line.strip("|").split(" | "))
        assert median and runs.isdigit() and command, line


@pytest.mark.slow
def test_the_stub_benchmark_runs(tiny_intake: Path) -> None:
    done = _script("bench_llm_stub.py", "--delay", "0", "--runs", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "LLM calls per review" in done.stdout and "critical path" in done.stdout


@pytest.mark.slow
def test_the_review_benchmark_runs(tiny_intake: Path) -> None:
    done = _script("bench_review.py", "--runs", "1", "--cli-runs", "0", "--intake",
                   str(tiny_intake))  # the runner's test above covers the cold CLI rows
    assert done.returncode == 0, done.stderr[-3000:]
    assert "core review in-process" in done.stdout and "+ md,json,html" in done.stdout


@pytest.mark.slow
def test_the_diagram_benchmark_runs() -> None:
    done = _script("bench_diagram.py", "--counts", "8,210")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "8 components" in done.stdout and "210 components" in done.stdout
    assert "layout only" in done.stdout
    if shutil.which("dot"):
        assert "NOT DRAWN" not in done.stdout


@pytest.mark.slow
def test_the_knowledge_benchmark_runs() -> None:
    done = _script("bench_knowledge.py", "--runs", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "query p50" in done.stdout and "build, empty cache" in done.stdout
