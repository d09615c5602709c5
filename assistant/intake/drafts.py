"""Draft intakes: the open questions an importer writes instead of guessing, and their answers.

`archreview import` reads deployment files, which say nothing about users, request rates,
targets, budget or team. Each such field is written as a question marker, a mapping with
exactly the keys `ask` (the question) and `assume` (the placeholder a review may use):

    current:
      active_users: {ask: "How many users are active today?", assume: 500}

An intake with a marker left is a draft. `validate` lists every marker as an open question;
`review` refuses a draft unless `--allow-draft` is given, and then uses each `assume` value and
records it in `draft_assumed`, which the assumptions ledger lists: nothing assumed is silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from assistant.intake.base import StrictModel

Loc = tuple[str | int, ...]
MARKER_KEYS = frozenset({"ask", "assume"})
ALLOW_DRAFT_HINT = "answer it, or review with --allow-draft to assume the placeholder"


class AssumedAnswer(StrictModel):
    """One draft question a review answered with its placeholder (`--allow-draft`)."""

    field: str = Field(max_length=400, description="The intake field, e.g. current.active_users.")
    question: str = Field(max_length=2000, description="The question the draft asked.")
    value: str = Field(max_length=400, description="The placeholder the review used.")


def is_marker(value: Any) -> bool:
    """Whether a parsed value is an open-question marker."""
    return isinstance(value, dict) and set(value) == MARKER_KEYS


def open_questions(data: Any) -> list[tuple[Loc, str, Any]]:
    """Every marker in parsed intake data: (field location, question, placeholder), in order."""
    return list(_walk(data, ()))


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, str, Any]]:
    if is_marker(value):
        yield loc, str(value["ask"]), value["assume"]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))


def question_message(question: str, placeholder: Any) -> str:
    """The problem text `validate` and `review` print for one open question."""
    return f"open question (import draft): {question} ({ALLOW_DRAFT_HINT}: {placeholder!s})"


def assume_answers(data: Any) -> Any:
    """A copy of `data` with every marker replaced by its placeholder.

    Each one is listed in `draft_assumed`, so the review's assumptions ledger names it.
    """
    found = open_questions(data)
    if not found or not isinstance(data, dict):
        return data
    resolved = _replace(data)
    resolved["draft_assumed"] = [
        *data.get("draft_assumed", []),
        *({"field": dotted(loc), "question": question, "value": str(placeholder)}
          for loc, question, placeholder in found)]
    return resolved


def _replace(value: Any) -> Any:
    if is_marker(value):
        return value["assume"]
    if isinstance(value, dict):
        return {key: _replace(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item) for item in value]
    return value


def dotted(loc: Loc) -> str:
    """`components[2].size` from a location tuple."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
