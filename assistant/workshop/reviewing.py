"""The offline review behind an exercise, computed once per intake and language per process.

Offline on purpose: the reference solution is the review's computed figures and findings, which
never depend on an LLM; a UI checking many answers reviews each exercise once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.assessment.model import Review
from assistant.i18n.messages import Language
from assistant.workshop.exercises import Exercise


def exercise_review(exercise: Exercise, lang: Language) -> Review:
    """The offline review of the exercise's intake (cached per intake and language)."""
    return _review(str(exercise.intake_path()), lang)


@lru_cache(maxsize=32)
def _review(path: str, lang: Language) -> Review:
    from assistant.settings import Settings
    from assistant.workflow.run import run_workflow

    settings = Settings.from_env(provider="offline", language=lang)
    return run_workflow(Path(path), settings, out_dir=None, provider=None, retrieval=None)
