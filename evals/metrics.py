"""What one review's LLM path did, read from its run log and its sections.

Counted per review: the steps put to the model, the first answers that parsed into the step's
schema, the repairs and shorter re-asks it needed, the sections that fell back (with their
causes), and the grounding of the ids the model cited: in every answer it gave (the model's
own grounding rate) and in the sections the report finally shows as the model's (which must
be 1.0: an ungrounded answer is never accepted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel, Field

from assistant.assessment.model import Review

#: Fields of an answer that cite an id, by the kind of id they cite.
ID_FIELDS = {"component_ids": "components", "spof_component_ids": "components",
             "finding_ids": "findings", "pattern_ids": "patterns", "pattern_id": "patterns"}
#: The sections of a review and the attribute holding each one's text.
SECTION_VALUES = {"bottlenecks": "analysis", "cost_performance": "cost_review",
                  "roadmap": "roadmap_plan", "roi": "roi_case"}


class LlmOutcome(BaseModel):
    """The LLM path of one review, as an eval sees it."""

    steps: int = Field(description="steps put to the model")
    first_answers: int = Field(description="steps whose first request got an answer")
    schema_valid_first: int = Field(description="first answers that parsed into the schema")
    repairs: int = Field(description="requests after the first, per step, summed")
    fallen_back: dict[str, str] = Field(description="step -> cause of its fallback")
    claims: int = Field(description="ids cited in every parsed answer")
    grounded_claims: int = Field(description="of those, ids that exist")
    accepted_claims: int = Field(description="ids cited in the sections the model wrote")
    accepted_grounded: int = Field(description="of those, ids that exist")
    mode: str
    missing: list[str] = Field(default_factory=list, description="requests not in the cassette")
    unplayed: list[str] = Field(default_factory=list, description="recorded, never asked")
    drift: list[str] = Field(default_factory=list, description="bodies changed since recording")

    @property
    def replay_complete(self) -> bool:
        """Nothing missing, nothing left unplayed."""
        return not self.missing and not self.unplayed


def known_ids(review: Review, pattern_ids: Iterable[str]) -> dict[str, set[str]]:
    """The ids an answer may cite, by kind."""
    return {"components": {c.id for c in review.intake.components},
            "findings": {f.id for f in review.findings}, "patterns": set(pattern_ids)}


def cited_ids(node: Any) -> Iterator[tuple[str, str]]:
    """Every (kind, id) an answer cites, wherever in the answer it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            kind = ID_FIELDS.get(key)
            if kind and isinstance(value, str):
                yield kind, value
            elif kind and isinstance(value, list):
                yield from ((kind, str(v)) for v in value if isinstance(v, str | int))
            else:
                yield from cited_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from cited_ids(item)


def grounding_counts(answers: Iterable[Any], known: dict[str, set[str]]) -> tuple[int, int]:
    """(ids cited, ids that exist) over some answers."""
    cited = grounded = 0
    for answer in answers:
        for kind, value in cited_ids(answer):
            cited += 1
            grounded += value in known[kind]
    return cited, grounded


def _parsed(raw: object) -> Any:
    text = str(raw or "").strip()
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3].split("\n", 1)[-1]
    try:
        return json.loads(text)
    except ValueError:
        return None


def _accepted_sections(review: Review) -> list[Any]:
    """The sections the model wrote, as JSON data."""
    values: list[Any] = []
    for step, source in review.sections.items():
        if source.source != "llm":
            continue
        value = (getattr(review, SECTION_VALUES[step]) if step in SECTION_VALUES
                 else review.advice.get(step))
        if value is not None:
            values.append(value.model_dump(mode="json"))
    return values


def llm_outcome(review: Review, entries: list[dict[str, Any]],
                pattern_ids: Iterable[str]) -> LlmOutcome:
    """Count what the model did in one review, from its run log entries and sections."""
    known = known_ids(review, pattern_ids)
    asked = {str(e["step"]) for e in entries if e.get("event") == "request"}
    first = {str(e["step"]) for e in entries if e.get("event") == "answer"
             and e.get("attempt") == 1}
    valid_first = {str(e["step"]) for e in entries if e.get("attempt") == 1 and (
        e.get("event") == "accepted" or (e.get("event") == "rejected"
                                         and e.get("cause") == "ungrounded"))}
    repairs = sum(1 for e in entries if e.get("event") == "request"
                  and int(str(e.get("attempt") or 1)) > 1)
    answers = [_parsed(e.get("raw")) for e in entries if e.get("event") == "answer"]
    claims, grounded = grounding_counts((a for a in answers if a is not None), known)
    accepted, accepted_ok = grounding_counts(_accepted_sections(review), known)
    fallen = {step: str(s.cause) for step, s in sorted(review.sections.items())
              if s.source == "fallback"}
    return LlmOutcome(steps=len(asked), first_answers=len(first),
                      schema_valid_first=len(valid_first), repairs=repairs,
                      fallen_back=fallen, claims=claims, grounded_claims=grounded,
                      accepted_claims=accepted, accepted_grounded=accepted_ok,
                      mode=review.mode)
