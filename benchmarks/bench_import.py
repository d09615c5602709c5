"""Benchmark `archreview import`: the time to draft an intake from each public fixture.

Run `python benchmarks/bench_import.py` (or `make bench`). Each figure is the median of
`--runs` imports in this process (parsing, merge, draft text; the first, cold run is timed
apart because it loads python-hcl2's grammar and the catalogue), plus one cold CLI run per
fixture as a user would see it. Offline; nothing is written outside a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
SOURCES = ("microservices-demo", "microservices-demo-release", "awesome-compose",
           "learn-terraform", "terraform-show-json")


def main() -> None:
    """Time every fixture and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    from assistant.importers.run import import_paths

    for name in SOURCES:
        started = time.perf_counter()
        import_paths([FIXTURES / name]).text()
        cold = time.perf_counter() - started
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            import_paths([FIXTURES / name]).text()
            times.append(time.perf_counter() - started)
        cli = _cli_seconds(FIXTURES / name)
        median = statistics.median(times) * 1000
        print(f"{name:28} first {cold * 1000:7.1f} ms  median {median:6.1f} ms ({runs} runs)  "
              f"cold CLI {cli:5.2f} s")


def _cli_seconds(source: Path) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "assistant", "import", str(source), "--out",
                   str(Path(folder) / "intake.yaml")]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - started


if __name__ == "__main__":
    main()
