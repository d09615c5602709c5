"""Run every benchmark of issue 18 and write the table to benchmarks/results.md (`make bench`).

    python benchmarks/run.py [--runs 5] [--delay 2] [--out benchmarks/results.md]

Each row is a median with its number of runs and the command that was timed; the load average
is recorded before and after, because absolute times on a shared machine say little: compare
rows measured in one run (or before/after runs interleaved on the same load).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_diagram  # noqa: E402
import bench_knowledge  # noqa: E402
import bench_llm_stub  # noqa: E402
import bench_review  # noqa: E402
import goals  # noqa: E402
from bench_review import Row  # noqa: E402

BATCH_SCRIPT = ROOT / "benchmarks" / "bench_batch.py"
GOALS = {
    "core review in-process, no retrieval, no files": "<= 50 ms",
    "+ retrieval for every finding": "<= 100 ms",
    "+ md,json,html with charts, in-process warm": "<= 300 ms",
    "cold CLI, `--format json`": "<= 2 s",
    "cold CLI, `--format md,json,html`": "<= 2.5 s",
    bench_review.NEW_QUERIES_ROW: "report (the row above is a rerun: its queries are stored)",
    "batch of 200 generated intakes, md+json, 2 cores": "<= 60 s, peak RSS <= 1.5 GB",
    "LLM path against the stub, 2 s per call": "<= 1.25 x critical path",
    "graph overhead per review, stub at 0 ms": "<= 150 ms",
    "the same, answers streamed (as from a local server)": "report",
    "retrieval: index build cold / unchanged, query p50": "keep (1.56 s / 8 ms / 6.5 ms)",
    "prompt size per step (characters / 4)": "report",
    "architecture diagram (dot) at 50 / 195 / 500 components":
        "readable at 50+ (hand-placed: 66,000 pt at 500)",
}


def batch_row(files: int) -> tuple[str, str]:
    """The batch benchmark's figures (each --jobs run and the speed-up), or why there are none."""
    if not BATCH_SCRIPT.exists():
        return "no batch yet", "benchmarks/bench_batch.py does not exist"
    done = subprocess.run([sys.executable, str(BATCH_SCRIPT), "--files", str(files)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        return f"failed (exit {done.returncode})", (done.stderr.strip().splitlines() or [""])[-1]
    # the per-jobs lines and the speed-up (its last line is only the load average after)
    figures = [line for line in lines if line.startswith(("--jobs", "speed-up"))] or lines[-1:]
    return "; ".join(figures), f"python benchmarks/bench_batch.py --files {files}"


def knowledge_rows(runs: int) -> tuple[str, str]:
    """Index build into an empty cache, build that finds it unchanged, query p50 (in process)."""
    with tempfile.TemporaryDirectory(prefix="archreview-bench-kb-") as folder:
        cache = Path(folder)
        previous = os.environ.get("ARCHREVIEW_CACHE_DIR")
        os.environ["ARCHREVIEW_CACHE_DIR"] = str(cache / "warm")
        try:
            builds = bench_knowledge.index_timings(cache, runs)
            queries = bench_knowledge.query_timings(cache)
        finally:
            if previous is None:
                os.environ.pop("ARCHREVIEW_CACHE_DIR", None)
            else:
                os.environ["ARCHREVIEW_CACHE_DIR"] = previous
    cold, unchanged = builds["build, empty cache (in process)"], \
        builds["build, unchanged (in process)"]
    return (f"{cold:.2f} s / {unchanged * 1000:.1f} ms / {queries['query p50'] * 1000:.1f} ms",
            "python benchmarks/bench_knowledge.py (build and query parts)")


def table(args: argparse.Namespace) -> tuple[list[tuple[str, str, str, str]], list[Row]]:
    """Every row (measure, median with its unit, runs, command), and the review rows' figures."""
    rows: list[tuple[str, str, str, str]] = []
    review_rows: list[Row] = bench_review.measure(args.intake, args.runs, args.cli_runs)
    for row in review_rows:
        shown = f"{row.seconds * 1000:,.0f} ms" if row.seconds < 1 else f"{row.seconds:.2f} s"
        rows.append((row.measure, shown, str(row.runs), f"`{row.command}`"))
    batch, command = batch_row(args.batch_files)
    rows.append(("batch of 200 generated intakes, md+json, 2 cores", batch, "1", command))
    # The LLM rows review the e-commerce example: the stub answers with its offline sections.
    stub = bench_llm_stub.measure(args.delay, args.stub_runs, serial=False, files=False)
    critical = stub.critical_path_calls() * args.delay
    rows.append((f"LLM path against the stub, {args.delay:g} s per call",
                 f"{stub.parallel_s:.2f} s = {stub.parallel_s / critical:.2f} x critical path "
                 f"{critical:g} s ({stub.critical_path_calls()} calls in sequence of "
                 f"{stub.calls})", str(args.stub_runs),
                 f"`bench_llm_stub.measure(delay={args.delay:g}, files=False)`"))
    zero = bench_llm_stub.measure(0.0, args.stub_runs, serial=False, files=False)
    core_example = bench_review.core_seconds(bench_review.EXAMPLE, args.stub_runs)
    rows.append(("graph overhead per review, stub at 0 ms",
                 f"{(zero.parallel_s - core_example) * 1000:,.0f} ms (LLM path "
                 f"{zero.parallel_s * 1000:,.0f} ms - core {core_example * 1000:,.0f} ms)",
                 str(args.stub_runs),
                 "`bench_llm_stub.measure(delay=0, files=False)` minus the core review "
                 "of the same example (answers not streamed)"))
    streamed = bench_llm_stub.measure(0.0, args.stub_runs, serial=False, files=False,
                                      stream="on")
    extra_ms = (streamed.parallel_s - zero.parallel_s) * 1000
    rows.append(("the same, answers streamed (as from a local server)",
                 f"{streamed.parallel_s * 1000:,.0f} ms (+{extra_ms:,.0f} ms for "
                 f"{streamed.calls} streamed answers of the stub: 4-character events sent at "
                 "once)", str(args.stub_runs),
                 "`bench_llm_stub.measure(delay=0, files=False, stream='on')`"))
    kb, command = knowledge_rows(args.runs)
    rows.append(("retrieval: index build cold / unchanged, query p50", kb, str(args.runs),
                 command))
    sizes = stub.prompt_chars
    largest = max(sizes.values(), default=0)
    detail = ", ".join(f"{name} {size // 4:,}" for name, size in sorted(sizes.items()))
    rows.append(("prompt size per step (characters / 4)",
                 f"max ~{largest // 4:,} tokens ({detail})", "1",
                 "no offline tokenizer installed: characters / 4"))
    sizes_drawn = [bench_diagram.measure(count) for count in args.diagram_counts]
    rows.append(("architecture diagram (dot) at 50 / 195 / 500 components",
                 "; ".join(f"{d['components']}: {d['width']:,.0f} x {d['height']:,.0f} px, "
                           f"{d['seconds'] * 1000:,.0f} ms" for d in sizes_drawn), "1",
                 "python benchmarks/bench_diagram.py (500: layout only, intakes stop at 200)"))
    return rows, review_rows


def markdown(rows: list[tuple[str, str, str, str]], loads: tuple[str, str],
             args: argparse.Namespace, missed: list[str]) -> str:
    """The results table as Markdown, with when, where and how it was measured.

    `missed` is the "Goals not met, and why" section (`goals.section`), measured after the
    table; empty when every review row meets its goal.
    """
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "# Benchmarks (issue 18)", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit `{commit or '?'}` on "
        f"{os.cpu_count()} CPUs ({platform.python_implementation()} "
        f"{platform.python_version()}); load average before {loads[0]}, after {loads[1]}.",
        f"Command: `python benchmarks/run.py --runs {args.runs} --cli-runs {args.cli_runs} "
        f"--stub-runs {args.stub_runs} --delay {args.delay:g}` (`make bench`). Every figure is a "
        "median; each in-process review starts from scratch (memos cleared).", "",
        "| measure | median | runs | goal | command |", "|---|---|---|---|---|",
    ]
    lines += [f"| {m} | {v} | {n} | {GOALS.get(m, GOALS.get(_generic(m), ''))} | {c} |"
              for m, v, n, c in rows]
    return "\n".join(lines + missed) + "\n"


def _generic(measure: str) -> str:
    return "LLM path against the stub, 2 s per call" if measure.startswith("LLM path") else measure


def load_average() -> str:
    """The 1/5/15-minute load average, for the record."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per in-process median")
    parser.add_argument("--cli-runs", type=int, default=3, help="processes per cold-CLI median")
    parser.add_argument("--stub-runs", type=int, default=3, help="LLM-path reviews per median")
    parser.add_argument("--delay", type=float, default=2.0, help="stub latency per call, s")
    parser.add_argument("--intake", type=Path, default=bench_review.EXAMPLE)
    parser.add_argument("--batch-files", type=int, default=200,
                        help="generated intakes in the batch row (the smoke test uses a few)")
    parser.add_argument("--diagram-counts", type=lambda v: [int(c) for c in v.split(",")],
                        default=[50, 195, 500], help="component counts for the diagram row")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    args.intake = args.intake.resolve()
    before = load_average()
    rows, review_rows = table(args)
    after = load_average()
    missed = goals.section(review_rows, args.intake)
    text = markdown(rows, (before, after), args, missed)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
