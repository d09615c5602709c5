"""Benchmark the offline figures of a review: capacity, roadmap with its reruns, configurations.

Run `python benchmarks/bench_review_figures.py`. For every example and eval case it times
`compute_facts` (capacity model, rules, roadmap with the follow-up reruns, the three
configurations) offline, and prints the median of several runs per intake with the number of
roadmap tasks (follow-ups included). No LLM, no network; the knowledge index is not touched.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.assessment.compute import compute_facts  # noqa: E402
from assistant.capacity.model import clear_memo  # noqa: E402
from assistant.intake.loading import load_intake  # noqa: E402
from assistant.intake.schema import Intake  # noqa: E402
from evals.runner import load_cases  # noqa: E402

RUNS = 3


def intakes() -> dict[str, Intake]:
    """Every example intake (the broken one left out) and every inline eval case."""
    found = {p.stem: load_intake(p) for p in sorted((ROOT / "examples").glob("*.yaml"))
             if p.stem != "broken-intake"}
    for case in load_cases():
        if isinstance(case.inputs.source, Intake) and case.name:
            found[case.name] = case.inputs.source
    return found


def main() -> int:
    print(f"{'intake':<24} {'median s':>9} {'tasks':>6} {'follow-ups':>11}")
    for name, intake in intakes().items():
        times, facts = [], None
        for _ in range(RUNS):
            clear_memo()  # time the model, not the memo of the previous run
            start = time.perf_counter()
            facts = compute_facts(intake)
            times.append(time.perf_counter() - start)
        assert facts is not None
        tasks = [t for p in facts.roadmap.phases for t in p.tasks]
        print(f"{name:<24} {statistics.median(times):>9.2f} {len(tasks):>6} "
              f"{sum(1 for t in tasks if t.follows):>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
