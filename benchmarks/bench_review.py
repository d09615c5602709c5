"""Benchmark the report path: the offline review in process, with retrieval, with files; cold CLI.

    python benchmarks/bench_review.py [--runs 5] [--intake examples/ecommerce-workshop.yaml]

Every in-process figure is a median over `--runs` reviews of the same intake, each started from
scratch: the capacity model's memo and the query-embedding memo are cleared before each run, so
a repeat is never a cache hit (a batch of different intakes gets no such hits either), and the
query vectors stored on disk by earlier processes are not used. The knowledge index is built
once beforehand (a warm process); the cold CLI runs find it unchanged, and the query vectors
the warm-up run stored (a rerun of an intake asks the same queries); one more cold row empties
that store before each run, as for an intake whose findings were never searched before.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "ecommerce-workshop.yaml"
QUERY_VECTORS = "query-vectors"  # assistant.knowledge.query_vectors.FOLDER_NAME, import-free
NEW_QUERIES_ROW = "cold CLI, `--format md,json,html`, no query asked before"


@dataclass(frozen=True)
class Row:
    """One measured row: its name, the median in seconds, how many runs, the command timed."""

    measure: str
    seconds: float
    runs: int
    command: str


def median_seconds(runs: int, action: Callable[[], object],
                   before: Callable[[], None] = lambda: None) -> float:
    """Median wall time of `action` over `runs` runs, calling `before` (untimed) each time."""
    samples = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _from_scratch(retrieval: Any = None) -> Callable[[], None]:
    """Forget the memos a repeated review of one intake would otherwise hit."""
    def clear() -> None:
        from assistant.capacity import model

        getattr(model, "clear_memo", lambda: None)()
        getattr(getattr(retrieval, "base", None), "_query_vectors", {}).clear()
    return clear


def core_seconds(intake: Path, runs: int) -> float:
    """Median of the core review alone (no retrieval, no files), each run from scratch."""
    import assistant
    from assistant.settings import Settings

    settings = Settings(provider="offline")
    assistant.review(intake, settings, use_knowledge_base=False)
    return median_seconds(runs, lambda: assistant.review(intake, settings,
                                                         use_knowledge_base=False),
                          _from_scratch())


def in_process(intake: Path, runs: int) -> list[Row]:
    """Core review, + retrieval for every finding, + md/json/html with charts (warm process)."""
    import assistant
    from assistant.settings import Settings
    from assistant.workflow.run import default_retrieval

    settings = Settings(provider="offline")
    retrieval = default_retrieval()
    # Every query is embedded in each run: no vectors stored by earlier processes either.
    retrieval.base.query_store = None
    assistant.review(intake, settings, retrieval=retrieval)  # warm: imports, index, model
    out = Path(tempfile.mkdtemp(prefix="archreview-bench-"))
    try:
        assistant.review(intake, settings, retrieval=retrieval, out_dir=out,
                         formats=("md", "json", "html"))
        name = intake.relative_to(ROOT) if intake.is_relative_to(ROOT) else intake
        core = median_seconds(runs, lambda: assistant.review(intake, settings,
                                                             use_knowledge_base=False),
                              _from_scratch())
        searched = median_seconds(runs, lambda: assistant.review(intake, settings,
                                                                 retrieval=retrieval),
                                  _from_scratch(retrieval))
        files = median_seconds(runs, lambda: assistant.review(
            intake, settings, retrieval=retrieval, out_dir=out, formats=("md", "json", "html")),
            _from_scratch(retrieval))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return [
        Row("core review in-process, no retrieval, no files", core, runs,
            f"assistant.review('{name}', use_knowledge_base=False)"),
        Row("+ retrieval for every finding", searched, runs,
            f"assistant.review('{name}')"),
        Row("+ md,json,html with charts, in-process warm", files, runs,
            f"assistant.review('{name}', out_dir=..., formats=('md','json','html'))"),
    ]


def cold_cli(intake: Path, runs: int) -> list[Row]:
    """Whole `archreview review` processes (index unchanged in a warmed cache folder)."""
    cli = shutil.which("archreview", path=str(Path(sys.executable).parent))
    if cli is None or runs <= 0:
        return []
    rows = []
    with tempfile.TemporaryDirectory(prefix="archreview-bench-cli-") as folder:
        env = {**os.environ, "ARCHREVIEW_CACHE_DIR": str(Path(folder) / "cache"),
               "ARCHREVIEW_PROVIDER": "offline"}
        vectors = Path(folder) / "cache" / QUERY_VECTORS
        for fmt in ("json", "md,json,html"):
            command = [cli, "review", str(intake), "--out", str(Path(folder) / "out"),
                       "--format", fmt]
            subprocess.run(command, env=env, capture_output=True, check=True)  # warm the cache
            seconds = median_seconds(runs, lambda c=command: subprocess.run(
                c, env=env, capture_output=True, check=True))
            shown = " ".join(["archreview", "review", intake.name, "--format", fmt])
            rows.append(Row(f"cold CLI, `--format {fmt}`", seconds, runs, shown))
        # The same, when none of the review's queries was asked before (a new intake's first
        # run): the embedding model is loaded. The index stays built.
        seconds = median_seconds(runs, lambda c=command: subprocess.run(
            c, env=env, capture_output=True, check=True),
            lambda: shutil.rmtree(vectors, ignore_errors=True))
        rows.append(Row(NEW_QUERIES_ROW, seconds, runs, f"{shown}, {QUERY_VECTORS}/ emptied "
                        "before each run"))
    return rows


def measure(intake: Path, runs: int, cli_runs: int) -> list[Row]:
    """Every row of this script."""
    return in_process(intake, runs) + cold_cli(intake, cli_runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="in-process runs per median")
    parser.add_argument("--cli-runs", type=int, default=3, help="CLI processes per median")
    parser.add_argument("--intake", type=Path, default=EXAMPLE)
    args = parser.parse_args()
    for row in measure(args.intake.resolve(), args.runs, args.cli_runs):
        print(f"{row.measure:<50}{row.seconds * 1000:>10.1f} ms  (median of {row.runs})  "
              f"{row.command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
