"""What the terminal shows while a review waits on the model, and what each section came from.

`ReviewProgress` listens to the run log (every request, answer, timeout and fallback is an
entry there already) and keeps one live Rich status line: which steps wait on the model, for
how long, in which attempt. `section_lines` gives one line per judgment section after the
review: who wrote it and, for a fallback, the real cause in the same words the report uses.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.status import Status

    from assistant.assessment.model import Review, SectionSource
    from assistant.i18n.messages import Messages

#: Run-log events that end a step's wait on the model.
_DONE = frozenset({"answer", "timed_out", "unreachable", "server_error", "rejected",
                   "format_refused", "context", "refused", "internal_error"})


class ReviewProgress:
    """A live status line fed by run-log entries (only on a terminal; silent otherwise)."""

    def __init__(self, console: Console, label: str) -> None:
        self._console = console
        self._label = label
        self._waiting: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._status: Status | None = None
        self.requests = 0

    def __enter__(self) -> ReviewProgress:
        if self._console.is_terminal:
            self._status = self._console.status(f"{self._label}: computing the facts")
            self._status.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._status is not None:
            self._status.stop()

    def __call__(self, entry: dict[str, object]) -> None:
        """Take one run-log entry: a request starts a wait, an answer or failure ends it."""
        step, event = str(entry.get("step")), entry.get("event")
        note = _note(entry)
        if note is not None:
            self._console.print(f"  {note}", highlight=False, markup=False)
        with self._lock:
            if event == "request":
                self.requests += 1
                self._waiting[step] = (int(str(entry.get("attempt") or 1)), time.monotonic())
            elif event in _DONE:
                self._waiting.pop(step, None)
            line = self._line()
        if self._status is not None:
            self._status.update(line)

    def _line(self) -> str:
        if not self._waiting:
            return f"{self._label}: working"
        now = time.monotonic()
        parts = [f"{step} (attempt {attempt}, {now - since:.0f} s)"
                 for step, (attempt, since) in sorted(self._waiting.items())]
        return f"{self._label}: waiting on the model: {', '.join(parts)}"


def _note(entry: dict[str, object]) -> str | None:
    """The line worth printing for a server event (probe, format switch, SDK retry)."""
    event = entry.get("event")
    if event == "probe":
        return f"server: {entry.get('summary')}"
    if event == "format_refused":
        return (f"server refused response format {entry.get('refused')} (HTTP "
                f"{entry.get('status')}, {entry.get('matched')} wording); trying "
                f"{entry.get('next')}")
    if event == "format_confirmed":
        return f"server accepts response format {entry.get('response_format')}; kept for the run"
    if event == "context_learned":
        return f"server context: {entry.get('context_tokens')} tokens (from its error message)"
    if event == "sdk_retry":
        return f"{entry.get('step')}: the SDK re-sent a request (retry {entry.get('retry')})"
    return None


def section_lines(review: Review) -> list[str]:
    """One line per judgment section: its source and, for a fallback, the cause."""
    from assistant.i18n.messages import Messages

    text = Messages("en")
    return [f"  {step}: {_describe(section, text)}"
            for step, section in sorted(review.sections.items())]


def _describe(section: SectionSource, text: Messages) -> str:
    if section.source == "llm":
        return f"model ({section.attempts} attempt(s))"
    if section.source == "offline":
        return "offline analyzer"
    cause = section.cause or "invalid"
    reason = text.t(f"cause.{cause}", seconds=section.limit_s or 0,
                    repairs=max(section.attempts - 1, 0))
    return f"offline analyzer (fallback: {reason})"


def all_fell_back(review: Review) -> bool:
    """Whether a model was asked and answered no section (exit code 3)."""
    provenance = review.provenance
    return bool(provenance.llm) and provenance.llm_sections_asked > 0 \
        and provenance.llm_sections_answered == 0
