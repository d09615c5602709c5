"""Deterministic rules over the intake and the capacity report, one function per rule.

Each rule module registers its functions with `registry.rule`; `run_rules` imports them all and
returns the findings in a stable order. A new rule goes into the module of its area.
"""

from __future__ import annotations

from assistant.analysis.rules import data_tier, inputs, operations, service_levels, topology
from assistant.analysis.rules.finding import Finding, sort_key
from assistant.analysis.rules.registry import RULES, RuleContext
from assistant.capacity.model import CapacityReport
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake

RULE_MODULES = (topology, data_tier, service_levels, operations, inputs)


def run_rules(intake: Intake, capacity: CapacityReport, defaults: Defaults) -> list[Finding]:
    """Run every registered rule and return the findings in a stable order."""
    context = RuleContext(intake, capacity, defaults)
    findings = sorted((f for r in RULES.values() for f in r.check(context, r)), key=sort_key)
    return [f.model_copy(update={"id": f"F{i:02d}"}) for i, f in enumerate(findings, start=1)]
