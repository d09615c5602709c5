"""Run the review workflow for one intake: build the run context, invoke the graph.

`assistant.review()`, the public API the CLI, the app, batch and evals call, comes through
here, offline or with an LLM, so there is one path. Heavy modules (LangGraph, the knowledge
index, provider SDKs) load here, not at CLI start-up.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from assistant.assessment.model import Review
from assistant.intake.schema import Intake
from assistant.knowledge.cards import load_cards
from assistant.llm.ask import REVIEW_SETTING, Deadline, StepTimeout, call_within
from assistant.llm.providers.base import Provider
from assistant.llm.providers.probe import SPEED_TIMEOUT_S
from assistant.llm.run_log import RunLog
from assistant.settings import Settings
from assistant.workflow.nodes import workflow_input
from assistant.workflow.state import INTERNAL_ERROR, ReviewState, RunContext

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langgraph.graph.state import CompiledStateGraph

    from assistant.knowledge.search import KnowledgeBase
    from assistant.workflow.graph import InternalErrors

RUN_LOG_NAME = "run-log.jsonl"
#: The longest the start-of-run probe (model list, speed) may take.
PROBE_TIMEOUT_S = 10.0


class KnowledgeRetrieval:
    """Hybrid knowledge-base search as a function (query, kind) -> card ids, and in bulk.

    `many` answers every finding's query in one Chroma round (the workflow uses it when the
    retrieval has it); a plain function passed as `retrieval` is called once per query.
    """

    def __init__(self, k: int = 3, base: KnowledgeBase | None = None) -> None:
        from assistant.knowledge.search import open_knowledge_base

        self.k = k
        self.base = base if base is not None else open_knowledge_base()

    def __call__(self, query: str, kind: str | None) -> list[str]:
        """Card ids for one query (the plain retrieval signature)."""
        return self.many([query], kind)[0]

    def many(self, queries: list[str], kind: str | None = None) -> list[list[str]]:
        """Card ids per query, in the order given (the same as asking one by one)."""
        return [[hit.card_id for hit in hits]
                for hits in self.base.search_many(queries, k=self.k, kind=kind)]


def default_retrieval(k: int = 3) -> KnowledgeRetrieval:
    """Hybrid knowledge-base search: query, kind -> card ids (with a bulk `many`)."""
    return KnowledgeRetrieval(k)


@cache
def compiled_graph(internal_errors: InternalErrors) -> CompiledStateGraph[
        ReviewState, RunContext, ReviewState, ReviewState]:
    """The compiled workflow, built once per process and error mode.

    Why: compiling costs ~20 ms, a tenth of an offline review; the compiled graph holds no
    run state (that travels in the input, the config and the context), so reviews share it.
    """
    from assistant.workflow.graph import build_graph

    return build_graph(internal_errors=internal_errors)


def run_workflow(source: Path | Intake, settings: Settings, *, out_dir: Path | None = None,
                 formats: tuple[str, ...] = ("md", "json"), provider: Provider | None = None,
                 clock: Callable[[], datetime] | None = None,
                 retrieval: Callable[[str, str | None], list[str]] | None = None,
                 max_concurrency: int | None = None, resume: bool = False,
                 source_name: str | None = None,
                 progress: Callable[[dict[str, object]], None] | None = None,
                 cancel: threading.Event | None = None) -> Review:
    """Review one intake (a file, or an `Intake` built in code) through the workflow.

    Reports are written when `out_dir` is given. With `resume` (and an `out_dir`), steps are
    checkpointed there and a rerun of the same review continues at the step that failed.
    `progress` sees every run-log entry as it is written (the CLI's live status line) and a
    `step_finished` entry as each step of the graph finishes (the app's step lines);
    `cancel`, when set, stops the review (Ctrl-C sets it in the main thread).

    Raises:
        KeyboardInterrupt: Ctrl-C; no report was written.
        ReviewCancelled: `cancel` was set by the caller; no report was written.
    """
    name = source_name or (str(source) if isinstance(source, Path) else "<intake>")
    # Offline runs get the path too: an internal error's traceback must land somewhere. The
    # file only appears when something is written.
    log_path = out_dir / RUN_LOG_NAME if out_dir is not None else None
    if log_path is not None and log_path.exists() and not resume:
        log_path.unlink()
    log = RunLog(log_path, listener=progress)
    cancel = cancel if cancel is not None else threading.Event()
    context = RunContext(
        settings=settings, provider=provider, log=log,
        cards={c.id: c for c in load_cards()}, clock=clock, out_dir=out_dir, formats=formats,
        source=name, retrieval=retrieval, cancel=cancel,
        review_deadline=None if provider is None else Deadline.start(
            settings.review_timeout_s, REVIEW_SETTING))
    config: RunnableConfig = {}
    concurrency = max_concurrency or settings.parallel_requests
    if concurrency is not None:
        config["max_concurrency"] = concurrency
    start = workflow_input(source, name)
    with stop_on_interrupt(cancel, provider):
        if provider is not None:
            context.unavailable = _probe(provider, log, cancel,
                                         min(PROBE_TIMEOUT_S, settings.review_timeout_s / 10),
                                         min(SPEED_TIMEOUT_S, settings.review_timeout_s / 10))
        if resume and out_dir is not None:
            return _resumable(start, settings, out_dir, context, config)
        result = _invoke(compiled_graph(settings.internal_errors), start, config, context,
                         progress)
    review: Review = result["review"]
    return review


def _invoke(graph: Any, start: ReviewState, config: RunnableConfig, context: RunContext,
            progress: Callable[[dict[str, object]], None] | None) -> dict[str, Any]:
    """Run the graph; with a `progress` listener, tell it each step as the step finishes.

    The graph's own updates are streamed (LangGraph `stream_mode="updates"`, beside "values"
    for the final state), so a surface can show one line per finished step (the Streamlit
    app's status box). These `step_finished` entries go to the listener only, not into the
    run log: an offline review writes no log.
    """
    if progress is None:
        result: dict[str, Any] = graph.invoke(start, config=config, context=context)
        return result
    final: dict[str, Any] = {}
    for mode, chunk in graph.stream(start, config=config, context=context,
                                    stream_mode=["updates", "values"]):
        if mode == "values":
            final = chunk
            continue
        for step in chunk:
            progress({"time": datetime.now(UTC).isoformat(timespec="seconds"), "step": step,
                      "event": "step_finished"})
    return final


def _probe(provider: Provider, log: RunLog, cancel: threading.Event,
           timeout_s: float, speed_timeout_s: float) -> str | None:
    """Probe the server once (adapters that can) and log what was found.

    The model list gets `timeout_s`; a local server's speed probe gets `speed_timeout_s`
    (a CPU model at 2-3 tokens/s needs 10-15 s for its short answer).

    Returns:
        Why the model cannot be reached, when the probe says so (the steps then fall back at
        once instead of each waiting through the SDK's retries); else None.
    """
    if hasattr(provider, "listener"):
        provider.listener = log.write
    probe = getattr(provider, "probe", None)
    if probe is None:
        return None
    try:
        wait = timeout_s + speed_timeout_s + 1
        result = call_within(lambda: probe(timeout_s, speed_timeout_s), wait, cancel)
    except StepTimeout:
        log.write(step="probe", event="probe", reachable=None,
                  summary=f"the server did not answer the probe within {wait:g} s")
        return None
    log.write(step="probe", event="probe", reachable=result.reachable, models=result.models,
              context_tokens=result.context_tokens, context_used=result.context_used,
              context_source=result.context_source, response_format=result.response_format,
              summary=result.summary(provider.model))
    return None if result.reachable else f"server not reachable: {result.error}"


@contextmanager
def stop_on_interrupt(cancel: threading.Event, provider: Provider | None) -> Iterator[None]:
    """Make Ctrl-C stop the review within a moment, requests in flight included.

    The handler sets `cancel` (every step waiting on the model stops within 0.1 s and no
    report is written), closes the provider's HTTP client (requests in flight end), and raises
    KeyboardInterrupt in the main thread. Only the main thread can install it; elsewhere
    (a server embedding `review()`) the caller sets `cancel` itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        cancel.set()
        close = getattr(provider, "close", None)
        if close is not None:
            close()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def internal_error_steps(review: Review) -> list[str]:
    """The steps whose section fell back because of a programming error, sorted.

    The run goes on past them (each shows the offline answer), so the caller must say so and
    fail: a crash must not pass for a provider hiccup.
    """
    return sorted(step for step, section in review.sections.items()
                  if section.source == "fallback" and section.problems
                  and section.problems[0].startswith(INTERNAL_ERROR))


def _resumable(start: ReviewState, settings: Settings, out_dir: Path, context: RunContext,
               config: RunnableConfig) -> Review:
    """Run with a checkpoint store: continue an unfinished run of the same review."""
    from assistant.workflow.checkpoints import sqlite_checkpointer, thread_id
    from assistant.workflow.graph import build_graph
    config["configurable"] = {"thread_id": thread_id(start, settings)}
    with sqlite_checkpointer(out_dir) as saver:
        graph = build_graph(checkpointer=saver, internal_errors=settings.internal_errors)
        unfinished = bool(graph.get_state(config).next)
        if unfinished:
            context.log.write(step="resume", event="resumed", pending=list(
                graph.get_state(config).next))
        result = graph.invoke(None if unfinished else start, config=config, context=context)
    review: Review = result["review"]
    return review
