"""Load an intake file (YAML or JSON) and turn every mistake into a precise, readable problem.

A user who mistypes a field must learn which file, which field path, which line and what was
expected, in one pass: all problems are collected, none is dropped. YAML is read with the safe
loader only; line numbers come from the composed node tree.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.intake.dependencies import find_cycle
from assistant.intake.schema import DATA_KINDS, Intake, all_field_names

Loc = tuple[str | int, ...]
IntakeCheck = Callable[[Intake], list[tuple[Loc, str]]]
# Checks from layers above that this one may not import (the catalogue's sizes and currencies);
# the root package registers them, so every load and every review runs them.
_EXTRA_CHECKS: list[IntakeCheck] = []


def register_check(check: IntakeCheck) -> None:
    """Run `check` on every validated intake after the built-in cross-field checks."""
    if check not in _EXTRA_CHECKS:
        _EXTRA_CHECKS.append(check)


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


def load_intake(path: Path) -> Intake:
    """Read, parse and validate one intake file, or raise IntakeError with all problems."""
    data, lines = read_intake_data(path)
    return validate_intake(path, data, lines)


def read_intake_data(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Read and parse a file into plain data and a field-path-to-line map (no validation)."""
    return _parse(path, _read_text(path))


def validate_intake(path: Path, data: Any, lines: dict[Loc, int]) -> Intake:
    """Validate parsed data as an intake, or raise IntakeError naming every problem."""
    try:
        intake = Intake.model_validate(data)
    except ValidationError as error:
        raise IntakeError(path, _problems_from_validation(path, error, lines)) from None
    found = semantic_problems(intake) + [p for check in _EXTRA_CHECKS for p in check(intake)]
    problems = [_with_line(path, loc, msg, lines) for loc, msg in found]
    if problems:
        raise IntakeError(path, problems)
    return intake


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IntakeError(path, [Problem(str(path), "", "file not found")]) from None
    except UnicodeDecodeError as error:
        raise IntakeError(
            path, [Problem(str(path), "", f"expected UTF-8 text ({error.reason})")]
        ) from None


def _parse(path: Path, text: str) -> tuple[Any, dict[Loc, int]]:
    """Parse JSON or YAML; return the data and a map from field path to line number."""
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as error:
            problem = Problem(str(path), "", f"malformed JSON: {error.msg}", error.lineno)
            raise IntakeError(path, [problem]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        problem = Problem(str(path), "", f"malformed YAML: {reason}", line)
        raise IntakeError(path, [problem]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        problem = Problem(str(path), "", f"expected a mapping of intake fields, got {kind}")
        raise IntakeError(path, [problem])
    lines: dict[Loc, int] = {}
    _index_lines(node, (), lines)
    return data, lines


def _index_lines(node: yaml.Node | None, loc: Loc, lines: dict[Loc, int]) -> None:
    if node is None:
        return
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*loc, index), lines)


def _problems_from_validation(
    path: Path, error: ValidationError, lines: dict[Loc, int]
) -> list[Problem]:
    known = sorted(all_field_names())
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not _is_union_tag(part))
        message = _expected(item, known)
        problems.append(_with_line(path, loc, message, lines))
    return problems


def _is_union_tag(part: str | int) -> bool:
    # Pydantic adds the chosen member's name (e.g. "function-before[...]") to union locations.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _expected(item: Any, known: list[str]) -> str:
    """Phrase one Pydantic error as "what was expected", with a hint for unknown fields."""
    kind = item["type"]
    if kind == "extra_forbidden":
        name = str(item["loc"][-1])
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown field '{name}'{hint}"
    if kind == "missing":
        return "required field is missing"
    received = item.get("input")
    shown = repr(received) if not isinstance(received, dict | list) else type(received).__name__
    return f"{item['msg']} (got {shown})"


def _with_line(path: Path, loc: Loc, message: str, lines: dict[Loc, int]) -> Problem:
    line = None
    for depth in range(len(loc), -1, -1):
        line = lines.get(loc[:depth])
        if line is not None:
            break
    return Problem(str(path), _dotted(loc), message, line)


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def semantic_problems(intake: Intake) -> list[tuple[Loc, str]]:
    """Find problems no single field shows: duplicate ids, unknown references, cycles."""
    problems: list[tuple[Loc, str]] = []
    counts = Counter(c.id for c in intake.components)
    ids = set(counts)
    for index, component in enumerate(intake.components):
        if counts[component.id] > 1 and _first_index(intake, component.id) != index:
            duplicate = f"duplicate component id '{component.id}'"
            problems.append((("components", index, "id"), duplicate))
        for dep_index, dep in enumerate(component.depends_on):
            loc: Loc = ("components", index, "depends_on", dep_index)
            if dep not in ids:
                problems.append((loc, _unknown_reference(dep, ids)))
            elif dep == component.id:
                problems.append((loc, "a component cannot depend on itself"))
        if component.data is not None and component.kind not in DATA_KINDS:
            problems.append((("components", index, "data"), "'data' applies to db, cache, search "
                             f"or storage components, not kind '{component.kind}'"))
    for index, endpoint in enumerate(intake.endpoints):
        if endpoint.served_by is not None and endpoint.served_by not in ids:
            problems.append(
                (("endpoints", index, "served_by"), _unknown_reference(endpoint.served_by, ids))
            )
    cycle = _find_cycle(intake)
    if cycle:
        problems.append((("components",), f"depends_on forms a cycle: {' -> '.join(cycle)}"))
    return problems


def _first_index(intake: Intake, component_id: str) -> int:
    return next(i for i, c in enumerate(intake.components) if c.id == component_id)


def _unknown_reference(name: str, ids: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(ids), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"expected the id of a component in this file, got unknown '{name}'{hint}"


def _find_cycle(intake: Intake) -> list[str]:
    """A `depends_on` cycle, if any; depending on itself is reported on its own line instead."""
    return find_cycle({c.id: [d for d in c.depends_on if d != c.id] for c in intake.components})
