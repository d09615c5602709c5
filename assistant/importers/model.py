"""What a reader finds in one deployment file, before the merge turns it into a draft.

Plain dataclasses, not the intake's models: a reader records what the file says (and where),
the draft step decides what becomes an intake field, a comment or a question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Origin:
    """Where something was read: the file and the 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Found:
    """One component as a deployment file describes it."""

    name: str
    kind: str
    technology: str
    origin: Origin
    instances: int = 1
    size: str | None = None
    vcpu: float | None = None
    memory_gb: float | None = None
    resources_from: str = ""  # "limits" or "requests" (Kubernetes), "limits" (compose)
    autoscaling: bool = False
    health_checks: bool = False
    managed: bool = False
    local_storage: bool = False
    replicas: int = 0  # read replicas of a data store
    multi_az: bool = False
    aliases: set[str] = field(default_factory=set)  # host names other services use for it
    wants: set[str] = field(default_factory=set)  # names it depends on (resolved at the merge)
    notes: list[str] = field(default_factory=list)  # facts read but not modelled (said aloud)
    kind_from_table: bool = True
    instances_unknown: bool = False  # the file computes it (a Terraform expression): asked
    labels: dict[str, str] = field(default_factory=dict)  # pod labels (Kubernetes selectors)


@dataclass(frozen=True)
class Skipped:
    """Something read and deliberately not made a component, with why (listed in the draft)."""

    name: str
    origin: Origin
    reason: str


@dataclass
class SourceRead:
    """Everything one reader found in one file."""

    format: str
    path: Path
    components: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Links that only point somewhere once every file is read (a Service in one file selects
    # a Deployment in another): resolved at the merge.
    selectors: list[Selector] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)


@dataclass(frozen=True)
class Selector:
    """A Kubernetes Service (or PodDisruptionBudget): a name for the pods its labels select."""

    name: str
    labels: tuple[tuple[str, str], ...]
    origin: Origin
    load_balancer: bool = False  # type LoadBalancer: a load balancer in front of the pods
    note: str = ""  # a fact to add to every selected component (a PDB's minimum)


@dataclass(frozen=True)
class Autoscaler:
    """A HorizontalPodAutoscaler: which workload, min and max replicas, target CPU."""

    target: str
    min_replicas: int
    max_replicas: int
    cpu_pct: float | None
    origin: Origin


class Reader(Protocol):
    """One deployment format: say whether a file is yours, then read it."""

    format: str

    def claims(self, path: Path, text: str) -> bool:
        """Whether this reader understands the file (by name and a look at its content)."""
        ...

    def read(self, path: Path, text: str) -> SourceRead:
        """Read the file; raise ImportProblem (file, line, what was expected) on bad input."""
        ...


class ImportProblem(Exception):
    """A deployment file that cannot be read, with file, line and what was expected."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.message = file, line, message
