"""The run log: every model exchange of one review, appended as JSONL beside the report.

Nothing the model said is dropped, whatever happens to it afterwards.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Listener = Callable[[dict[str, object]], None]


class RunLog:
    """An append-only JSONL log of every model exchange in one review (thread-safe)."""

    def __init__(self, path: Path | None = None, listener: Listener | None = None) -> None:
        """Log to `path` (None: memory only); `listener` sees every entry (the CLI's status)."""
        self.path = path
        self.listener = listener
        self.entries: list[dict[str, object]] = []
        self._lock = threading.Lock()

    def write(self, **entry: object) -> None:
        """Append one entry (also kept in memory for the report's provenance)."""
        entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
        with self._lock:
            self.entries.append(entry)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        if self.listener is not None:
            self.listener(entry)
