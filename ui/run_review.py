"""Run the review from the form with one status line per workflow step as it finishes.

`review(progress=...)` reports every run-log entry and a `step_finished` entry per step of the
graph. Steps finish in the script's own thread (the graph is streamed there), so the lines are
written as they come; entries from the parallel LLM steps' worker threads are kept and shown
with the next step line (Streamlit elements can only be written from the script thread).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import streamlit as st

import assistant
from assistant import Intake, IntakeError
from ui.provider import ProviderChoice
from ui.text import md, t

#: Run-log events worth a line of their own in the status box.
_NOTED = {"request", "answer", "fallback", "timed_out", "unreachable", "probe", "rejected"}


class StatusLines:
    """Feeds `st.status` from the review's progress entries."""

    def __init__(self, status: Any) -> None:
        self._status = status
        self._thread = threading.get_ident()
        self._pending: list[tuple[str, str, float]] = []
        self._lock = threading.Lock()
        self._started = time.perf_counter()
        self.steps: list[str] = []

    def __call__(self, entry: dict[str, object]) -> None:
        """Take one entry: a finished step becomes a line; model events are noted.

        Worker threads only queue (no Streamlit call, not even the session's language).
        """
        event, step = str(entry.get("event")), str(entry.get("step"))
        if event not in _NOTED and event != "step_finished":
            return
        with self._lock:
            self._pending.append((step, event, time.perf_counter() - self._started))
        if threading.get_ident() == self._thread:
            self.flush()

    def flush(self) -> None:
        """Write the lines gathered so far (script thread only)."""
        with self._lock:
            pending, self._pending = self._pending, []
        for step, event, seconds in pending:
            if event == "step_finished":
                self.steps.append(step)
                line = t("run.step_done", step=step, seconds=round(seconds, 2))
            else:
                line = t("run.model_event", step=step, event=event)
            self._status.write(md(line))


def run(intake: Intake, source_name: str, choice: ProviderChoice) -> assistant.Review | None:
    """Review the intake with visible progress; keep the result in the session."""
    with st.status(t("run.running"), expanded=True) as status:
        lines = StatusLines(status)
        try:
            result = assistant.review(intake, choice.settings, source_name=source_name,
                                      progress=lines, api_key=choice.typed_key)
        except IntakeError as error:
            lines.flush()
            status.update(label=t("run.invalid"), state="error")
            for problem in error.problems:
                st.error(str(problem))
            return None
        except Exception as error:  # noqa: BLE001 - shown in the page, never a traceback
            lines.flush()
            status.update(label=t("run.failed"), state="error")
            st.error(t("run.error", error=f"{type(error).__name__}: {error}"))
            return None
        lines.flush()
        number = st.session_state["runs"] = int(st.session_state.get("runs", 0)) + 1
        status.update(label=t("run.done", steps=len(lines.steps), number=number),
                      state="complete", expanded=False)
    st.session_state["review"] = result
    return result
