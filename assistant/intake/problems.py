"""What is wrong with an intake file: one `Problem` per mistake, all of them in one `IntakeError`.

A separate module so the bounded parser and the validator can both raise it without importing
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an intake file."""

    file: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(file)'}: {self.message}"


class IntakeError(Exception):
    """Raised when an intake file cannot be used; carries every problem found."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        summary = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the intake:\n{summary}")


def file_problem(path: Path, message: str, line: int | None = None) -> IntakeError:
    """An error about the file as a whole (unreadable, too big, malformed)."""
    return IntakeError(path, [Problem(str(path), "", message, line)])
