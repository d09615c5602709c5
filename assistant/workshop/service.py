"""The workshop's plain functions, for the CLI and a UI page: list, show, explain, check.

Each returns a Pydantic model; none prints. The review behind an exercise is computed offline
(the figures never depend on an LLM) and kept per process, so a UI checking many answers
reviews each exercise once per language.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel

from assistant.assessment.model import Review
from assistant.i18n.messages import Language
from assistant.workshop.check import CheckResult, check_answer
from assistant.workshop.exercises import Exercise, get_exercise, list_exercises
from assistant.workshop.reference import ReferenceSolution, reference_solution

__all__ = ["CheckResult", "ExerciseView", "check_answer", "exercise_review", "explain_exercise",
           "list_exercises", "show_exercise"]


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


def exercise_review(exercise: Exercise, lang: Language) -> Review:
    """The offline review of the exercise's intake (cached per intake and language)."""
    return _review(str(exercise.intake_path()), lang)


@lru_cache(maxsize=32)
def _review(path: str, lang: Language) -> Review:
    import assistant
    from assistant.settings import Settings

    settings = Settings.from_env(provider="offline", language=lang)
    return assistant.review(path, settings, use_knowledge_base=False)


def explain_exercise(exercise_id: str, lang: Language = "en") -> ReferenceSolution:
    """The reference solution archreview computes for an exercise (`check --explain`)."""
    exercise = get_exercise(exercise_id)
    return reference_solution(exercise, exercise_review(exercise, lang), lang)
