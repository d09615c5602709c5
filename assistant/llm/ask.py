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
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.assessment.model import FallbackCause
from assistant.llm.prompts import fence
from assistant.llm.providers.base import (
    ABANDONED,
    CURRENT_STEP,
    Completion,
    Message,
    Provider,
    ProviderError,
    TransientProviderError,
)
from assistant.llm.providers.context import MIN_ANSWER_TOKENS, TYPICAL_ANSWER_TOKENS
from assistant.llm.run_log import RunLog

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
Grounding = Callable[[T], list[str]]
Status = Literal["accepted", "repaired", "fallback"]
#: Stop reasons of an answer cut at the token limit: OpenAI's `length`, Anthropic's `max_tokens`.
TRUNCATED = frozenset({"length", "max_tokens"})
#: The most of a failed answer a repair request quotes back (it is not resent whole).
REPAIR_EXCERPT_CHARS = 1200
_POLL_S = 0.1
STEP_SETTING = "ARCHREVIEW_STEP_TIMEOUT_S"
REVIEW_SETTING = "ARCHREVIEW_REVIEW_TIMEOUT_S"


@dataclass
class AskResult(Generic[T]):
    """The outcome of one step: the accepted answer, or why it fell back."""

    step: str
    status: Status
    value: T | None
    attempts: int
    problems: list[str] = field(default_factory=list)
    cause: FallbackCause | None = None
    limit_s: float | None = None


class StepTimeout(Exception):
    """The step's time budget ran out while a request was still unanswered."""


class ReviewCancelled(Exception):  # noqa: N818 - it is a signal, not a failure
    """The user stopped the review (Ctrl-C): nothing more is asked or written."""


@dataclass(frozen=True)
class Deadline:
    """When a step must be done by (monotonic clock); `limit_s` None means unbounded.

    `setting` names the setting the limit comes from, for the fallback's reason.
    """

    limit_s: float | None
    at: float | None
    setting: str = STEP_SETTING
    share: int = 1  # this deadline is 1/share of the review's time left (steps still to run)

    @classmethod
    def start(cls, limit_s: float | None, setting: str = STEP_SETTING) -> Deadline:
        """Start the clock for a step that may take `limit_s` seconds."""
        return cls(limit_s, None if limit_s is None else time.monotonic() + limit_s, setting)

    def earliest(self, other: Deadline | None) -> Deadline:
        """This deadline, or `other` when that one ends first (the review's, near its end)."""
        if other is None or other.at is None or (self.at is not None and self.at <= other.at):
            return self
        return other

    def shared(self, steps_left: int) -> Deadline:
        """This step's fair share of the review's time left: the rest over the steps left.

        Without it a slow server's first step, raised to what one answer needs and then
        repaired twice, could spend the review's whole deadline, and the later steps would
        never reach the model.
        """
        left = self.remaining()
        if left is None or steps_left <= 1:
            return self
        limit = round(left / steps_left, 1)
        return Deadline(limit, time.monotonic() + limit, self.setting, steps_left)

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None when unbounded."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return self.at is not None and time.monotonic() >= self.at

    def problem(self, step: str) -> str:
        """The fallback's reason, naming the step and the limit."""
        whose = ("the step's deadline" if self.setting != REVIEW_SETTING
                 else "the review's deadline" if self.share == 1
                 else f"its share of the review's deadline, 1/{self.share} of the time left")
        return (f"step {step} timed out after {self.limit_s:g} s ({whose}, {self.setting}), "
                "before a valid answer")


