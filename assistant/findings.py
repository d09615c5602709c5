"""The shape of a finding and the registry every rule registers itself in.

A rule is one function with its own metadata (id, severity, the pattern cards that fix it).
Rules never eval strings; they read the intake and the computed capacity report, and return
findings with the evidence numbers that justify them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from assistant.capacity import CapacityReport
from assistant.defaults import Defaults
from assistant.intake import Intake

Severity = Literal["critical", "high", "medium", "low"]
SEVERITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class Evidence(BaseModel):
    """One number behind a finding, with where it came from.

    `label` is a catalogue key (`evidence.*`) filled with `params`, so reports in every
    language name the number in their own words.
    """

    label: str
    params: dict[str, str | float | int] = Field(default_factory=dict)
    value: float | str
    unit: str = ""
    source: str = Field(default="", description="Formula or intake field it came from.")


class Finding(BaseModel):
    """A deterministic finding about the architecture."""

    id: str = Field(default="", description="Stable id in this report, e.g. F03.")
    rule_id: str
    severity: Severity
    components: list[str]
    patterns: list[str]
    breaking_month: float | None = None
    params: dict[str, str | float | int] = Field(
        default_factory=dict, description="Values the report's sentence templates fill in."
    )
    evidence: list[Evidence] = Field(default_factory=list)


@dataclass(frozen=True)
class RuleContext:
    """What every rule may read."""

    intake: Intake
    capacity: CapacityReport
    defaults: Defaults


@dataclass(frozen=True)
class Rule:
    """A registered rule and its metadata."""

    id: str
    severity: Severity
    patterns: tuple[str, ...]
    check: Callable[[RuleContext, Rule], list[Finding]]

    def finding(self, components: list[str], *, severity: Severity | None = None,
                breaking_month: float | None = None, patterns: list[str] | None = None,
                evidence: list[Evidence] | None = None,
                **params: str | float | int) -> Finding:
        """Build a finding carrying this rule's id, default severity and patterns."""
        return Finding(
            rule_id=self.id, severity=severity or self.severity, components=components,
            patterns=patterns or list(self.patterns), breaking_month=breaking_month,
            params=params, evidence=evidence or [],
        )


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, patterns: list[str]) -> Callable[
    [Callable[[RuleContext, Rule], list[Finding]]], Callable[[RuleContext, Rule], list[Finding]]
]:
    """Register a rule function under its id with its metadata."""

    def register(
        check: Callable[[RuleContext, Rule], list[Finding]],
    ) -> Callable[[RuleContext, Rule], list[Finding]]:
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id!r} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, tuple(patterns), check)
        return check

    return register


def sort_key(finding: Finding) -> tuple[int, float, str, str]:
    """Order findings by severity, then breaking month (none last), then id, for stable reports."""
    month = finding.breaking_month if finding.breaking_month is not None else float("inf")
    return (SEVERITY_RANK[finding.severity], month, finding.rule_id, ",".join(finding.components))


def run_rules(intake: Intake, capacity: CapacityReport, defaults: Defaults) -> list[Finding]:
    """Run every registered rule and return the findings in a stable order."""
    import assistant.rules  # noqa: F401  (registers the rules)

    context = RuleContext(intake, capacity, defaults)
    findings = sorted((f for r in RULES.values() for f in r.check(context, r)), key=sort_key)
    return [f.model_copy(update={"id": f"F{i:02d}"}) for i, f in enumerate(findings, start=1)]
