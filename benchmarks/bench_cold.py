"""Where a cold `archreview review` spends its time: one fresh process, phase by phase.

    python benchmarks/bench_cold.py [--intake examples/ecommerce-workshop.yaml]
                                    [--format md,json,html] [--runs 3]

Each run starts a new interpreter (`--phases` mode below) that does what the CLI does, in the
CLI's order, with a clock around each phase: the interpreter itself, the CLI's own imports,
the workflow's imports (LangGraph), the knowledge base's (chromadb), reading the pattern cards,
the catalogue and the messages, opening the index (found unchanged), and the review with its
files (which loads the embedding model only for a query no earlier run stored: `--new-queries`
empties that store before each run), and the interpreter's exit. A phase pays for whatever
the phases before it left undone, so the phases add up to one whole run (the `total` is
measured apart, as the wall time of the child process). Figures are medians over `--runs`
processes; on a loaded machine they stretch, the shares less so. The knowledge index is built
once beforehand in a temporary cache folder, as the cold-CLI rows of `bench_review.py` do.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ecommerce-workshop.yaml"
#: The phases that only import libraries every review with retrieval needs.
LIBRARY_PHASES = ("workflow imports", "chromadb import")
#: What each phase means, in the order they run (the names the results table shows).
PHASES = {
    "interpreter": "Python start-up and site (no archreview code)",
    "cli imports": "the CLI module (Typer, Rich, Pydantic, the intake and catalogue models)",
    "workflow imports": "LangGraph and langchain-core (the workflow every review runs through)",
    "chromadb import": "chromadb (the knowledge index)",
    "report imports": "the report writers (Jinja2, the chart and diagram code)",
    "cards": "parsing the pattern cards (YAML front matter, Pydantic)",
    "catalogue and messages": "defaults.yaml, the price catalogue and messages.yaml",
    "index open": "the Chroma client and the unchanged-index check",
    "review": "the review itself: capacity model, rules, retrieval (and the embedding model, "
              "when a query was not asked before), roadmap, report files",
    "exit": "interpreter shutdown (module teardown, the Chroma client's and ORT's threads)",
}


def _phases(intake: Path, out: Path, formats: tuple[str, ...]) -> dict[str, float]:
    """Run the CLI's work in this fresh process, timing each phase (seconds)."""
    times: dict[str, float] = {}

    def timed(name: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        times[name] = time.perf_counter() - started

    timed("cli imports", _import_cli)
    timed("workflow imports", lambda: __import__("assistant.workflow.run"))
    timed("chromadb import", lambda: __import__("chromadb"))
    timed("report imports", _import_reports)

    from assistant.catalogue.model import load_defaults
    from assistant.i18n.messages import Messages
    from assistant.knowledge.cards import load_cards
    from assistant.settings import Settings
    from assistant.workflow.run import default_retrieval

    timed("cards", load_cards)
    timed("catalogue and messages", lambda: (load_defaults(), Messages("en")))
    retrieval = default_retrieval()
    timed("index open", retrieval.base.build)

    import assistant

    settings = Settings(provider="offline")
    timed("review", lambda: assistant.review(intake, settings, retrieval=retrieval,
                                             out_dir=out, formats=formats))
    return times


def _import_cli() -> None:
    """The CLI's module, then what its `main()` does first (the collector's settings)."""
    import assistant.cli.app  # noqa: F401
    from assistant.cli.gc_tuning import tune_for_cli

    tune_for_cli()


def _import_reports() -> None:
    import assistant.report.charts  # noqa: F401
    import assistant.report.html  # noqa: F401
    import assistant.report.writer  # noqa: F401


def interpreter_seconds(runs: int) -> float:
    """Median wall time of `python -c pass` with this interpreter and site-packages."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def breakdown(intake: Path, formats: str, runs: int,
              new_queries: bool = False) -> dict[str, float]:
    """Median seconds per phase over `runs` fresh processes, plus `total` (process wall time).

    With `new_queries`, the stored query vectors are removed before each process.
    """
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="archreview-bench-cold-") as folder:
        env = {**os.environ, "ARCHREVIEW_CACHE_DIR": str(Path(folder) / "cache"),
               "ARCHREVIEW_PROVIDER": "offline"}
        command = [sys.executable, str(Path(__file__).resolve()), "--phases",
                   "--intake", str(intake), "--format", formats, "--out",
                   str(Path(folder) / "out")]
        subprocess.run(command, env=env, capture_output=True, check=True)  # build the index
        for _ in range(runs):
            if new_queries:
                shutil.rmtree(Path(folder) / "cache" / "query-vectors", ignore_errors=True)
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            total, ended = time.perf_counter() - started, time.time()
            phases = json.loads(done.stdout)
            phases["exit"] = ended - phases.pop("printed_at")
            for name, seconds in {**phases, "total": total}.items():
                samples.setdefault(name, []).append(seconds)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    interpreter = interpreter_seconds(runs)
    return {"interpreter": interpreter, **{k: v for k, v in medians.items() if k != "total"},
            "total": medians["total"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", type=Path, default=EXAMPLE)
    parser.add_argument("--format", default="json", help="report formats, as for the CLI")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per median")
    parser.add_argument("--new-queries", action="store_true",
                        help="empty the stored query vectors before each process")
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    if args.phases:  # the child process: time the phases, print them as JSON
        sys.path.insert(0, str(ROOT))
        phases: dict[str, float] = _phases(args.intake.resolve(), args.out, formats)
        print(json.dumps({**phases, "printed_at": time.time()}), flush=True)
        return 0
    figures = breakdown(args.intake.resolve(), args.format, args.runs, args.new_queries)
    print(f"cold `archreview review --format {args.format}`, median of {args.runs} processes; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for name, seconds in figures.items():
        print(f"  {name:<24}{seconds * 1000:>8.0f} ms  {PHASES.get(name, 'whole process')}")
    phases = sum(v for k, v in figures.items() if k != "total")
    print(f"  {'sum of phases':<24}{phases * 1000:>8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
