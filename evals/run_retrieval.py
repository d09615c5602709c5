"""Retrieval eval: recall@k and MRR of the knowledge base, per language and overall.

Run `python -m evals.run_retrieval` (or `make eval`). It exits 2 when the eval file names a card
that does not exist, and 1 when recall@k misses the goal for a language. `--mode bm25|vector`
scores one retriever alone, to show what each contributes (e.g. German recall without BM25).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

EVAL_FILE = Path(__file__).resolve().parent / "retrieval.yaml"
GOAL_RECALL = 0.9


@dataclass(frozen=True)
class EvalQuery:
    query: str
    lang: str
    relevant: tuple[str, ...]
    kind: str | None = None


@dataclass(frozen=True)
class Score:
    queries: int
    recall: float
    mrr: float


def load_eval(path: Path = EVAL_FILE) -> list[EvalQuery]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EvalQuery(query=q["query"], lang=q["lang"], relevant=tuple(q["relevant"]),
                      kind=q.get("kind")) for q in data["queries"]]


def unknown_ids(queries: Iterable[EvalQuery], known: set[str]) -> list[str]:
    return sorted({card for q in queries for card in q.relevant if card not in known})


def score(results: list[tuple[EvalQuery, list[str]]], k: int) -> Score:
    """Mean recall@k (share of a query's relevant cards in its top k) and MRR (first hit)."""
    if not results:
        return Score(0, 0.0, 0.0)
    recall = mrr = 0.0
    for query, ranked in results:
        top = ranked[:k]
        recall += sum(card in top for card in query.relevant) / len(query.relevant)
        first = next((i for i, card in enumerate(ranked, start=1) if card in query.relevant), None)
        mrr += 1 / first if first else 0.0
    return Score(len(results), recall / len(results), mrr / len(results))


def run(search: Callable[[EvalQuery], list[str]], queries: list[EvalQuery],
        k: int) -> list[tuple[EvalQuery, list[str]]]:
    return [(q, search(q)) for q in queries]


def searcher(mode: str, k: int) -> Callable[[EvalQuery], list[str]]:
    from assistant.knowledge.search import open_knowledge_base

    base = open_knowledge_base()
    if mode == "bm25":
        return lambda q: base.bm25_ranking(q.query, q.kind)
    if mode == "vector":
        return lambda q: base.vector_ranking(q.query, q.kind)
    # MRR looks past the top k, so ask for a longer list than is scored for recall.
    return lambda q: [h.card_id for h in base.search(q.query, k=max(k, 20), kind=q.kind)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=EVAL_FILE)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--mode", choices=("hybrid", "bm25", "vector"), default="hybrid")
    parser.add_argument("--verbose", action="store_true", help="list the queries that miss")
    args = parser.parse_args(argv)

    from assistant.knowledge.cards import load_cards

    queries = load_eval(args.file)
    unknown = unknown_ids(queries, {c.id for c in load_cards()})
    if unknown:
        print(f"{args.file}: unknown card id(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    results = run(searcher(args.mode, args.k), queries, args.k)
    print(f"retrieval eval ({args.mode}): {len(queries)} queries from {args.file.name}")
    print(f"{'lang':<8}{'queries':>8}{f'recall@{args.k}':>12}{'MRR':>8}")
    scores = {}
    for lang in sorted({q.lang for q in queries}) + ["all"]:
        subset = [r for r in results if lang in ("all", r[0].lang)]
        scores[lang] = score(subset, args.k)
        s = scores[lang]
        print(f"{lang:<8}{s.queries:>8}{s.recall:>12.3f}{s.mrr:>8.3f}")
    if args.verbose:
        for query, ranked in results:
            missing = [c for c in query.relevant if c not in ranked[:args.k]]
            if missing:
                print(f"  miss [{query.lang}] {query.query!r}: want {missing}, "
                      f"got {ranked[:args.k]}")
    below = [lang for lang, s in scores.items() if s.recall < GOAL_RECALL]
    if args.mode == "hybrid" and below:
        print(f"recall@{args.k} below the goal {GOAL_RECALL} for: {', '.join(below)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
