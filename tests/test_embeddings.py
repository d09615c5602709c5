"""Embeddings: the packaged ONNX model loads offline and embeds EN and DE; pooling is right."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from assistant.knowledge.embeddings import (
    MODEL_DIR_ENV,
    EmbeddingError,
    LazyEmbedder,
    StringOnnxEmbedder,
    TransformerOnnxEmbedder,
    chroma_embedding_function,
    default_embedder,
    l2_normalise,
    load_embedder,
    mean_pool,
    packaged_model,
)


@pytest.fixture(scope="module")
def model() -> StringOnnxEmbedder:
    embedder = load_embedder()
    assert isinstance(embedder, StringOnnxEmbedder)
    return embedder


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


def test_packaged_model_is_found_without_importing_its_package() -> None:
    location = packaged_model()
    assert location is not None and location.onnx_path.is_file()
    assert location.name == "universal-sentence-encoder-multilingual-3-onnx-quantized"


def test_vectors_are_unit_length_and_fixed_size(model: StringOnnxEmbedder) -> None:
    vectors = model.embed(["database is the bottleneck for reads", "Bilder laden langsam", ""])
    assert [len(v) for v in vectors] == [512, 512, 512]
    for vector in vectors:
        assert math.isclose(float(np.linalg.norm(vector)), 1.0, abs_tol=1e-4)


def test_similar_sentences_score_higher_than_unrelated(model: StringOnnxEmbedder) -> None:
    query, near, far = model.embed([
        "the database is overloaded by read queries",
        "add read replicas to take read load off the primary database",
        "the cat sleeps on the sofa all afternoon",
    ])
    assert cosine(query, near) > cosine(query, far) + 0.2


def test_german_and_english_twins_are_close(model: StringOnnxEmbedder) -> None:
    english, german, unrelated = model.embed([
        "database is the bottleneck for reads",
        "Datenbank wird zum Engpass bei vielen Lesezugriffen",
        "Bilder werden über ein CDN ausgeliefert",
    ])
    assert cosine(english, german) > 0.45
    assert cosine(english, german) > cosine(english, unrelated) + 0.2


def test_mean_pool_ignores_padding() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 2.0], [100.0, 100.0]]])
    mask = np.array([[1, 1, 0]])
    assert mean_pool(hidden, mask).tolist() == [[2.0, 1.0]]


def test_l2_normalise_keeps_zero_rows_finite() -> None:
    result = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert result.tolist() == [[0.6, 0.8], [0.0, 0.0]]


class FakeTransformer:
    """Stands in for an ONNX transformer session: the hidden state of token id i is [i, 1]."""

    def __init__(self) -> None:
        self.fed: dict[str, Any] = {}

    def get_inputs(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(name=n, type="tensor(int64)")
                for n in ("input_ids", "attention_mask", "token_type_ids")]

    def run(self, _outputs: object, feed: dict[str, Any]) -> list[Any]:
        self.fed = feed
        ids = feed["input_ids"].astype(np.float32)
        return [np.stack([ids, np.ones_like(ids)], axis=-1)]


def test_transformer_embedder_tokenises_pools_and_normalises(tmp_path: Path) -> None:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tokenizer = Tokenizer(WordLevel({"[PAD]": 0, "[UNK]": 1, "cache": 2, "hot": 4},
                                    unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    session = FakeTransformer()
    embedder = TransformerOnnxEmbedder(session, path, "fake")  # type: ignore[arg-type]
    short, long = embedder.embed(["cache", "hot cache"])
    assert session.fed["attention_mask"].tolist() == [[1, 0], [1, 1]]
    assert np.allclose(short, np.array([2.0, 1.0]) / math.hypot(2, 1))  # padding ignored
    assert np.allclose(long, np.array([3.0, 1.0]) / math.hypot(3, 1))
    assert set(session.fed) == {"input_ids", "attention_mask", "token_type_ids"}


def test_model_dir_override_loads_another_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    location = packaged_model()
    assert location is not None
    (tmp_path / "model.onnx").symlink_to(location.onnx_path)
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path))
    embedder = load_embedder()
    assert embedder.name.startswith(tmp_path.name) and len(embedder.embed(["x"])[0]) == 512


def test_model_dir_without_a_model_is_a_clear_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path))
    with pytest.raises(EmbeddingError, match="expected model.onnx"):
        load_embedder()
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(EmbeddingError, match="not a folder"):
        load_embedder()


def test_lazy_embedder_loads_on_first_embed_only() -> None:
    loads: list[int] = []

    class One:
        name = "one"

        def embed(self, texts: list[str]) -> list[list[float]]:
            return [[1.0] for _ in texts]

    def loader() -> One:
        loads.append(1)
        return One()

    lazy = LazyEmbedder("one", loader)
    assert lazy.name == "one" and loads == []
    assert lazy.embed(["a", "b"]) == [[1.0], [1.0]] and lazy.embed(["c"]) == [[1.0]]
    assert loads == [1]


def test_chroma_adapter_is_explicit_and_not_legacy() -> None:
    function = chroma_embedding_function(default_embedder())
    assert not function.is_legacy()
    assert function.get_config() == {"model": default_embedder().name}
    (vector,) = function(["read replicas"])
    assert len(vector) == 512
