"""Garbage-collector settings for the `archreview` process: fewer passes, none at exit.

Why: a review imports LangGraph, langchain-core, chromadb and Pydantic models, some 100,000
long-lived objects, and CPython's cyclic collector walks all of them on every full pass: three
full passes while the command runs and three more during interpreter shutdown. Measured on the
cold `archreview review --format json` (benchmarks/bench_cold.py), that was ~0.35 s of
collection during the run and ~0.5 s of exit on a loaded 2-core machine, a quarter of the whole
command, for objects that live until the process ends anyway.

So the CLI, and only the CLI (a library caller of `assistant.review()` keeps its own settings),
raises the first generation's threshold (a pass per 20,000 new objects instead of per 700) and
freezes every object when the process exits (`gc.freeze` moves them out of the collector's
sight; reference counting still frees them, and the files are long written and closed by then).
Cyclic garbage of a long `batch` run is still collected, just in fewer, larger passes.
"""

from __future__ import annotations

import atexit
import gc
from functools import cache

#: New container objects between two first-generation passes (CPython's default is 700).
FIRST_GENERATION_THRESHOLD = 20_000


@cache
def tune_for_cli() -> None:
    """Raise the first collection threshold now; skip the collector's passes at exit (once)."""
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)
    # Registered first, so it runs last: after every other exit handler (Chroma's, ORT's,
    # concurrent.futures'), right before shutdown's own collections, which it makes cheap.
    atexit.register(gc.freeze)
