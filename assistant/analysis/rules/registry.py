"""The shape of a finding and the registry every rule registers itself in.

A rule is one function with its own metadata (id, severity, the pattern cards that fix it).
Rules never eval strings; they read the intake and the computed capacity report, and return
findings with the evidence numbers that justify them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.analysis.rules.finding import Evidence, Finding, Severity
from assistant.capacity.model import CapacityReport
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake


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
                evidence: list[Evidence] | None = None, constraint: str | None = None,
                **params: str | float | int) -> Finding:
        """Build a finding carrying this rule's id, default severity and patterns."""
        return Finding(
            rule_id=self.id, severity=severity or self.severity, components=components,
            patterns=patterns or list(self.patterns), breaking_month=breaking_month,
            constraint=constraint, params=params, evidence=evidence or [],
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