def call_within(call: Callable[[], R], timeout_s: float | None,
                cancel: threading.Event | None = None) -> R:
    """Run `call` in a worker thread and wait for it at most `timeout_s` seconds.

    A daemon thread, not an executor: executor threads are joined at interpreter exit, so an
    abandoned request hung on a dead server would hold up the end of the run. An abandoned
    thread ends by itself once the SDK gives up on its request (its timeout was the step's
    remaining time); nothing waits for it. The wait is sliced so that `cancel` (Ctrl-C) ends
    it within a tenth of a second.

    Raises:
        StepTimeout: `call` had not returned in time.
        ReviewCancelled: `cancel` was set while waiting.
    """
    if timeout_s is None and cancel is None:
        return call()
    future: Future[R] = Future()
    context = contextvars.copy_context()
    abandoned = threading.Event()
    context.run(ABANDONED.set, abandoned)

    def work() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(context.run(call))
        except BaseException as error:  # handed to the waiting thread, re-raised there
            future.set_exception(error)

    threading.Thread(target=work, name="archreview-llm-request", daemon=True).start()
    end = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        if cancel is not None and cancel.is_set():
            abandoned.set()
            raise ReviewCancelled
        left = None if end is None else end - time.monotonic()
        if left is not None and left <= 0:
            if future.done():  # it finished as the wait ended
                return future.result()
            abandoned.set()  # the SDK must not re-send it in the background
            raise StepTimeout
        wait = _POLL_S if left is None else min(_POLL_S, left)
        try:
            return future.result(timeout=wait)
        except TimeoutError:
            if future.done():  # it raised its own TimeoutError
                return future.result()


class _Stop(Exception):
    """Ends a step early with a fallback (provider error, timeout, refusal)."""

    def __init__(self, problems: list[str], cause: FallbackCause,
                 limit_s: float | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.cause: FallbackCause = cause
        self.limit_s = limit_s


def _validation_problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in error.errors(include_url=False)]


def excerpt(text: str, limit: int = REPAIR_EXCERPT_CHARS) -> str:
    """At most `limit` characters of a failed answer: its head and tail, the cut marked."""
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 3
    return f"{text[:head]}\n[... {len(text) - head - tail} characters left out ...]\n{text[-tail:]}"


def _repair_request(problems: list[str], answer: str) -> str:
    """Ask again with the errors and a bounded excerpt of the answer, never the whole answer."""
    listed = "\n".join(f"- {p}" for p in problems[:20])
    more = f"\n- ... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return ("Your previous answer was rejected for these reasons:\n"
            f"{listed}{more}\n"
            f"Your previous answer ({min(len(answer), REPAIR_EXCERPT_CHARS)} of {len(answer)} "
            f"characters):\n```previous-answer\n{fence(excerpt(answer))}\n```\n"
            "Return the complete corrected JSON object only, following the same schema. Use only "
            "ids and figures that appear in the computed facts.")


def _shorter_request(tokens: object) -> str:
    """Ask again after an answer the token limit cut off: shorter, not repaired."""
    return (f"Your previous answer was cut off at the token limit ({tokens} tokens) and is lost. "
            "Answer again, much shorter: one or two sentences per text field and only the most "
            "important list items. Return one complete JSON object only.")


