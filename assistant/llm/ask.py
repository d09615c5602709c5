"""Ask a provider for a structured answer: validate, ground, repair (bounded), or fall back.

Every raw answer, validation error and repair attempt is written to the run log (JSONL next to
the report), so nothing the model said is dropped, whatever happens to it afterwards. An answer
is accepted only when it parses into the step's Pydantic schema AND passes the step's grounding
check (ids exist, quoted figures match ours). Otherwise the errors go back to the model as a
repair request, at most `max_repairs` times; then the caller uses the offline result.

Provider errors end the step here, with a fallback that says why: the SDK has already retried
the transient ones, and a second retry layer above it would only multiply the wait. A step is
also bounded in time (`step_timeout_s`, all its requests and repairs together): each request
gets the remaining time as its timeout and runs in a worker thread that is waited on no longer
than that, so even a server that accepts the connection and never answers cannot hold a step
past its deadline. Anything else raised here (a grounding check crashing) is a programming
error and propagates, for the workflow to report as an internal error.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.llm.providers.base import (
    Completion,
    Message,
    Provider,
    ProviderError,
    TransientProviderError,
)
from assistant.llm.run_log import RunLog

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
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


class StepTimeout(Exception):
    """The step's time budget ran out while a request was still unanswered."""


@dataclass(frozen=True)
class Deadline:
    """When a step must be done by (monotonic clock); `limit_s` None means unbounded."""

    limit_s: float | None
    at: float | None

    @classmethod
    def start(cls, limit_s: float | None) -> Deadline:
        """Start the clock for a step that may take `limit_s` seconds."""
        return cls(limit_s, None if limit_s is None else time.monotonic() + limit_s)

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None when unbounded."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return self.at is not None and time.monotonic() >= self.at

    def problem(self, step: str) -> str:
        """The fallback's reason, naming the step and the limit."""
        return (f"step {step} timed out after {self.limit_s:g} s "
                "(ARCHREVIEW_STEP_TIMEOUT_S), before a valid answer")


def call_within(call: Callable[[], R], timeout_s: float | None) -> R:
    """Run `call` in a worker thread and wait for it at most `timeout_s` seconds.

    A daemon thread, not an executor: executor threads are joined at interpreter exit, so an
    abandoned request hung on a dead server would hold up the end of the run. An abandoned
    thread ends by itself once the SDK gives up on its request (its timeout was the step's
    remaining time); nothing waits for it.

    Raises:
        StepTimeout: `call` had not returned in time.
    """
    if timeout_s is None:
        return call()
    future: Future[R] = Future()
    context = contextvars.copy_context()

    def work() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(context.run(call))
        except BaseException as error:  # handed to the waiting thread, re-raised there
            future.set_exception(error)

    threading.Thread(target=work, name="archreview-llm-request", daemon=True).start()
    try:
        return future.result(timeout=timeout_s)
    except TimeoutError:
        if future.done():  # it finished as the wait ended, or raised its own TimeoutError
            return future.result()
        raise StepTimeout from None


class _Stop(Exception):
    """Ends a step early with a fallback (provider error, timeout, refusal)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


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
        step_timeout_s: float | None = None) -> AskResult[T]:
    """Get a valid, grounded answer for one step, repairing at most `max_repairs` times.

    Provider errors (transient ones after the SDK's retries), a refusal and running out of
    `step_timeout_s` end the step with a fallback, logged, whose problems say which.
    """
    deadline = Deadline.start(step_timeout_s)
    messages: list[Message] = [{"role": "user", "content": prompt}]
    problems: list[str] = []
    for attempt in range(1, max_repairs + 2):
        try:
            completion = _answer(provider, step, attempt, deadline, log, system=system,
                                 messages=messages, schema=schema, shared_prefix=shared_prefix)
        except _Stop as stop:
            return AskResult(step, "fallback", None, attempt, stop.problems)
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


def _answer(provider: Provider, step: str, attempt: int, deadline: Deadline, log: RunLog, *,
            system: str, messages: list[Message], schema: type[BaseModel],
            shared_prefix: str) -> Completion:
    """Make one request within the step's deadline and log the answer.

    Raises:
        _Stop: the step must fall back now (timeout, provider error or refusal), logged.
    """
    remaining = deadline.remaining()
    try:
        if remaining is not None and remaining <= 0:
            raise StepTimeout
        completion = call_within(lambda: provider.complete(
            system=system, messages=messages, schema=schema, schema_name=step,
            shared_prefix=shared_prefix, timeout_s=remaining), remaining)
    except StepTimeout:
        raise _stopped(log, step, attempt, "timeout", deadline.problem(step)) from None
    except ProviderError as error:
        if isinstance(error, TransientProviderError) and deadline.expired():
            # the SDK's own request timeout (set to our remaining time) fired first
            raise _stopped(log, step, attempt, "timeout", deadline.problem(step)) from None
        raise _stopped(log, step, attempt, "provider_error",
                       f"provider unavailable: {error}") from None
    _log_answer(log, step, attempt, completion)
    if completion.refusal:
        raise _stopped(log, step, attempt, "rejected", f"the model refused: {completion.refusal}")
    return completion


def _stopped(log: RunLog, step: str, attempt: int, event: str, problem: str) -> _Stop:
    """Log why a step ends early and build the signal that ends it."""
    log.write(step=step, attempt=attempt, event=event, problems=[problem])
    return _Stop([problem])


def _log_answer(log: RunLog, step: str, attempt: int, completion: Completion) -> None:
    log.write(step=step, attempt=attempt, event="answer", provider=completion.provider,
              model=completion.model, raw=completion.text, stop_reason=completion.stop_reason,
              refusal=completion.refusal, input_tokens=completion.input_tokens,
              output_tokens=completion.output_tokens, cached_tokens=completion.cached_tokens)


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
