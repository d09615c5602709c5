"""Run the review workflow for one file: build the run context, invoke the graph.

The CLI, the batch review and the evals all come through here, offline or with an LLM, so there
is one path. Heavy modules (LangGraph, the knowledge index, provider SDKs) load here, not at CLI
start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cards import load_cards
from assistant.providers.base import Provider
from assistant.review import Review
from assistant.settings import Settings
from assistant.state import RunContext
from assistant.structured import RunLog

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

RUN_LOG_NAME = "run-log.jsonl"


def default_retrieval(k: int = 3) -> Callable[[str, str | None], list[str]]:
    """Hybrid knowledge-base search as a plain function: query, kind -> card ids."""
    from assistant.knowledge import open_knowledge_base

    base = open_knowledge_base()

    def search(query: str, kind: str | None) -> list[str]:
        return [hit.card_id for hit in base.search(query, k=k, kind=kind)]

    return search


def review_file(path: Path, settings: Settings, *, out_dir: Path | None = None,
                formats: tuple[str, ...] = ("md", "json"), provider: Provider | None = None,
                clock: Callable[[], datetime] | None = None,
                retrieval: Callable[[str, str | None], list[str]] | None = None,
                max_concurrency: int | None = None) -> Review:
    """Review one intake file through the workflow; write reports when `out_dir` is given."""
    from assistant.graph import build_graph
    from assistant.nodes import review_path

    log_path = out_dir / RUN_LOG_NAME if out_dir is not None and provider is not None else None
    if log_path is not None and log_path.exists():
        log_path.unlink()
    context = RunContext(
        settings=settings, provider=provider, log=RunLog(log_path),
        cards={c.id: c for c in load_cards()}, clock=clock, out_dir=out_dir, formats=formats,
        source=str(path), retrieval=retrieval)
    config: RunnableConfig = {}
    if max_concurrency is not None:
        config["max_concurrency"] = max_concurrency
    result = build_graph().invoke(review_path(path), config=config, context=context)
    review: Review = result["review"]
    return review
