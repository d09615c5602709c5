"""The workflow's state and run context.

State is what flows between nodes (one review); the context is the run's settings and services
(provider, run log, clock, cards), passed to every node by LangGraph and never stored in state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypedDict

from assistant.analysis.rules.finding import Finding
from assistant.assessment.model import Facts, Review, SectionSource
from assistant.assessment.sections import (
    AdviceList,
    BottleneckAnalysis,
    CostPerformanceReview,
    RoadmapPlan,
    RoiCase,
)
from assistant.capacity.model import CapacityReport
from assistant.intake.schema import Intake
from assistant.knowledge.cards import PatternCard
from assistant.llm.ask import Deadline
from assistant.llm.providers.base import Provider
from assistant.llm.run_log import RunLog
from assistant.settings import Settings

#: How the problems of a section that fell back because of a programming error begin.
INTERNAL_ERROR = "internal error"


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer for dicts written by parallel branches: union, right wins per key."""
    return {**(left or {}), **(right or {})}


class ReviewState(TypedDict, total=False):
    """What the nodes of one review read and write."""

    path: Path
    raw: Any
    lines: dict[tuple[str | int, ...], int]
    intake: Intake
    capacity: CapacityReport
    findings: list[Finding]
    facts: Facts
    prefix: str
    prompt_facts: dict[str, Any]
    analysis: BottleneckAnalysis
    cost_review: CostPerformanceReview
    roadmap_plan: RoadmapPlan | None
    roi_case: RoiCase
    advice: Annotated[dict[str, AdviceList], merge]
    sections: Annotated[dict[str, SectionSource], merge]
    recomputed: list[str]
    review: Review
    outputs: list[str]


@dataclass
class RunContext:
    """Run settings and services, given to every node (LangGraph `context`)."""

    settings: Settings
    provider: Provider | None
    log: RunLog
    cards: dict[str, PatternCard]
    clock: Callable[[], datetime] | None = None
    out_dir: Path | None = None
    formats: tuple[str, ...] = ("md", "json")
    source: str = ""
    retrieval: Callable[[str, str | None], list[str]] | None = None
    review_deadline: Deadline | None = None
    cancel: threading.Event | None = None
    unavailable: str | None = None  # the probe found the server unreachable: do not ask
    llm_steps_started: int = 0
    _steps_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start_llm_step(self, total: int) -> int:
        """Count a step that asks the model; return how many are left, this one included.

        Each step may then take its fair share of the review's remaining time.
        """
        with self._steps_lock:
            self.llm_steps_started += 1
            return max(1, total - self.llm_steps_started + 1)

