"""Review the files of a batch in parallel; one file's failure never stops the others.

Why two kinds of pool: an offline review is CPU-bound Python (the GIL), so it scales across
processes, one per core (`ProcessPoolExecutor`, spawned so no thread state is forked; each
worker opens the knowledge base once). An LLM review waits on the provider, so threads share
one provider, bounded by the provider's parallel-request limit; the provider SDKs retry 429s
and honour the server's `retry-after` (settings `max_retries`).

Every file goes through `review_file`: the public `assistant.review()` into a staging folder,
then one rename into place with its manifest (`manifest.publish`). An invalid intake becomes a
failed entry with every problem (file, line, field); any other exception becomes a failed
entry with a one-line cause, its traceback returned for the batch's log file.
"""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.batch.manifest import input_sha256, publish, staging_folder
from assistant.batch.summary import Entry, entry_for
from assistant.i18n.messages import Messages
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.llm.providers.base import Provider

Retrieval = Callable[[str, str | None], list[str]]


@dataclass(frozen=True)
class Task:
    """One file to review and where its report set goes."""

    path: Path
    folder: Path
    formats: tuple[str, ...]
    settings_hash: str


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its summary row, and a traceback when something crashed."""

    entry: Entry
    traceback: str | None = None


_worker: dict[str, object] = {}


def _init_worker(settings: Settings) -> None:
    """Per process: the settings and the knowledge-base search, loaded once, not per file."""
    from assistant.workflow.run import default_retrieval

    _worker["settings"] = settings
    _worker["retrieval"] = default_retrieval()


def _review_in_worker(task: Task) -> Outcome:
    settings, retrieval = _worker["settings"], _worker["retrieval"]
    assert isinstance(settings, Settings) and callable(retrieval)
    return review_file(task, settings, None, retrieval)


def review_file(task: Task, settings: Settings, provider: Provider | None,
                retrieval: Retrieval | None) -> Outcome:
    """Review one file into its report folder atomically; never raises for the file's sake."""
    import assistant
    from assistant.intake.loading import IntakeError
    from assistant.workflow.run import RUN_LOG_NAME, internal_error_steps

    name = str(task.path)
    staging: Path | None = None
    try:
        input_hash = input_sha256(task.path)
        staging = staging_folder(task.folder)
        review = assistant.review(task.path, settings, out_dir=staging, formats=task.formats,
                                  provider=provider, retrieval=retrieval)
        entry = entry_for(name, review, task.folder, Messages(settings.language))
        crashed = internal_error_steps(review)
        if crashed:
            entry = entry.model_copy(update={"status": "failed", "detail": (
                f"internal error in step {', '.join(crashed)}; the report shows the offline "
                f"section, the traceback is in {task.folder / RUN_LOG_NAME}")})
        publish(staging, task.folder, input_hash, task.settings_hash, entry)
        staging = None
        return Outcome(entry)
    except IntakeError as error:
        problems = [str(p) for p in error.problems]
        return Outcome(Entry(file=name, status="failed", problems=problems,
                             detail=f"invalid intake: {len(problems)} problem(s)"))
    except Exception as error:  # noqa: BLE001 - one file's crash must not stop the batch
        if settings.internal_errors == "raise":
            raise
        cause = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        return Outcome(Entry(file=name, status="failed", detail=f"internal error: {cause}"),
                       traceback=traceback.format_exc())
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def run_tasks(tasks: Sequence[Task], settings: Settings, jobs: int,
              provider: Provider | None, retrieval: Retrieval | None = None) -> Iterator[Outcome]:
    """Review the tasks, yielding each outcome as it finishes (in completion order).

    Offline with one job, the files are reviewed here, one after another; offline with more,
    in `jobs` processes; with a provider, in threads bounded by the provider's limit.
    """
    if not tasks:
        return
    if retrieval is None and (provider is not None or jobs <= 1):
        from assistant.workflow.run import default_retrieval

        retrieval = default_retrieval()
    if provider is None and jobs <= 1:
        for task in tasks:
            yield review_file(task, settings, None, retrieval)
        return
    if provider is None:
        _build_index_once()
    with _executor(settings, jobs, provider, len(tasks)) as pool:
        futures: dict[Future[Outcome], Task] = {}
        for task in tasks:
            if provider is None:
                futures[pool.submit(_review_in_worker, task)] = task
            else:
                futures[pool.submit(review_file, task, settings, provider, retrieval)] = task
        try:
            for future in as_completed(futures):
                yield _collect(future, futures[future])
        finally:
            for future in futures:
                future.cancel()


def _build_index_once() -> None:
    """Bring the knowledge-base index up to date here, before the workers open it.

    Why: a worker that finds the index missing or stale rebuilds it (delete, then create); two
    workers doing so at once on a fresh cache delete each other's collection. Built here,
    every worker finds it unchanged and only reads.
    """
    from assistant.knowledge.search import open_knowledge_base

    open_knowledge_base().build()


def _collect(future: Future[Outcome], task: Task) -> Outcome:
    """The outcome, or a failed entry when the worker itself died (killed, out of memory)."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - a lost worker fails its file, not the batch
        return Outcome(Entry(file=str(task.path), status="failed",
                             detail=f"the worker reviewing it stopped: {type(error).__name__}: "
                                    f"{error}".splitlines()[0][:300]),
                       traceback="".join(traceback.format_exception(error)))


def _executor(settings: Settings, jobs: int, provider: Provider | None, count: int) -> Executor:
    workers = max(1, min(jobs, count))
    if provider is None:
        return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                   initargs=(settings,),
                                   mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=llm_threads(settings, workers),
                              thread_name_prefix="archreview-batch")


def llm_threads(settings: Settings, jobs: int) -> int:
    """How many files an LLM batch reviews at once (the provider's limit caps `--jobs`)."""
    limit = settings.parallel_requests
    return min(jobs, limit) if limit else jobs
