"""Knowledge base: hybrid (BM25 + vector) search over the pattern cards, indexed in ChromaDB.

Two retrievers each rank the cards and reciprocal rank fusion merges them:
- BM25 over title, title_de, keywords_de, symptom triggers and body (`lexical.py`);
- vector search in ChromaDB over a few chunks per card (summary with German keywords, symptoms,
  each body section, cut in `chunks.py`), embedded by the offline model of `embeddings.py`.

The index lives in an embedded `PersistentClient` under `$ARCHREVIEW_CACHE_DIR/chroma`
(default `~/.cache/archreview/chroma`), or on a Chroma server when `ARCHREVIEW_CHROMA_URL` is set
(e.g. `http://localhost:8000`). It is rebuilt only when the content hash of the cards (plus the
chunking version and the model name) changes; the hash is kept in the collection's metadata.

Card parsing lives in `cards.py` (re-exported here) and imports nothing heavy; chromadb
and onnxruntime are imported only when the index is first used.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.knowledge.cards import (
    CardError,
    PatternCard,
    cards_by_id,
    knowledge_dir,
    knowledge_hash,
    load_cards,
    parse_card,
)
from assistant.knowledge.chunks import card_chunks
from assistant.knowledge.lexical import BM25, card_tokens, tokenize
from assistant.knowledge.query_vectors import QueryVectorStore

if TYPE_CHECKING:
    from assistant.knowledge.embeddings import Embedder

__all__ = [
    "BM25",
    "BuildInfo",
    "CardError",
    "KnowledgeBase",
    "PatternCard",
    "SearchHit",
    "cache_dir",
    "card_chunks",
    "cards_by_id",
    "knowledge_dir",
    "load_cards",
    "open_knowledge_base",
    "parse_card",
    "reciprocal_rank_fusion",
    "tokenize",
]

CACHE_ENV = "ARCHREVIEW_CACHE_DIR"
CHROMA_URL_ENV = "ARCHREVIEW_CHROMA_URL"
DEFAULT_CACHE = Path("~/.cache/archreview")
INDEX_VERSION = "1"  # bump when chunking or stored metadata change
HASH_KEY = "content_hash"

# Retrieval tuning (measured with `python -m evals.run_retrieval`).
RRF_K = 60
WEIGHTS: dict[str, float] = {"bm25": 1.0, "vector": 1.0}
CANDIDATES = 20  # how deep each retriever's list goes into the fusion
VECTOR_CHUNKS = 60  # chunks fetched from Chroma before grouping them by card
QUERY_MEMO = 1024  # query embeddings kept per knowledge base (a few KB each)
@dataclass(frozen=True)
class SearchHit:
    """One retrieved card: its fused score, its rank, and which retrievers found it."""

    card_id: str
    title: str
    score: float
    rank: int
    matched_by: tuple[str, ...]


@dataclass(frozen=True)
class BuildInfo:
    """What `KnowledgeBase.build` did and what the index holds."""

    status: str  # "built" or "unchanged"
    cards: int
    chunks: int
    content_hash: str
    seconds: float
    location: str


# ---------------------------------------------------------------------------------------------
# Fusion


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float],
                           k: int = RRF_K) -> list[tuple[str, float, tuple[str, ...]]]:
    """Merge ranked id lists: score = sum of weight / (k + rank); ties broken by id.

    Fusing ranks, not raw scores, needs no calibration between BM25 scores and cosine distances.
    """
    scores: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for name, ranking in rankings.items():
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weights.get(name, 1.0) / (k + rank)
            found.setdefault(item, []).append(name)
    ordered = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return [(item, score, tuple(found[item])) for item, score in ordered]


# ---------------------------------------------------------------------------------------------
# The index


def cache_dir() -> Path:
    """Return the archreview cache folder (`ARCHREVIEW_CACHE_DIR`, default ~/.cache/archreview)."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def _client(cache: Path | None, chroma_url: str | None) -> Any:
    """Open Chroma: a server when a URL is given, else the embedded persistent client.

    Telemetry is switched off: offline, the client would otherwise try to reach its service.
    """
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if not url.hostname:
            raise ValueError(f"{CHROMA_URL_ENV}={chroma_url!r}: expected e.g. http://host:8000")
        ssl = url.scheme == "https"
        return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if ssl else 8000),
                                   ssl=ssl, settings=settings)
    path = (cache or cache_dir()) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


