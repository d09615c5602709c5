"""One batch run: discover, skip what is finished, review the rest, write the summary.

The CLI (`archreview batch`) and anything else that reviews a folder call `run_batch`; it
prints nothing and reports each file through `on_outcome` as it finishes, so the caller
decides what the progress looks like.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.batch.discovery import Discovery, discover
from assistant.batch.jobs import Outcome, Task, run_tasks
from assistant.batch.manifest import (
    finished_entry,
    input_sha256,
    remove_leftovers,
    settings_sha256,
)
from assistant.batch.summary import Entry, Summary, write_summary
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.llm.providers.base import Provider

ERROR_LOG = "batch-errors.log"


@dataclass
class Plan:
    """What a run will do: the files to review, and the rows already known without a review."""

    discovery: Discovery
    tasks: list[Task] = field(default_factory=list)
    known: dict[str, Entry] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    sarif: bool = False

    @property
    def skipped(self) -> int:
        """Files left alone because their report set is complete and unchanged."""
        return sum(1 for e in self.known.values() if e.status == "skipped")


def default_jobs() -> int:
    """One job per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def plan_batch(arguments: Sequence[str], out_dir: Path, settings: Settings,
               formats: tuple[str, ...], force: bool = False) -> Plan:
    """Discover the files and decide, per file, review it or reuse its finished report set.

    Raises:
        UsageError: an argument names nothing.
    """
    from assistant.report.writer import report_folders

    discovery = discover(arguments, exclude=out_dir, max_bytes=settings.max_intake_bytes)
    plan = Plan(discovery, sarif="sarif" in formats)
    settings_hash = settings_sha256(settings, formats)
    folders = report_folders(out_dir, discovery.intakes)
    for path in _all_files(discovery):
        plan.order.append(str(path))
    for path, problems in discovery.unreadable:
        plan.known[str(path)] = Entry(file=str(path), status="failed",
                                      problems=[str(p) for p in problems],
                                      detail=f"cannot be read: {len(problems)} problem(s)")
    for path, note in discovery.not_intakes:
        plan.known[str(path)] = Entry(file=str(path), status="not_intake", detail=note)
    for path in discovery.intakes:
        folder = folders[path]
        done = None if force else finished_entry(folder, input_sha256(path), settings_hash)
        if done is not None and done.file == str(path):
            plan.known[str(path)] = done.model_copy(update={"status": "skipped"})
        else:
            plan.tasks.append(Task(path, folder, formats, settings_hash))
    return plan


def _all_files(discovery: Discovery) -> list[Path]:
    paths = set(discovery.intakes) | {p for p, _ in discovery.not_intakes} | {
        p for p, _ in discovery.unreadable}
    return sorted(paths)


def run_batch(plan: Plan, out_dir: Path, settings: Settings, *, jobs: int,
              provider: Provider | None = None,
              on_outcome: Callable[[Outcome], None] | None = None) -> Summary:
    """Review the planned files, then write summary.json and summary.md into `out_dir`.

    Tracebacks of files that crashed go to `out_dir/batch-errors.log` (the summary carries
    the one-line cause).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    results = dict(plan.known)
    log = out_dir / ERROR_LOG
    log.unlink(missing_ok=True)
    for outcome in run_tasks(plan.tasks, settings, jobs, provider):
        results[outcome.entry.file] = outcome.entry
        if outcome.traceback:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"== {outcome.entry.file}\n{outcome.traceback}\n")
        if on_outcome is not None:
            on_outcome(outcome)
    summary = Summary(out_dir=str(out_dir), entries=[results[f] for f in plan.order])
    write_summary(summary, out_dir, settings.language, sarif=plan.sarif)
    return summary
