"""Shared steps of the import tests: import a fixture, answer its questions, review it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.importers.draft import Draft
from assistant.importers.run import import_paths
from assistant.intake.drafts import dotted, is_marker, open_questions

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
# What a team would answer; deliberately not the placeholders, so a review that used a
# placeholder instead of an answer shows in its figures.
SYSTEM_ANSWERS: dict[str, Any] = {
    "current.active_users": 2000,
    "current.requests_per_second": 15,
    "targets.target_users": 20000,
    "targets.target_month": 18,
    "targets.max_response_time_ms": 300,
    "constraints.team_size": 6,
    "constraints.budget_per_month": "2500 EUR",
}


def imported(*names: str) -> tuple[Draft, dict[str, Any]]:
    """Import fixture folders; return the draft and its YAML text parsed back."""
    draft = import_paths([FIXTURES / name for name in names])
    return draft, yaml.safe_load(draft.text())


def question_fields(data: dict[str, Any]) -> set[str]:
    """The dotted field of every open question in parsed draft data."""
    return {dotted(loc) for loc, _question, _placeholder in open_questions(data)}


def answer(data: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Replace each marker by the answer for its field; fail on a question left unanswered."""
    def walk(value: Any, loc: tuple[str | int, ...]) -> Any:
        if is_marker(value):
            return answers[dotted(loc)]
        if isinstance(value, dict):
            return {k: walk(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i)) for i, v in enumerate(value)]
        return value

    return dict(walk(data, ()))


def components(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Components by id."""
    return {c["id"]: c for c in data["components"]}


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write intake data as YAML."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
