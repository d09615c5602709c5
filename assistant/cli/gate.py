"""The CI gate: `--fail-on critical|high|medium` fails a run when a finding reaches that severity.

Shared by `review` and `batch` so both read the threshold and count the same way. The severity
order is the rule registry's (`SEVERITY_RANK`), not a copy of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from assistant.cli.console import err

if TYPE_CHECKING:
    from assistant.analysis.rules.finding import Finding


class FailOn(StrEnum):
    """The severities a gate can stop at (low findings never fail a build)."""

    critical = "critical"
    high = "high"
    medium = "medium"


FAIL_ON_HELP = ("Exit 1 when any finding reaches this severity: critical, high or medium "
                "(a CI gate; default: findings never change the exit code).")


def reaches(severity: str, fail_on: FailOn | None) -> bool:
    """Whether a finding of this severity stops the gate (never without a gate)."""
    if fail_on is None:
        return False
    from assistant.analysis.rules.finding import SEVERITY_RANK

    return SEVERITY_RANK[severity] <= SEVERITY_RANK[fail_on.value]


def gate_hits(findings: Iterable[Finding], fail_on: FailOn | None) -> list[Finding]:
    """The findings at or above the threshold (none when there is no gate)."""
    return [f for f in findings if reaches(f.severity, fail_on)]


def gate_count(per_severity: dict[str, int], fail_on: FailOn | None) -> int:
    """How many of these findings (counted per severity) stop the gate."""
    return sum(n for severity, n in per_severity.items() if reaches(severity, fail_on))


def report_gate(hits_per_file: dict[str, int], fail_on: FailOn | None) -> bool:
    """Say which files the gate stops at; return whether it stops the run."""
    stopped = {name: count for name, count in hits_per_file.items() if count}
    if fail_on is None or not stopped:
        return False
    err.print(f"--fail-on {fail_on.value}: {len(stopped)} file(s) have findings at or above "
              f"{fail_on.value}:", highlight=False, markup=False)
    for name, count in stopped.items():
        err.print(f"  - {name}: {count} finding(s)", highlight=False, markup=False)
    return True
