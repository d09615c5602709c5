"""The shape of a finding: what a rule found, how severe, when it breaks, and its evidence.

Findings are what the roadmap, the report and the LLM's grounding refer to by id (F01, F02, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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
    constraint: str | None = Field(
        default=None, description="The binding constraint the first pattern removes (reads, "
        "writes beyond the largest size, connections, cpu of a stateless tier ...).")
    params: dict[str, str | float | int] = Field(
        default_factory=dict, description="Values the report's sentence templates fill in."
    )
    evidence: list[Evidence] = Field(default_factory=list)


def sort_key(finding: Finding) -> tuple[int, float, str, str]:
    """Order findings by severity, then breaking month (none last), then id, for stable reports."""
    month = finding.breaking_month if finding.breaking_month is not None else float("inf")
    return (SEVERITY_RANK[finding.severity], month, finding.rule_id, ",".join(finding.components))
