"""The workshop's plain functions, for the CLI and a UI page: list, show, explain, check.

A UI page calls `list_exercises()`, `show_exercise(id, lang)`, `explain_exercise(id, lang)` and
`check_answer(id, claims_from_text(pasted), lang)`; the diff's counterpart is
`assistant.comparison.service.diff_reviews` / `diff_sources`.

Each returns a Pydantic model; none prints. The review behind an exercise is computed offline
(the figures never depend on an LLM) and kept per process, so a UI checking many answers
reviews each exercise once per language.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.i18n.messages import Language
from assistant.workshop.answers import Claim, claims_from_text
from assistant.workshop.check import CheckResult, check_answer
from assistant.workshop.exercises import get_exercise, list_exercises
from assistant.workshop.reference import ReferenceSolution, reference_solution
from assistant.workshop.reviewing import exercise_review

__all__ = ["CheckResult", "Claim", "ExerciseView", "check_answer", "claims_from_text",
           "exercise_review", "explain_exercise", "list_exercises", "show_exercise"]


class ExerciseView(BaseModel):
    """An exercise as a participant sees it: title, task and source, in one language."""

    id: str
    title: str
    task: str
    seed: str
    intake_file: str
    expected_count: int | None


def show_exercise(exercise_id: str, lang: Language = "en") -> ExerciseView:
    """The task of one exercise as the seed sets it, in `lang`."""
    exercise = get_exercise(exercise_id)
    return ExerciseView(id=exercise.id, title=exercise.title.get(lang),
                        task=exercise.task.get(lang), seed=exercise.seed,
                        intake_file=str(exercise.intake_path()),
                        expected_count=exercise.expect.count)


def explain_exercise(exercise_id: str, lang: Language = "en") -> ReferenceSolution:
    """The reference solution archreview computes for an exercise (`check --explain`)."""
    exercise = get_exercise(exercise_id)
    return reference_solution(exercise, exercise_review(exercise, lang), lang)
