"""Benchmark the workshop check and the diff: what a participant and a pull request wait for.

Run `python benchmarks/bench_workshop.py`. Times, offline and in this process:
- `check`: matching the ex1 fixture answer against an already computed reference (the matcher
  alone: BM25 over the cards plus the vocabulary; the review is cached per process);
- `reference`: the first check of an exercise, which reviews its intake (cold, per language);
- `diff`: reviewing the e-commerce pair and diffing them (two reviews plus the diff).
Each figure is the median of several runs; say the machine's load (`uptime`) with it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ANSWER = ROOT / "tests" / "data" / "workshop" / "ex1-partial.md"


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    """Print the medians as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from assistant.comparison.service import diff_sources
    from assistant.workshop import reviewing
    from assistant.workshop.answers import read_answer
    from assistant.workshop.check import check_answer

    claims = read_answer(ANSWER)

    def cold_reference() -> None:
        reviewing._review.cache_clear()
        check_answer("ex1", claims)

    results = {
        "reference_cold_ms": _median_ms(cold_reference, max(1, args.repeat // 2)),
        "check_warm_ms": _median_ms(lambda: check_answer("ex1", claims), args.repeat),
        "diff_ecommerce_pair_ms": _median_ms(lambda: diff_sources(
            str(ROOT / "examples" / "ecommerce-workshop.yaml"),
            str(ROOT / "examples" / "ecommerce-workshop-scaled.yaml")), max(1, args.repeat // 2)),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
