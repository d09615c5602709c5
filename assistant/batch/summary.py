"""The batch summary: one row per file, and its two forms, `summary.json` and `summary.md`.

One row holds what a platform team scans first: did it pass, what breaks first and when, the
worst finding, where the report is; for a failure, every problem with file, line and field.
The row of a reviewed file is built once (`entry_for`), stored in that report set's manifest,
and reused when a rerun skips the file, so the summary of a resumed run is complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from assistant.i18n.messages import Language, Messages
from assistant.report.markdown import _text as markdown_text
from assistant.version import __version__

if TYPE_CHECKING:
    from assistant.assessment.model import Review

Status = Literal["reviewed", "skipped", "failed", "not_intake"]
SUMMARY_JSON = "summary.json"
SUMMARY_MD = "summary.md"
SUMMARY_SARIF = "summary.sarif"


class FirstBreak(BaseModel):
    """The first breaking point before the target: the component (or host) and the month."""

    subject: str
    resource: str
    month: float


class WorstFinding(BaseModel):
    """The most severe finding (the report's order: severity, then breaking month)."""

    id: str
    rule_id: str
    severity: str
    title: str


class Entry(BaseModel):
    """One file of the batch and what became of it."""

    file: str
    status: Status
    detail: str = Field(default="", description="Why it failed or was skipped, in one line.")
    problems: list[str] = Field(default_factory=list, description=(
        "Every problem of an invalid intake: file:line: field: what was expected."))
    report: str | None = Field(default=None, description="The report folder.")
    first_break: FirstBreak | None = None
    worst: WorstFinding | None = None
    findings: dict[str, int] = Field(default_factory=dict,
                                     description="Number of findings per severity.")


class Summary(BaseModel):
    """The whole batch: counts and one entry per file, in the order the files were found."""

    tool_version: str = __version__
    out_dir: str
    entries: list[Entry]

    def count(self, status: Status) -> int:
        """How many files ended with this status."""
        return sum(1 for e in self.entries if e.status == status)

    @property
    def failed(self) -> bool:
        """Whether any file failed validation or review (exit code 1)."""
        return self.count("failed") > 0


def entry_for(file: str, review: Review, report: Path, text: Messages) -> Entry:
    """The summary row of a reviewed file."""
    first = review.capacity.first_break
    worst = review.findings[0] if review.findings else None
    counts: dict[str, int] = {}
    for finding in review.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return Entry(
        file=file, status="reviewed", report=str(report), findings=counts,
        first_break=FirstBreak(subject=first.subject, resource=first.resource,
                               month=first.month) if first else None,
        worst=WorstFinding(id=worst.id, rule_id=worst.rule_id, severity=worst.severity,
                           title=text.t(f"rule.{worst.rule_id}.title", **worst.params))
        if worst else None)


def write_summary(summary: Summary, out_dir: Path, language: Language,
                  sarif: bool = False) -> list[Path]:
    """Write summary.json and summary.md (and summary.sarif) into `out_dir`; return the paths.

    summary.sarif merges the report sets' report.sarif files: one upload for the whole batch.
    """
    json_path, md_path = out_dir / SUMMARY_JSON, out_dir / SUMMARY_MD
    json_path.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render_summary_markdown(summary, Messages(language)), encoding="utf-8")
    if not sarif:
        return [json_path, md_path]
    return [json_path, md_path, write_merged_sarif(summary, out_dir / SUMMARY_SARIF)]


def write_merged_sarif(summary: Summary, path: Path) -> Path:
    """One SARIF log for every file reviewed now or earlier (skipped: its report is current)."""
    from assistant.report.sarif import merge_logs

    logs = [json.loads((Path(e.report) / "report.sarif").read_text(encoding="utf-8"))
            for e in summary.entries if e.report and e.status in ("reviewed", "skipped")
            and (Path(e.report) / "report.sarif").is_file()]
    path.write_text(json.dumps(merge_logs(logs), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def render_summary_markdown(summary: Summary, text: Messages) -> str:
    """The summary as a Markdown table; file names and problems are escaped as data."""
    lines = [f"# {text.t('batch.summary.title')}", "", _counts(summary, text), "",
             "| " + " | ".join(text.t(f"batch.summary.{c}") for c in (
                 "file", "status", "first_break", "worst", "report")) + " |",
             "|---|---|---|---|---|"]
    lines += [_row(entry, text) for entry in summary.entries]
    problems = [e for e in summary.entries if e.problems or (e.status == "failed" and e.detail)]
    if problems:
        lines += ["", f"## {text.t('batch.summary.problems')}", ""]
        for entry in problems:
            lines.append(f"- {_cell(entry.file)}: {_cell(entry.detail)}")
            lines += [f"  - {_cell(p)}" for p in entry.problems]
    return "\n".join(lines) + "\n"


def summary_counts(summary: Summary, text: Messages) -> str:
    """One sentence: how many files were reviewed, skipped, failed, set aside."""
    return _counts(summary, text)


def _counts(summary: Summary, text: Messages) -> str:
    return text.t("batch.summary.counts", total=len(summary.entries),
                  reviewed=summary.count("reviewed"), skipped=summary.count("skipped"),
                  failed=summary.count("failed"), not_intake=summary.count("not_intake"))


def first_break_text(entry: Entry, text: Messages) -> str:
    """`postgres, month 5.8`, or `none before the target`, or empty for a failure."""
    if entry.first_break is not None:
        return text.t("batch.summary.first_break_at", component=entry.first_break.subject,
                      month=round(entry.first_break.month, 1))
    return text.t("batch.summary.none") if entry.status in ("reviewed", "skipped") else ""


def worst_text(entry: Entry) -> str:
    """`F01 critical: Uptime target unreachable ...`, or empty."""
    if entry.worst is None:
        return ""
    return f"{entry.worst.id} {entry.worst.severity}: {entry.worst.title}"


def _row(entry: Entry, text: Messages) -> str:
    status = text.t(f"batch.status.{entry.status}")
    if entry.detail and entry.status != "failed":
        status += f" ({entry.detail})"
    cells = [_cell(entry.file), _cell(status), _cell(first_break_text(entry, text)),
             _cell(worst_text(entry)), _cell(entry.report) if entry.report else ""]
    return "| " + " | ".join(cells) + " |"


def _cell(value: object) -> str:
    """File names and problems are data: one line, Markdown syntax and HTML escaped."""
    return markdown_text(value)