def ask(provider: Provider, *, step: str, system: str, prompt: str, schema: type[T],
        shared_prefix: str, grounding: Grounding[T], max_repairs: int, log: RunLog,
        step_timeout_s: float | None = None, review_deadline: Deadline | None = None,
        cancel: threading.Event | None = None, steps_left: int = 1) -> AskResult[T]:
    """Get a valid, grounded answer for one step, repairing at most `max_repairs` times.

    Provider errors (transient ones after the SDK's retries), a refusal and running out of
    `step_timeout_s` (or the review's deadline) end the step with a fallback, logged, whose
    cause and problems say which. An answer the token limit cut off is asked for again,
    shorter, not repaired. Each repair sends the original prompt, the problems and a bounded
    excerpt of the failed answer, so requests do not grow with every attempt.

    `steps_left` (this one included) shares the review's time left fairly: a step may take no
    more than its share. A repair is not asked for when the time left cannot hold an answer.

    Raises:
        ReviewCancelled: `cancel` was set (Ctrl-C); the step ends at once.
    """
    step_timeout_s = sized_step_timeout(provider, step, step_timeout_s, log, chars=len(system)
                                        + len(shared_prefix) + len(prompt)
                                        + len(json.dumps(schema.model_json_schema())))
    review_share = review_deadline.shared(steps_left) if review_deadline else None
    deadline = Deadline.start(step_timeout_s).earliest(review_share)
    first: list[Message] = [{"role": "user", "content": prompt}]
    messages = first
    problems: list[str] = []
    cause: FallbackCause = "invalid"
    token = CURRENT_STEP.set(step)
    made = 0
    try:
        for attempt in range(1, max_repairs + 2):
            short = attempt > 1 and _no_time_for_an_answer(provider, deadline)
            if short:
                problems = [*problems, short]
                log.write(step=step, attempt=attempt, event="no_time_left", problems=[short])
                break
            made = attempt
            try:
                completion = _answer(provider, step, attempt, deadline, log, cancel,
                                     system=system, messages=messages, schema=schema,
                                     shared_prefix=shared_prefix)
            except _Stop as stop:
                return AskResult(step, "fallback", None, attempt, stop.problems, stop.cause,
                                 stop.limit_s)
            if completion.stop_reason in TRUNCATED:
                # what the server says it wrote (the request's max_tokens is sized from the
                # time left, so it is not the same on a replay of a recorded run)
                tokens = completion.output_tokens or completion.extra.get("max_tokens")
                problems = [f"the answer was cut off at the token limit ({tokens} tokens)"]
                cause = "truncated"
                log.write(step=step, attempt=attempt, event="truncated", problems=problems)
                messages = [*first, {"role": "user", "content": _shorter_request(tokens)}]
                continue
            problems, value, cause = _check(completion.text, schema, grounding)
            if value is not None and not problems:
                status: Status = "accepted" if attempt == 1 else "repaired"
                log.write(step=step, attempt=attempt, event=status)
                return AskResult(step, status, value, attempt)
            log.write(step=step, attempt=attempt, event="rejected", cause=cause,
                      problems=problems)
            messages = [*first,
                        {"role": "user", "content": _repair_request(problems, completion.text)}]
        log.write(step=step, event="fallback", cause=cause, problems=problems)
        return AskResult(step, "fallback", None, made, problems, cause)
    finally:
        CURRENT_STEP.reset(token)


def _no_time_for_an_answer(provider: Provider, deadline: Deadline) -> str | None:
    """Why another request is not worth sending: the time left holds no useful answer.

    Only with a speed the server showed; the prompt of a repair is mostly the one the server
    just read (a local server keeps it cached), so the answer's writing time is what counts.
    """
    budget = getattr(provider, "budget", None)
    left = deadline.remaining()
    speed = budget.writing_speed() if budget is not None and budget.timed else None
    if left is None or not speed:
        return None
    needed = MIN_ANSWER_TOKENS / speed
    if left >= needed:
        return None
    return (f"no time left for another attempt: {left:.0f} s of the deadline left, the shortest "
            f"useful answer ({MIN_ANSWER_TOKENS} tokens at {speed:.1f} tokens/s) needs "
            f"{needed:.0f} s")


#: Headroom on the time a slow server needs for the shortest useful answer.
DEADLINE_HEADROOM = 1.2


