"""The "Goals not met, and why" section of benchmarks/results.md, measured when the bench runs.

For every review row whose median misses its goal, `run.py` asks here where that time went,
measured now, not typed in:
- in-process rows: the share of each workflow step in a cProfile of the same review (shares
  survive a loaded machine better than wall-clock medians), scaled to the row's median;
- the row with report files: the wall time resvg takes to rasterise the review's PNG charts
  (Markdown needs them: viewers strip inline SVG; the HTML report inlines the SVG instead);
- cold-CLI rows: `bench_cold.py`'s phase breakdown of one fresh process.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import statistics
import tempfile
import time
from pathlib import Path

import bench_cold
from bench_review import Row

#: Goals of the review rows, in seconds (the table shows them as text).
GOAL_SECONDS = {
    "core review in-process, no retrieval, no files": 0.050,
    "+ retrieval for every finding": 0.100,
    "+ md,json,html with charts, in-process warm": 0.300,
    "cold CLI, `--format json`": 2.0,
    "cold CLI, `--format md,json,html`": 2.5,
}
#: How `_review` runs each in-process row.
IN_PROCESS_KINDS = {
    "core review in-process, no retrieval, no files": "core",
    "+ retrieval for every finding": "retrieval",
    "+ md,json,html with charts, in-process warm": "files",
}
_NODES = "assistant/workflow/nodes.py"
#: Parts of the `retrieve` step shown on their own (it searches and computes every figure).
PARTS = {("assessment/compute.py", "compute_facts"): "of which compute_facts",
         ("knowledge/search.py", "search_many"): "of which knowledge search"}


def _shown(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _review(intake: Path, kind: str, out: Path) -> None:
    """One review as the row times it (a fresh capacity memo; every query embedded)."""
    import assistant
    from assistant.capacity.model import clear_memo
    from assistant.settings import Settings
    from assistant.workflow.run import default_retrieval

    clear_memo()
    settings = Settings(provider="offline")
    if kind == "core":
        assistant.review(intake, settings, use_knowledge_base=False)
        return
    retrieval = _retrieval(default_retrieval)
    retrieval.base._query_vectors.clear()
    formats = ("md", "json", "html") if kind == "files" else ()
    assistant.review(intake, settings, retrieval=retrieval, out_dir=out if formats else None,
                     formats=formats or ("json",))


_RETRIEVAL: list[object] = []


def _retrieval(make: object) -> object:
    """One retrieval per process, its index opened once, no stored query vectors used."""
    if not _RETRIEVAL:
        retrieval = make()  # type: ignore[operator]
        retrieval.base.query_store = None
        _RETRIEVAL.append(retrieval)
    return _RETRIEVAL[0]


def step_shares(intake: Path, kind: str, runs: int = 3) -> dict[str, float]:
    """Each workflow step's share of a profiled review; `LangGraph` is the rest (the graph)."""
    with tempfile.TemporaryDirectory(prefix="archreview-bench-goals-") as folder:
        _review(intake, kind, Path(folder))  # warm: imports, index, templates
        profile = cProfile.Profile()
        for _ in range(runs):
            profile.enable()
            _review(intake, kind, Path(folder))
            profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())  # every profiled second, once
    steps: dict[str, float] = {}
    for (file, _, name), (_, _, _, cumulative, callers) in stats.items():
        called_by_graph = any(_NODES not in caller[0] for caller in callers)
        if file.endswith(_NODES) and not name.startswith("_") and called_by_graph \
                and name not in {"retrieve_all", "finding_query", "workflow_input"}:
            steps[name] = steps.get(name, 0.0) + cumulative
    shares = {name: seconds / total for name, seconds in steps.items() if total}
    shares["LangGraph"] = max(0.0, 1.0 - sum(shares.values()))
    ordered = dict(sorted(shares.items(), key=lambda item: -item[1]))
    for (file, _, name), (_, _, _, cumulative, _) in stats.items():  # inside `retrieve`
        label = PARTS.get((file.split("/assistant/")[-1], name))
        if label and total:
            ordered[label] = ordered.get(label, 0.0) + cumulative / total
    return ordered


def png_seconds(intake: Path, runs: int = 3) -> tuple[float, int]:
    """Median wall time resvg takes to rasterise all PNG charts of one review; chart count."""
    from assistant.assessment.compute import offline_review
    from assistant.intake.loading import load_intake
    from assistant.report.charts import PNG_DPI, PX_PER_INCH, svg_charts
    from assistant.report.svgkit import png

    charts = svg_charts(offline_review(load_intake(intake)))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for svg in charts.values():
            png(svg, PNG_DPI / PX_PER_INCH)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), len(charts)


def _in_process_line(row: Row, intake: Path, kind: str) -> str:
    shares = step_shares(intake, kind)
    steps = [name for name in shares if not name.startswith("of which")][:5]
    parts = [name for name in shares if name.startswith("of which")]
    top = ", ".join(f"{name} {shares[name] * row.seconds * 1000:,.0f} ms ({shares[name]:.0%})"
                    + (" [" + "; ".join(f"{part} {shares[part] * row.seconds * 1000:,.0f} ms"
                                        for part in parts) + "]" if name == "retrieve" else "")
                    for name in steps)
    line = f"- **{row.measure}**: {_shown(row.seconds)}. By step (cProfile shares): {top}."
    if kind == "files":
        seconds, count = png_seconds(intake)
        line += (f" Rasterising the {count} PNG charts with resvg alone takes "
                 f"{_shown(seconds)} ({seconds / row.seconds:.0%}) and holds the GIL; the "
                 "Markdown report needs PNG (viewers strip inline SVG) and another renderer "
                 "draws other pixels, so that part stays until the charts may change.")
    return line


def _cold_line(row: Row, intake: Path, formats: str) -> str:
    phases = bench_cold.breakdown(intake, formats, runs=1)
    total = phases.pop("total")
    top = sorted(phases.items(), key=lambda item: -item[1])[:6]
    shown = ", ".join(f"{name} {_shown(seconds)}" for name, seconds in top)
    fixed = sum(phases.get(name, 0.0) for name in bench_cold.LIBRARY_PHASES)
    return (f"- **{row.measure}**: {_shown(row.seconds)}. One fresh process, by phase "
            f"({_shown(total)} in all): {shown}. Importing the libraries every review needs "
            f"({', '.join(bench_cold.LIBRARY_PHASES)}) alone costs {_shown(fixed)}: "
            "LangGraph pulls in langchain-core and its langsmith tracing types, the knowledge "
            "index is chromadb; neither is optional for a review with retrieval.")


def section(rows: list[Row], intake: Path) -> list[str]:
    """The Markdown lines of the section (empty when every review row meets its goal)."""
    lines = []
    for row in rows:
        goal = GOAL_SECONDS.get(row.measure)
        if goal is None or row.seconds <= goal:
            continue
        if row.measure.startswith("cold CLI"):
            formats = re.search(r"--format ([\w,]+)", row.measure)
            lines.append(_cold_line(row, intake, formats.group(1) if formats else "json"))
        else:
            kind = IN_PROCESS_KINDS[row.measure]
            lines.append(_in_process_line(row, intake, kind))
    if not lines:
        return []
    return ["", "## Goals not met, and why", "",
            "Measured in this run, after the table (the load average above applies):", "",
            *lines]
