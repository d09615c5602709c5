"""The diff's plain functions for the CLI, the batch command and a UI page.

`diff_reviews` compares two `Review`s already computed; `diff_sources` reviews two intakes
(files or `REV:path`) offline and compares them; `diff_folders` does so file by file for two
folders (the batch command's `--against`). Reviews run offline: a diff compares figures, and the
figures never depend on an LLM.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.assessment.model import Review
from assistant.comparison.diff import diff_reviews
from assistant.comparison.model import ReviewDiff
from assistant.comparison.sources import open_source
from assistant.i18n.messages import Language

__all__ = ["FolderDiff", "ReviewDiff", "diff_folders", "diff_reviews", "diff_sources",
           "offline_review"]

ReviewFn = Callable[[Path, Language], Review]
INTAKE_SUFFIXES = (".yaml", ".yml", ".json")


def offline_review(path: Path, lang: Language) -> Review:
    """Review one intake file offline, writing nothing (the diff's default review)."""
    from assistant.settings import Settings
    from assistant.workflow.run import run_workflow

    settings = Settings.from_env(provider="offline", language=lang)
    return run_workflow(path, settings, out_dir=None, provider=None, retrieval=None)


def diff_sources(old: str, new: str, lang: Language = "en", *, cwd: Path | None = None,
                 review_fn: ReviewFn = offline_review, max_bytes: int = 2_000_000) -> ReviewDiff:
    """Review two intakes (each a file or a git `REV:path`) and diff them.

    Raises:
        SourceError: a side cannot be read from git.
        IntakeError: a side is not a valid intake (the problems name its file and fields).
    """
    with open_source(old, cwd=cwd, max_bytes=max_bytes) as before, \
            open_source(new, cwd=cwd, max_bytes=max_bytes) as after:
        old_review = review_fn(before.path, lang)
        new_review = review_fn(after.path, lang)
    return diff_reviews(old_review, new_review, old_source=before.label,
                        new_source=after.label, lang=lang)


class FolderDiff(BaseModel):
    """Two folders of intakes compared file by file (by file name)."""

    old_dir: str
    new_dir: str
    diffs: dict[str, ReviewDiff] = Field(default_factory=dict,
                                         description="File name -> its diff.")
    only_old: list[str] = Field(default_factory=list)
    only_new: list[str] = Field(default_factory=list)
    failed: dict[str, str] = Field(default_factory=dict, description=(
        "File name -> why it could not be compared (an invalid intake on either side)."))


def _intakes(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix.lower() in INTAKE_SUFFIXES}


def diff_folders(old_dir: Path, new_dir: Path, lang: Language = "en", *,
                 review_fn: ReviewFn = offline_review) -> FolderDiff:
    """Diff every intake file present in both folders; list the ones in one folder only.

    A file that fails to load or review on either side is listed in `failed` with the reason,
    and the others are still compared.

    Raises:
        NotADirectoryError: either path is not a folder.
    """
    from assistant.intake.loading import IntakeError

    for folder in (old_dir, new_dir):
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder}: not a folder; expected a folder of intake files")
    before, after = _intakes(old_dir), _intakes(new_dir)
    result = FolderDiff(old_dir=str(old_dir), new_dir=str(new_dir),
                        only_old=sorted(set(before) - set(after)),
                        only_new=sorted(set(after) - set(before)))
    for name in sorted(set(before) & set(after)):
        try:
            result.diffs[name] = diff_reviews(review_fn(before[name], lang),
                                              review_fn(after[name], lang),
                                              old_source=str(before[name]),
                                              new_source=str(after[name]), lang=lang)
        except IntakeError as error:
            result.failed[name] = "; ".join(str(p) for p in error.problems)
    return result
