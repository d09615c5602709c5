"""Load an intake file (YAML or JSON) and turn every mistake into a precise, readable problem.

A user who mistypes a field must learn which file, which field path, which line and what was
expected, in one pass: all problems are collected, none is dropped. YAML is read with the safe
loader only, with bounds on size, depth and alias expansion (`parsing`); line numbers come
from the composed node tree.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.intake.dependencies import find_cycle
from assistant.intake.drafts import assume_answers, open_questions, question_message
from assistant.intake.parsing import Loc, parse, read_text
from assistant.intake.problems import IntakeError, Problem
from assistant.intake.schema import DATA_KINDS, Intake, all_field_names

__all__ = ["IntakeError", "Loc", "Problem", "load_intake", "read_intake_data", "register_check",
           "validate_intake"]

IntakeCheck = Callable[[Intake], list[tuple[Loc, str]]]
# Checks from layers above that this one may not import (the catalogue's sizes and currencies);
# the root package registers them, so every load and every review runs them.
_EXTRA_CHECKS: list[IntakeCheck] = []


def register_check(check: IntakeCheck) -> None:
    """Run `check` on every validated intake after the built-in cross-field checks."""
    if check not in _EXTRA_CHECKS:
        _EXTRA_CHECKS.append(check)


def load_intake(path: Path, max_bytes: int | None = None, *, allow_draft: bool = False) -> Intake:
    """Read, parse and validate one intake file, or raise IntakeError with all problems.

    A draft (open questions from `archreview import`) is refused unless `allow_draft`.
    """
    data, lines = read_intake_data(path, max_bytes)
    return validate_intake(path, data, lines, allow_draft=allow_draft)


def read_intake_data(path: Path, max_bytes: int | None = None) -> tuple[Any, dict[Loc, int]]:
    """Read and parse a file into plain data and a field-path-to-line map (no validation).

    `max_bytes` defaults to the `max_intake_bytes` setting (ARCHREVIEW_MAX_INTAKE_BYTES); the
    size is checked before the file is read.
    """
    if max_bytes is None:
        from assistant.settings import Settings

        max_bytes = Settings.from_env().max_intake_bytes
    return parse(path, read_text(path, max_bytes))


def validate_intake(path: Path, data: Any, lines: dict[Loc, int], *,
                    allow_draft: bool = False) -> Intake:
    """Validate parsed data as an intake, or raise IntakeError naming every problem.

    Open draft questions are problems (listed with every other problem of the draft as if its
    placeholders were answers) unless `allow_draft`: then the placeholders are used and listed
    in `draft_assumed`.
    """
    questions = open_questions(data)
    if questions and not allow_draft:
        asked = [_with_line(path, loc, question_message(q, p), lines) for loc, q, p in questions]
        try:
            _validated(path, assume_answers(data), lines)
        except IntakeError as error:
            asked += [p for p in error.problems if p.field != "draft_assumed"]
        raise IntakeError(path, asked)
    return _validated(path, assume_answers(data) if questions else data, lines)


def _validated(path: Path, data: Any, lines: dict[Loc, int]) -> Intake:
    try:
        intake = Intake.model_validate(data)
    except ValidationError as error:
        raise IntakeError(path, _problems_from_validation(path, error, lines, data)) from None
    found = semantic_problems(intake) + [p for check in _EXTRA_CHECKS for p in check(intake)]
    problems = [_with_line(path, loc, msg, lines) for loc, msg in found]
    if problems:
        raise IntakeError(path, problems)
    return intake


def _problems_from_validation(
    path: Path, error: ValidationError, lines: dict[Loc, int], data: Any
) -> list[Problem]:
    known = sorted(all_field_names())
    problems = []
    for item in error.errors(include_url=False):
        loc = _field_loc(item["loc"], data)
        message = _expected(item, known)
        problems.append(_with_line(path, loc, message, lines))
    return problems


def _field_loc(loc: tuple[str | int, ...], data: Any) -> Loc:
    """The location as the user wrote it: Pydantic's union tags dropped, their keys kept.

    Pydantic adds the chosen union member's name (e.g. "function-before[...]") to locations; a
    key the user actually wrote is kept even if it looks like one (an unknown key `[` once
    vanished from its own error message, leaving no field named).
    """
    kept: list[str | int] = []
    node = data
    for part in loc:
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if present:
            node = node[part]
        elif _is_union_tag(part):
            continue
        else:
            node = None
        kept.append(part)
    return tuple(kept)


MAX_SHOWN = 80  # characters of a rejected value an error message repeats


def _is_union_tag(part: str | int) -> bool:
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
    if len(shown) > MAX_SHOWN:  # a hostile 2 MB string is named, not echoed
        shown = f"{shown[:MAX_SHOWN]}... ({len(shown):,} characters)"
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