@dataclass
class KnowledgeBase:
    """Hybrid search over a set of cards; the Chroma index is built lazily and kept in sync.

    Args:
        cards: the cards to search (usually `load_cards()`).
        client_factory: returns a Chroma client (called once, on first use).
        embedder_factory: returns the `Embedder` (called once, on first vector use).
        location: where the index lives, for messages.
        query_store: query vectors kept between processes (None: this process's memo only).
    """

    cards: list[PatternCard]
    client_factory: Callable[[], Any]
    embedder_factory: Callable[[], Embedder]
    location: str = ""
    query_store: QueryVectorStore | None = None
    _bm25: BM25 | None = field(default=None, init=False, repr=False)
    _collection: Any = field(default=None, init=False, repr=False)
    _embedder: Embedder | None = field(default=None, init=False, repr=False)
    _by_id: dict[str, PatternCard] = field(default_factory=dict, init=False, repr=False)
    _query_vectors: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.cards = sorted(self.cards, key=lambda c: c.id)
        self._by_id = cards_by_id(self.cards)

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = self.embedder_factory()
        return self._embedder

    def content_hash(self) -> str:
        """Hash of what the index must contain: cards, chunking version and model name."""
        digest = hashlib.sha256()
        for part in (knowledge_hash(self.cards), INDEX_VERSION, self.embedder.name):
            digest.update(part.encode())
        return digest.hexdigest()

    def _collection_name(self) -> str:
        model = hashlib.sha256(self.embedder.name.encode()).hexdigest()[:10]
        return f"archreview-cards-{model}"

    def build(self, force: bool = False) -> BuildInfo:
        """Make the index match the cards; re-embed only when the content hash changed.

        Args:
            force: rebuild even when the stored hash matches.
        """
        from assistant.knowledge.embeddings import chroma_embedding_function

        started = time.perf_counter()
        client = self.client_factory()
        function = chroma_embedding_function(self.embedder)
        name, wanted = self._collection_name(), self.content_hash()
        collection = client.get_or_create_collection(
            name=name, embedding_function=function, configuration={"hnsw": {"space": "cosine"}})
        current = (collection.metadata or {}).get(HASH_KEY)
        status = "unchanged"
        if force or current != wanted:
            client.delete_collection(name)
            collection = client.create_collection(
                name=name, embedding_function=function,
                configuration={"hnsw": {"space": "cosine"}}, metadata={HASH_KEY: "building"})
            chunks = [c for card in self.cards for c in card_chunks(card)]
            collection.add(ids=[c.id for c in chunks], documents=[c.text for c in chunks],
                           metadatas=[c.metadata for c in chunks])
            collection.modify(metadata={HASH_KEY: wanted})
            status = "built"
        self._collection = collection
        return BuildInfo(status=status, cards=len(self.cards), chunks=collection.count(),
                         content_hash=wanted, seconds=time.perf_counter() - started,
                         location=self.location)

    def _ensure_index(self) -> Any:
        if self._collection is None:
            self.build()
        return self._collection

    def _allowed(self, kind: str | None) -> list[PatternCard]:
        return [c for c in self.cards if kind is None or kind in c.applies_to]

    def bm25_ranking(self, query: str, kind: str | None = None) -> list[str]:
        """Rank card ids by BM25 (cards that match no query token are left out)."""
        if self._bm25 is None:
            self._bm25 = BM25([card_tokens(c) for c in self.cards])
        allowed = {c.id for c in self._allowed(kind)}
        scored = [(s, c.id) for s, c in zip(self._bm25.scores(tokenize(query)), self.cards,
                                            strict=True) if s > 0 and c.id in allowed]
        return [card_id for _, card_id in sorted(scored, key=lambda p: (-p[0], p[1]))]

    def vector_ranking(self, query: str, kind: str | None = None) -> list[str]:
        """Rank card ids by the cosine distance of their closest chunk to the query."""
        return self._vector_rankings([query], kind)[0]

    def _query_vector(self, query: str) -> list[float]:
        """Embed one query on its own, memoised per text.

        Why one at a time: the packaged model's vectors shift by up to 0.013 when texts share a
        batch (padding), which reorders hits; a query must rank the same however it is asked.
        Reviews ask the same rule-derived queries again and again, hence the memo, and the
        store on disk (`query_vectors.py`) that spares a new process the model's loading.
        """
        vector = self._query_vectors.get(query)
        if vector is None:
            store, model = self.query_store, self.embedder.name
            vector = store.get(model, query) if store is not None else None
            if vector is None:
                vector = self.embedder.embed([query])[0]
                if store is not None:
                    store.put(model, query, vector)
            if len(self._query_vectors) >= QUERY_MEMO:
                self._query_vectors.pop(next(iter(self._query_vectors)))
            self._query_vectors[query] = vector
        return vector

    def _vector_rankings(self, queries: Sequence[str], kind: str | None) -> list[list[str]]:
        """Rank card ids for several queries in one embedding batch and one Chroma query."""
        collection = self._ensure_index()
        count = collection.count()
        if not count or not queries:
            return [[] for _ in queries]
        result = collection.query(
            query_embeddings=[self._query_vector(q) for q in queries],
            n_results=min(VECTOR_CHUNKS, count),
            where={f"kind_{kind}": True} if kind else None, include=["metadatas", "distances"])
        rankings: list[list[str]] = []
        for metadatas in result["metadatas"]:
            ranking: list[str] = []
            for metadata in metadatas:
                card_id = str(metadata["card_id"])
                if card_id not in ranking and card_id in self._by_id:
                    ranking.append(card_id)
            rankings.append(ranking)
        return rankings

    def search(self, query: str, k: int = 5, kind: str | None = None) -> list[SearchHit]:
        """Find the k cards that best match a query, optionally only those for a component kind.

        Args:
            query: free text, English or German.
            k: how many hits to return.
            kind: a component kind (e.g. "db"); only cards whose applies_to lists it qualify.
        """
        return self.search_many([query], k, kind)[0]

    def search_many(self, queries: Sequence[str], k: int = 5,
                    kind: str | None = None) -> list[list[SearchHit]]:
        """Search several queries at once; the same hits as `search` gives each of them.

        Why: a review asks one query per finding; embedding them in one batch and asking
        Chroma once costs about what one query does, instead of one round per finding.
        """
        asked = [q for q in dict.fromkeys(queries) if q.strip()] if k > 0 else []
        vectors = dict(zip(asked, self._vector_rankings(asked, kind), strict=True))
        return [self._fused(query, kind, vectors[query], k) if query in vectors else []
                for query in queries]

    def _fused(self, query: str, kind: str | None, vector: list[str], k: int) -> list[SearchHit]:
        """Fuse the BM25 and the vector ranking of one query into its top k hits."""
        rankings = {"bm25": self.bm25_ranking(query, kind)[:CANDIDATES],
                    "vector": vector[:CANDIDATES]}
        fused = reciprocal_rank_fusion(rankings, WEIGHTS)[:k]
        return [SearchHit(card_id=card_id, title=self._by_id[card_id].title, score=score,
                          rank=rank, matched_by=found)
                for rank, (card_id, score, found) in enumerate(fused, start=1)]

    def card(self, card_id: str) -> PatternCard:
        """Return one card by id.

        Raises:
            KeyError: no card has that id.
        """
        return self._by_id[card_id]


