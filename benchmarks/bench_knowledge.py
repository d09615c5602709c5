"""Benchmark the knowledge base: runtime start-up, index build, query latency, cold CLI search.

Run `python benchmarks/bench_knowledge.py` (or `make bench`). Everything runs offline against a
temporary cache folder, so the user's index is untouched. Each number is a median of several
runs (query latency: p50/p95 over the eval queries); the command that was timed is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY = "Datenbank wird zum Engpass bei vielen Lesezugriffen"
PROBE = """
import json, time
t0 = time.perf_counter()
import numpy, onnxruntime, onnxruntime_extensions
t1 = time.perf_counter()
import chromadb
t2 = time.perf_counter()
from assistant.knowledge.embeddings import load_embedder
model = load_embedder()
t3 = time.perf_counter()
model.embed(["warm-up"])
t4 = time.perf_counter()
for _ in range(20):
    model.embed(["database is the bottleneck for reads"])
t5 = time.perf_counter()
print(json.dumps({"import onnxruntime+numpy": t1 - t0, "import chromadb": t2 - t1,
                  "model load": t3 - t2, "first embed": t4 - t3,
                  "embed one query": (t5 - t4) / 20}))
"""


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def runtime_startup(env: dict[str, str], runs: int) -> dict[str, float]:
    """Time imports, model load and one embedding in fresh processes (medians)."""
    samples = [json.loads(subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                                         capture_output=True, text=True, check=True).stdout)
               for _ in range(runs)]
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def index_timings(cache: Path, runs: int) -> dict[str, float]:
    """Time a build into an empty cache and a build that finds the index unchanged."""
    from assistant.knowledge.cards import load_cards
    from assistant.knowledge.search import open_knowledge_base

    cards = load_cards()
    open_knowledge_base(cards=cards, cache=cache / "warm", chroma_url="").build()  # load model

    def cold() -> float:
        folder = Path(tempfile.mkdtemp(dir=cache))
        base = open_knowledge_base(cards=cards, cache=folder, chroma_url="")
        return timed(base.build)

    unchanged_base = open_knowledge_base(cards=cards, cache=cache / "warm", chroma_url="")
    return {"build, empty cache (in process)": median_of(runs, cold),
            "build, unchanged (in process)": median_of(
                runs, lambda: timed(lambda: unchanged_base.build()))}


def query_timings(cache: Path) -> dict[str, float]:
    """Time hybrid search over every eval query (warm process): p50 and p95."""
    from assistant.knowledge.search import open_knowledge_base
    from evals.run_retrieval import load_eval

    base = open_knowledge_base(cache=cache / "warm", chroma_url="")
    base.search("warm-up")
    latencies = [timed(lambda q=q: base.search(q.query, k=5, kind=q.kind))
                 for q in load_eval()]
    return {"query p50": percentile(latencies, 0.5), "query p95": percentile(latencies, 0.95)}


def cli_timings(env: dict[str, str], cache: Path, runs: int) -> tuple[dict[str, float], str]:
    """Time whole `archreview kb search` processes: first run (empty cache) and later runs."""
    cli = shutil.which("archreview", path=str(Path(sys.executable).parent))
    if cli is None:
        return {}, "archreview CLI not installed"
    command = [cli, "kb", "search", QUERY]

    def run(folder: Path) -> float:
        return timed(lambda: subprocess.run(command, env={**env, "ARCHREVIEW_CACHE_DIR":
                                                          str(folder)},
                                            capture_output=True, check=True))

    first = median_of(runs, lambda: run(Path(tempfile.mkdtemp(dir=cache))))
    run(cache / "cli")
    later = median_of(runs, lambda: run(cache / "cli"))
    return ({"cold CLI search, index unchanged": later, "cold CLI search, empty cache": first},
            " ".join(["archreview", "kb", "search", repr(QUERY)]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions per median")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archreview-bench-") as folder:
        cache = Path(folder)
        env = {**os.environ, "ARCHREVIEW_CACHE_DIR": str(cache / "warm"),
               "PYTHONPATH": str(ROOT)}
        env.pop("ARCHREVIEW_CHROMA_URL", None)
        os.environ.update({"ARCHREVIEW_CACHE_DIR": str(cache / "warm")})
        results = runtime_startup(env, args.runs)
        results |= index_timings(cache, args.runs)
        results |= query_timings(cache)
        cli, command = cli_timings(env, cache, args.runs)
        results |= cli
    print(f"knowledge-base benchmark (medians of {args.runs} runs; {os.cpu_count()} CPUs)")
    for name, seconds in results.items():
        print(f"  {name:<38}{seconds * 1000:>10.1f} ms")
    print(f"CLI command timed: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
