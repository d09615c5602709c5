"""Ask a provider for a structured answer: validate, ground, repair (bounded), or fall back.

Every raw answer, validation error and repair attempt is written to the run log (JSONL next to
the report), so nothing the model said is dropped, whatever happens to it afterwards. An answer
is accepted only when it parses into the step's Pydantic schema AND passes the step's grounding
check (ids exist, quoted figures match ours). Otherwise the errors go back to the model as a
repair request, at most `max_repairs` times; then the caller uses the offline result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.llm.providers.base import Message, Provider, ProviderError, TransientProviderError
from assistant.llm.run_log import RunLog

T = TypeVar("T", bound=BaseModel)
Grounding = Callable[[T], list[str]]
Status = Literal["accepted", "repaired", "fallback"]


@dataclass
class AskResult(Generic[T]):
    """The outcome of one step: the accepted answer, or why it fell back."""

    step: str
    status: Status
    value: T | None
    attempts: int
    problems: list[str] = field(default_factory=list)


def _validation_problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in error.errors(include_url=False)]


def _repair_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return ("Your answer was rejected for these reasons:\n"
            f"{listed}\n"
            "Return the complete corrected JSON object only, following the same schema. Use only "
            "ids and figures that appear in the computed facts.")


def ask(provider: Provider, *, step: str, system: str, prompt: str, schema: type[T],
        shared_prefix: str, grounding: Grounding[T], max_repairs: int, log: RunLog,
        ) -> AskResult[T]:
    """Get a valid, grounded answer for one step, repairing at most `max_repairs` times.

    Transient provider errors propagate (the workflow's retry policy handles them); any other
    provider error ends the step with a fallback, logged.
    """
    messages: list[Message] = [{"role": "user", "content": prompt}]
    problems: list[str] = []
    for attempt in range(1, max_repairs + 2):
        try:
            completion = provider.complete(system=system, messages=messages, schema=schema,
                                           schema_name=step, shared_prefix=shared_prefix)
        except TransientProviderError:
            log.write(step=step, attempt=attempt, event="transient_error")
            raise
        except ProviderError as error:
            log.write(step=step, attempt=attempt, event="provider_error", error=str(error))
            return AskResult(step, "fallback", None, attempt, [f"provider error: {error}"])
        log.write(step=step, attempt=attempt, event="answer", provider=completion.provider,
                  model=completion.model, raw=completion.text, stop_reason=completion.stop_reason,
                  refusal=completion.refusal, input_tokens=completion.input_tokens,
                  output_tokens=completion.output_tokens, cached_tokens=completion.cached_tokens)
        if completion.refusal:
            problems = [f"the model refused: {completion.refusal}"]
            log.write(step=step, attempt=attempt, event="rejected", problems=problems)
            return AskResult(step, "fallback", None, attempt, problems)
        problems, value = _check(completion.text, schema, grounding)
        if value is not None and not problems:
            status: Status = "accepted" if attempt == 1 else "repaired"
            log.write(step=step, attempt=attempt, event=status)
            return AskResult(step, status, value, attempt)
        log.write(step=step, attempt=attempt, event="rejected", problems=problems)
        messages = [*messages, {"role": "assistant", "content": completion.text},
                    {"role": "user", "content": _repair_request(problems)}]
    log.write(step=step, event="fallback", problems=problems)
    return AskResult(step, "fallback", None, max_repairs + 1, problems)


def strip_fences(text: str) -> str:
    """Drop a Markdown code fence around a JSON answer (some servers add one in JSON mode)."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        body = stripped[3:-3]
        return body.split("\n", 1)[1] if "\n" in body else body
    return text


def _check(text: str, schema: type[T], grounding: Grounding[T]) -> tuple[list[str], T | None]:
    try:
        value = schema.model_validate_json(strip_fences(text))
    except ValidationError as error:
        return _validation_problems(error), None
    return grounding(value), value
