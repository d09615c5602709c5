"""Query embeddings kept on disk between processes, beside the index they are searched in.

Why: a review's knowledge queries come from its rules' words and component kinds, so a rerun
of an intake, or another intake with the same findings, asks the very queries of an earlier
run. A cold `archreview review` that finds all of them here never loads the embedding model
(~0.35 s of ONNX Runtime session set-up, the largest single cost of a cold review after the
imports). A query is embedded on its own (`KnowledgeBase._query_vector` says why), so its
vector does not depend on what else was asked: the stored one is the one the model gives.

One small file per model and query (`<cache>/query-vectors/<model>/<sha256 of the query>`),
holding the vector as float64 bytes, so it reads back exactly; written to a temporary name
and renamed, so two processes (`batch --jobs 2`) never see half a file. An unreadable or
malformed file counts as missing and is written again; a cache folder that cannot be written
only costs the embedding next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from array import array
from pathlib import Path

FOLDER_NAME = "query-vectors"
_ITEM = "d"  # float64: every embedder's floats (float32 ones too) survive the round trip


class QueryVectorStore:
    """Read and write query vectors under one folder, per embedding model."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def in_cache(cls, cache: Path) -> QueryVectorStore:
        """The store inside archreview's cache folder, beside the Chroma index."""
        return cls(cache / FOLDER_NAME)

    def _path(self, model: str, query: str) -> Path:
        model_key = hashlib.sha256(model.encode()).hexdigest()[:16]
        return self.folder / model_key / hashlib.sha256(query.encode()).hexdigest()

    def get(self, model: str, query: str) -> list[float] | None:
        """The stored vector of `query` under `model`, or None (absent or unreadable)."""
        try:
            raw = self._path(model, query).read_bytes()
        except OSError:
            return None
        values: array[float] = array(_ITEM)
        if not raw or len(raw) % values.itemsize:
            return None
        values.frombytes(raw)
        return values.tolist()

    def put(self, model: str, query: str, vector: list[float]) -> None:
        """Store a vector (atomically); a folder that cannot be written is left alone."""
        path = self._path(model, query)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(array(_ITEM, vector).tobytes())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return  # a read-only or full cache: the query is embedded again next time