def sized_step_timeout(provider: Provider, step: str, step_timeout_s: float | None,
                       log: RunLog, *, chars: int) -> float | None:
    """The step's deadline: the setting, raised to what a slow server needs for one answer.

    A CPU model cannot read a 3,800-token prompt (20.7 s on llama-cpp-python with gemma-3-270m,
    2 cores) and write a step's answer under its grammar (784 tokens at 10.3 tokens/s: 76 s)
    within the default 90 s; sized for the shortest answer, as before, the step timed out on an
    answer the model was still writing. So the deadline is raised to the time a typical answer
    needs at the server's speed in this response format (measured from the step answers so far,
    else the probe's plain-text speed slowed by the constrained-answer factor, both stated in
    the run log), plus headroom. The review's deadline still bounds the whole run.
    """
    budget = getattr(provider, "budget", None)
    # only from a speed the server showed (the probe, an answer), never from the assumption
    if step_timeout_s is None or budget is None or not budget.timed:
        return step_timeout_s
    needed = budget.seconds_for(chars, TYPICAL_ANSWER_TOKENS)
    if needed is None or needed * DEADLINE_HEADROOM <= step_timeout_s:
        return step_timeout_s
    raised = round(needed * DEADLINE_HEADROOM, 1)
    log.write(step=step, event="deadline_sized", setting_s=step_timeout_s, raised_s=raised,
              answer_tokens=TYPICAL_ANSWER_TOKENS,
              writing_tokens_per_s=round(budget.writing_speed() or 0, 2),
              reading_tokens_per_s=round(budget.reading_speed() or 0, 1),
              speed_source=budget.speed_source, prompt_tokens_estimate=budget.estimate(chars))
    return raised


def _answer(provider: Provider, step: str, attempt: int, deadline: Deadline, log: RunLog,
            cancel: threading.Event | None, *, system: str, messages: list[Message],
            schema: type[BaseModel], shared_prefix: str) -> Completion:
    """Make one request within the step's deadline and log the answer.

    Raises:
        _Stop: the step must fall back now (timeout, provider error or refusal), logged.
        ReviewCancelled: `cancel` was set while waiting.
    """
    remaining = deadline.remaining()
    log.write(step=step, attempt=attempt, event="request", timeout_s=remaining)
    try:
        if remaining is not None and remaining <= 0:
            raise StepTimeout
        completion = call_within(lambda: provider.complete(
            system=system, messages=messages, schema=schema, schema_name=step,
            shared_prefix=shared_prefix, timeout_s=remaining), remaining, cancel)
    except StepTimeout:
        raise _stopped(log, step, attempt, "timed_out", deadline.problem(step),
                       deadline.limit_s) from None
    except ProviderError as error:
        if isinstance(error, TransientProviderError) and deadline.expired():
            # the SDK's own request timeout (set to our remaining time) fired first
            raise _stopped(log, step, attempt, "timed_out", deadline.problem(step),
                           deadline.limit_s) from None
        raise _stopped(log, step, attempt, error.cause,
                       f"provider unavailable: {error}") from None
    _log_answer(log, step, attempt, completion)
    if completion.refusal:
        raise _stopped(log, step, attempt, "refused", f"the model refused: {completion.refusal}")
    return completion


def _stopped(log: RunLog, step: str, attempt: int, cause: FallbackCause, problem: str,
             limit_s: float | None = None) -> _Stop:
    """Log why a step ends early and build the signal that ends it."""
    log.write(step=step, attempt=attempt, event=cause, problems=[problem])
    return _Stop([problem], cause, limit_s)


def _log_answer(log: RunLog, step: str, attempt: int, completion: Completion) -> None:
    log.write(step=step, attempt=attempt, event="answer", provider=completion.provider,
              model=completion.model, raw=completion.text, stop_reason=completion.stop_reason,
              refusal=completion.refusal, input_tokens=completion.input_tokens,
              output_tokens=completion.output_tokens, cached_tokens=completion.cached_tokens,
              **{k: v for k, v in completion.extra.items()
                 if k in ("response_format", "max_tokens", "prompt_tokens_estimate",
                          "format_switches", "streamed", "first_token_s", "writing_s",
                          "content_chunks")})


def strip_fences(text: str) -> str:
    """Drop a Markdown code fence around a JSON answer (some servers add one in JSON mode)."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        body = stripped[3:-3]
        return body.split("\n", 1)[1] if "\n" in body else body
    return text


def _check(text: str, schema: type[T],
           grounding: Grounding[T]) -> tuple[list[str], T | None, FallbackCause]:
    """Validate, then ground: the problems, the value, and which check failed."""
    try:
        value = schema.model_validate_json(strip_fences(text))
    except ValidationError as error:
        return _validation_problems(error), None, "invalid"
    return grounding(value), value, "ungrounded"
