"""The workshop exercises as data: loaded once, safely, from `data/exercises.yaml`.

An exercise names its intake (a file in `examples/`), what its reference solution consists of
and the task as the seed sets it, in English and German. The reference solution itself is not
stored anywhere: `reference.py` computes it from the intake with `assistant.review()`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.bundled import data_folder
from assistant.i18n.messages import Language

EXERCISES_PATH = Path(__file__).resolve().parent / "data" / "exercises.yaml"
EXAMPLES_ENV = "ARCHREVIEW_EXAMPLES_DIR"
MAX_EXERCISE_FILE_BYTES = 256_000


class WorkshopError(Exception):
    """A workshop input cannot be used; the message names the file, field and expectation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localised(_Strict):
    """One text in both report languages."""

    en: str = Field(min_length=1)
    de: str = Field(min_length=1)

    def get(self, lang: Language) -> str:
        """The text in `lang`."""
        return self.de if lang == "de" else self.en


class Expectation(_Strict):
    """What the reference solution is made of (computed from the review, never typed in)."""

    kind: Literal["findings", "caching"]
    count: int | None = Field(default=None, ge=1, le=20, description=(
        "findings: how many of the review's findings, in its order (severity, breaking month)."))
    kinds: list[str] = Field(default_factory=list, description=(
        "findings: keep only findings whose every component is of one of these kinds."))


class Exercise(_Strict):
    """One exercise: its intake, its task as the seed sets it, and what a full answer names."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")
    title: Localised
    seed: str = Field(description="Where in the seeds the exercise comes from.")
    intake: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*\.yaml$",
                        description="The intake file in examples/.")
    expect: Expectation
    task: Localised

    def intake_path(self) -> Path:
        """The exercise's intake: the examples folder bundled in the wheel or the checkout's."""
        return data_folder("examples", EXAMPLES_ENV) / self.intake


class _ExerciseFile(_Strict):
    exercises: list[Exercise] = Field(min_length=1)


@cache
def load_exercises(path: Path = EXERCISES_PATH) -> tuple[Exercise, ...]:
    """Read and validate the exercise definitions (safe YAML loader, size bounded, ids unique)."""
    if path.stat().st_size > MAX_EXERCISE_FILE_BYTES:
        raise WorkshopError(f"{path}: larger than {MAX_EXERCISE_FILE_BYTES:,} bytes")
    try:
        parsed = _ExerciseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as error:
        raise WorkshopError(f"{path}: not a valid exercise file: {error}") from None
    ids = [e.id for e in parsed.exercises]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise WorkshopError(f"{path}: exercise ids used twice: {', '.join(duplicates)}")
    return tuple(parsed.exercises)


def list_exercises() -> list[Exercise]:
    """Every exercise, in the workshop's order."""
    return list(load_exercises())


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id.

    Raises:
        WorkshopError: no exercise has that id (the message lists the ids there are).
    """
    for exercise in load_exercises():
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in load_exercises())
    raise WorkshopError(f"exercise {exercise_id!r}: no such exercise; expected one of {known}")
