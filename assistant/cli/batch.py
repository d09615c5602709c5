"""The `archreview batch` command: review a folder of architecture files in one resumable run.

The work is `assistant.batch` (discovery, resume, parallel jobs, the summary files); this
module turns the options into settings, shows a Rich progress bar (done, failed, ETA), prints
the summary table and picks the exit code: 0 all passed, 1 a file failed (or `--fail-on` hit),
2 a usage error, 130 Ctrl-C.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from assistant.cli.console import err, out
from assistant.cli.gate import FAIL_ON_HELP, FailOn, gate_count, report_gate
from assistant.cli.review import _build_provider, _parse_formats, _settings, _usable_out_dir

if TYPE_CHECKING:
    from assistant.batch.jobs import Outcome
    from assistant.batch.run import Plan
    from assistant.batch.summary import Summary
    from assistant.i18n.messages import Messages
    from assistant.llm.providers.base import Provider
    from assistant.settings import Settings


def batch(
    inputs: Annotated[list[str], typer.Argument(
        help="Folders (searched recursively for .yaml/.yml/.json), globs or files.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports and the "
                                          "summary.")] = Path("out"),
    formats: Annotated[str, typer.Option(
        "--format", help="Comma-separated: md,json,html,sarif.")] = "md,json",
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=1, help="Files reviewed at once (default: the number of cores; with an "
        "LLM also capped by --concurrency).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Review every file again, even when its report set is complete and "
        "unchanged.")] = False,
    lang: Annotated[str | None, typer.Option(
        help="Report language: en or de (default: ARCHREVIEW_LANG, else en).")] = None,
    provider: Annotated[str | None, typer.Option(
        help="offline, anthropic, openai or openai-compatible (default: ARCHREVIEW_PROVIDER, "
             "else offline unless a key is configured).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Base URL of an OpenAI-compatible server.")] = None,
    concurrency: Annotated[int | None, typer.Option(
        help="Parallel requests to the provider (default: ARCHREVIEW_CONCURRENCY, else 1 for a "
             "local base URL, unlimited otherwise).")] = None,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help=FAIL_ON_HELP)] = None,
    against: Annotated[Path | None, typer.Option(
        "--against", help="A folder of the old versions: diff each intake of the (single) input "
        "folder with the file of the same name there; writes OUT/diff.md and diff.json.")] = None,
) -> None:
    """Review every intake under folders or globs: progress, resume, a summary, one exit code.

    A rerun skips files whose bytes, settings and archreview version are unchanged and whose
    report set is complete. Exit codes: 0 all passed; 1 a file failed validation or review
    (or --fail-on hit); 2 a usage error; 130 Ctrl-C (finished report sets stay complete).
    """
    from assistant.batch.discovery import UsageError
    from assistant.batch.run import default_jobs, plan_batch
    from assistant.i18n.messages import Messages

    chosen = tuple(_parse_formats(formats))
    _check_against(against, inputs)
    settings = _settings(provider, model, base_url, lang, concurrency=concurrency)
    llm = _build_provider(settings)
    _usable_out_dir(out_dir)
    try:
        plan = plan_batch(inputs, out_dir, settings, chosen, force=force)
    except UsageError as error:
        err.print(f"✗ {error}", highlight=False, markup=False)
        raise typer.Exit(code=2) from None
    if not plan.order:
        err.print("✗ no .yaml, .yml or .json files found", highlight=False, markup=False)
        raise typer.Exit(code=2)
    text = Messages(settings.language)
    _say_plan(plan, jobs or default_jobs(), llm is not None, settings)
    try:
        summary = _run_with_progress(plan, out_dir, settings, jobs or default_jobs(), llm)
    except KeyboardInterrupt:
        err.print("✗ interrupted (Ctrl-C): finished report sets are complete; rerun to review "
                  "the rest", highlight=False, markup=False)
        raise typer.Exit(code=130) from None
    _print_summary(summary, text)
    if against is not None:
        _diff_against(against, inputs, out_dir, settings)
    gated = report_gate(_gate_counts(summary, fail_on), fail_on)
    if summary.failed or gated:
        raise typer.Exit(code=1)


def _check_against(against: Path | None, inputs: list[str]) -> None:
    """`--against` compares one folder with another: say so before any review runs."""
    if against is None:
        return
    if len(inputs) != 1 or not Path(inputs[0]).is_dir() or not against.is_dir():
        err.print("✗ --against needs one input folder and a folder of the old versions",
                  highlight=False, markup=False)
        raise typer.Exit(code=2)


def _diff_against(against: Path, inputs: list[str], out_dir: Path, settings: Settings) -> None:
    """Diff the input folder file by file against the old folder (same file names)."""
    from assistant.comparison.render import render_folder_diff
    from assistant.comparison.service import diff_folders

    result = diff_folders(against, Path(inputs[0]), settings.language)
    for fmt in ("md", "json"):
        target = out_dir / f"diff.{fmt}"
        target.write_text(render_folder_diff(result, fmt, settings.language), encoding="utf-8")
        out.print(f"✓ {target}", markup=False, highlight=False)
    out.print(f"compared {len(result.diffs)} file(s) with {against}; only old: "
              f"{len(result.only_old)}, only new: {len(result.only_new)}, failed: "
              f"{len(result.failed)}", highlight=False, markup=False)


def _say_plan(plan: Plan, jobs: int, with_llm: bool, settings: Settings) -> None:
    from assistant.batch.jobs import llm_threads

    found = plan.discovery
    out.print(f"found {len(found.intakes)} intake file(s), {len(found.not_intakes)} other "
              f"file(s) set aside, {len(found.unreadable)} unreadable", highlight=False)
    if plan.skipped:
        out.print(f"skipped {plan.skipped} unchanged file(s) with a complete report set "
                  "(--force reviews them again)", highlight=False)
    for path, note in found.not_intakes:
        out.print(f"  not an intake, skipped: {path}: {note}", highlight=False, markup=False)
    for path, problems in found.unreadable:
        err.print(f"✗ {path}: cannot be read as an intake", highlight=False, markup=False)
        for problem in problems:
            err.print(f"  - {problem}", highlight=False, markup=False)
    if plan.tasks:
        if with_llm:
            mode = f"llm, threads: {llm_threads(settings, jobs)} at once (--concurrency caps it)"
        else:
            mode = "offline, processes" if jobs > 1 else "offline"
        out.print(f"reviewing {len(plan.tasks)} file(s) with --jobs {jobs} ({mode})",
                  highlight=False)


def _run_with_progress(plan: Plan, out_dir: Path, settings: Settings, jobs: int,
                       llm: Provider | None) -> Summary:
    from assistant.batch.run import run_batch

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("failed {task.fields[failed]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False,
                  disable=not err.is_terminal) as progress:
        bar = progress.add_task("reviewing", total=len(plan.tasks), failed=0)
        failed = 0

        def on_outcome(outcome: Outcome) -> None:
            nonlocal failed
            entry = outcome.entry
            if entry.status == "failed":
                failed += 1
                progress.console.print(f"✗ {entry.file}: {entry.detail}", highlight=False,
                                       markup=False)
                for problem in entry.problems:
                    progress.console.print(f"  - {problem}", highlight=False, markup=False)
            progress.update(bar, advance=1, failed=failed)

        return run_batch(plan, out_dir, settings, jobs=jobs, provider=llm,
                         on_outcome=on_outcome)


def _print_summary(summary: Summary, text: Messages) -> None:
    from assistant.batch.summary import first_break_text, summary_counts, worst_text

    table = Table(title=text.t("batch.summary.title"), show_lines=False)
    for key in ("file", "status", "first_break", "worst", "report"):
        table.add_column(text.t(f"batch.summary.{key}"), overflow="fold")
    for entry in summary.entries:
        status = text.t(f"batch.status.{entry.status}")
        cells = (entry.file, status, first_break_text(entry, text), worst_text(entry),
                 entry.report or entry.detail)
        table.add_row(*(Text(cell) for cell in cells),  # data, never Rich markup
                      style="red" if entry.status == "failed" else None)
    out.print(table)
    out.print(summary_counts(summary, text), highlight=False)
    out.print(f"summary: {Path(summary.out_dir) / 'summary.md'} and summary.json",
              highlight=False, markup=False)


def _gate_counts(summary: Summary, fail_on: FailOn | None) -> dict[str, int]:
    """Per file, the findings at or above the gate's severity (from the summary's counts)."""
    return {e.file: gate_count(e.findings, fail_on) for e in summary.entries}
