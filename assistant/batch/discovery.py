"""Find the intake files among folders, globs and files, and set aside files that are not intakes.

Why classify before reviewing: a repository holds many YAML/JSON files (workflows, compose
files, manifests); only those that look like an intake should count. A file whose top level
has none of the intake's distinctive required keys is skipped with a note; one that has any of
them is an intake attempt, and a mistake in it is a failure, not a skip. `name` alone does not
count: nearly every workflow and package manifest has one. A file that cannot be read or
parsed is a failure too: it is in the set and nobody can tell what it is.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.intake.loading import IntakeError, Problem, read_intake_data
from assistant.intake.schema import Intake

SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_GLOB_CHARS = frozenset("*?[")
#: Required in every intake but too common to mark a file as one.
_GENERIC_KEYS = frozenset({"name"})


class UsageError(ValueError):
    """An argument names nothing to review (exit code 2)."""


@dataclass
class Discovery:
    """What the arguments name: candidate intakes, files set aside, files that cannot be read."""

    intakes: list[Path] = field(default_factory=list)
    not_intakes: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: list[tuple[Path, list[Problem]]] = field(default_factory=list)


def intake_keys() -> frozenset[str]:
    """The intake's required top-level keys that mark a file as meant to be an intake."""
    required = {name for name, info in Intake.model_fields.items() if info.is_required()}
    return frozenset(required - _GENERIC_KEYS)


def discover(arguments: Sequence[str], exclude: Path | None = None,
             max_bytes: int | None = None) -> Discovery:
    """Expand folders (recursively) and globs into files, sorted, and classify each.

    Hidden folders (`.git`, `.venv`) and everything under `exclude` (the output folder, whose
    report.json files are not intakes) are left out.

    Raises:
        UsageError: an argument is neither a file, a folder nor a glob that matches a file.
    """
    found: dict[Path, None] = {}
    for argument in arguments:
        paths = _expand(argument)
        if not paths and Path(argument).is_dir():
            raise UsageError(f"{argument}: the folder holds no .yaml, .yml or .json file")
        if not paths:
            raise UsageError(f"{argument}: no such file or folder, and no file matches it")
        found.update(dict.fromkeys(p for p in paths if not _excluded(p, exclude)))
    discovery = Discovery()
    for path in found:
        _classify(path, discovery, max_bytes)
    return discovery


def _expand(argument: str) -> list[Path]:
    """The files one argument names: itself, the intake-like files below a folder, glob hits."""
    path = Path(argument)
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES
                      and p.is_file() and not _hidden(p.relative_to(path)))
    if _GLOB_CHARS & set(argument):
        return sorted(Path(p) for p in glob.glob(argument, recursive=True)
                      if Path(p).is_file() and Path(p).suffix.lower() in SUFFIXES)
    return []


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])


def _excluded(path: Path, exclude: Path | None) -> bool:
    if exclude is None:
        return False
    try:
        path.resolve().relative_to(exclude.resolve())
    except ValueError:
        return False
    return True


def _classify(path: Path, discovery: Discovery, max_bytes: int | None) -> None:
    try:
        data, _lines = read_intake_data(path, max_bytes)
    except IntakeError as error:
        if _not_a_mapping(error):
            discovery.not_intakes.append((path, "its top level is not a mapping of fields"))
        else:
            discovery.unreadable.append((path, error.problems))
        return
    keys = intake_keys()
    if not keys & set(data):
        discovery.not_intakes.append((path, "none of the intake's keys at the top level ("
                                      + ", ".join(sorted(keys)) + ")"))
        return
    discovery.intakes.append(path)


def _not_a_mapping(error: IntakeError) -> bool:
    """A list or scalar document: not an intake, whatever else it is."""
    return len(error.problems) == 1 and error.problems[0].message.startswith(
        "expected a mapping of intake fields")
