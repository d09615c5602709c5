"""Resume an interrupted review at the failed step instead of paying for finished steps again.

With `--resume`, the workflow checkpoints every step into `OUT/<stem>/checkpoints.sqlite`
(langgraph-checkpoint-sqlite). The thread id is the intake's content hash plus the provider,
model and language, so a changed intake or a different model starts fresh, and a rerun of the
same review after a crash continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from assistant.workflow.state import ReviewState

CHECKPOINT_NAME = "checkpoints.sqlite"
def thread_id(start: ReviewState, settings: Settings) -> str:
    """Identify one review: same input content and same run settings, same thread."""
    raw = start.get("raw")
    content = (json.dumps(raw, sort_keys=True).encode() if raw is not None
               else start["path"].read_bytes())
    digest = hashlib.sha256(content).hexdigest()[:16]
    return f"{digest}:{settings.provider}:{settings.model_name}:{settings.language}"


@contextmanager
def sqlite_checkpointer(folder: Path) -> Iterator[Any]:
    """Open the review's checkpoint store (our own types allowed for deserialisation)."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver

    folder.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(folder / CHECKPOINT_NAME, check_same_thread=False)
    try:
        yield SqliteSaver(connection, serde=JsonPlusSerializer(allowed_msgpack_modules=True))
    finally:
        connection.close()
