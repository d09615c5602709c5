"""Check a participant's answer against the computed reference: found, missed, unsupported, score.

Score = found / expected: the share of the reference solution's expected items that some claim
supports (each claim counts for one item at most, see `matching.assign`). Claims that support
another finding of the review (outside the expected items) or repeat a found item are listed as
such and neither add nor cost points; claims with no support in the review are listed as
unsupported. Each miss is explained with its computed evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.assessment.model import Review
from assistant.i18n.messages import Language
from assistant.workshop.answers import Claim, read_answer
from assistant.workshop.exercises import Exercise, get_exercise
from assistant.workshop.matching import PairMatch, assign, best_support
from assistant.workshop.reference import ExpectedItem, ReferenceSolution, reference_solution
from assistant.workshop.reviewing import exercise_review

ReviewFn = Callable[[Exercise, Language], Review]


class FoundItem(BaseModel):
    """An expected item a claim supports, and why the matcher thinks so."""

    item: ExpectedItem
    claim: Claim
    via: dict[str, list[str]] = Field(description=(
        "What matched: component, constraint and/or pattern, with the words or card ids."))


class OtherClaim(BaseModel):
    """A claim that found no expected item: what (if anything) in the review supports it."""

    claim: Claim
    status: Literal["other_finding", "repeat", "unsupported"]
    item_key: str | None = None
    item_title: str | None = None


class Judgment(BaseModel):
    """The LLM's feedback on top of the computed check, or why there is none."""

    source: Literal["llm", "none", "fallback"]
    text: str = ""
    note: str = Field(default="", description="Why no judgment: no LLM configured, or fallback.")


class CheckResult(BaseModel):
    """The outcome of checking one answer (what the CLI prints and a UI page shows)."""

    exercise_id: str
    language: Language
    answer_file: str
    expected: int
    found: list[FoundItem]
    missed: list[ExpectedItem]
    others: list[OtherClaim]
    score: float = Field(description="found / expected, 0..1 (1.0 when nothing is expected).")
    reference: ReferenceSolution
    judgment: Judgment = Field(default_factory=lambda: Judgment(source="none"))

    @property
    def unsupported(self) -> list[Claim]:
        """Claims nothing in the review supports."""
        return [o.claim for o in self.others if o.status == "unsupported"]


def check_claims(exercise: Exercise, claims: list[Claim], reference: ReferenceSolution,
                 answer_file: str = "") -> CheckResult:
    """Match claims to the reference solution and score them (pure: no review, no I/O)."""
    matches = assign(claims, reference.expected)
    by_item = {m.item: m for m in matches}
    claims_by_number = {c.number: c for c in claims}
    found = [FoundItem(item=i, claim=claims_by_number[by_item[i.key].claim],
                       via={label: list(words) for label, words in by_item[i.key].via})
             for i in reference.expected if i.key in by_item]
    missed = [i for i in reference.expected if i.key not in by_item]
    used = {m.claim for m in matches}
    others = [_other(c, reference) for c in claims if c.number not in used]
    expected = len(reference.expected)
    return CheckResult(exercise_id=exercise.id, language=reference.language,
                       answer_file=answer_file, expected=expected, found=found, missed=missed,
                       others=others, score=len(found) / expected if expected else 1.0,
                       reference=reference)


def _other(claim: Claim, reference: ReferenceSolution) -> OtherClaim:
    titles = {i.key: i.title for i in [*reference.expected, *reference.others]}
    support: PairMatch | None = best_support(claim, reference.others)
    if support is not None:
        return OtherClaim(claim=claim, status="other_finding", item_key=support.item,
                          item_title=titles[support.item])
    repeat = best_support(claim, reference.expected)
    if repeat is not None:
        return OtherClaim(claim=claim, status="repeat", item_key=repeat.item,
                          item_title=titles[repeat.item])
    return OtherClaim(claim=claim, status="unsupported")


def check_answer(exercise_id: str, answer: Path | list[Claim], lang: Language = "en", *,
                 review_fn: ReviewFn | None = None) -> CheckResult:
    """Check an answer file (or claims) for an exercise against its computed reference.

    Raises:
        WorkshopError: unknown exercise, or an answer file that cannot be used.
        IntakeError: the exercise's intake is invalid (a packaging error).
    """
    exercise = get_exercise(exercise_id)
    claims = read_answer(answer) if isinstance(answer, Path) else answer
    review = (review_fn or exercise_review)(exercise, lang)
    reference = reference_solution(exercise, review, lang)
    return check_claims(exercise, claims, reference,
                        str(answer) if isinstance(answer, Path) else "")