def open_knowledge_base(directory: Path | None = None, *, cache: Path | None = None,
                        chroma_url: str | None = None,
                        embedder: Embedder | None = None,
                        cards: Iterable[PatternCard] | None = None) -> KnowledgeBase:
    """Open the knowledge base with the configured cards, index location and embedding model.

    Args:
        directory: cards folder (default: `knowledge_dir()`: `ARCHREVIEW_KNOWLEDGE_DIR`,
            the wheel's bundled copy or the checkout's knowledge/).
        cache: cache folder (default: `ARCHREVIEW_CACHE_DIR` or ~/.cache/archreview).
        chroma_url: Chroma server URL (default: `ARCHREVIEW_CHROMA_URL`; empty = embedded).
        embedder: embedding model (default: the packaged model or `ARCHREVIEW_EMBED_MODEL_DIR`).
        cards: cards to use instead of loading `directory`.
    """
    url = chroma_url if chroma_url is not None else os.environ.get(CHROMA_URL_ENV, "")
    selected = list(cards) if cards is not None else load_cards(directory)
    location = url or str((cache or cache_dir()) / "chroma")

    def make_embedder() -> Embedder:
        if embedder is not None:
            return embedder
        from assistant.knowledge.embeddings import default_embedder

        return default_embedder()

    return KnowledgeBase(cards=selected, client_factory=lambda: _client(cache, url or None),
                         embedder_factory=make_embedder, location=location,
                         query_store=QueryVectorStore.in_cache(cache or cache_dir()))
