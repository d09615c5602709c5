"""Benchmark the LLM path against the local stub server (no network, no key).

The stub answers each step with the offline analyzer's (valid, grounded) answer after a fixed
latency, so the timings show the workflow's shape: how many calls a review makes, how large each
prompt is, and how much the parallel superstep saves over running the steps one by one.

    python benchmarks/bench_llm_stub.py [--delay 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.assessment import offline_analyzer as offline  # noqa: E402
from assistant.assessment.compute import compute_facts  # noqa: E402
from assistant.intake.loading import load_intake  # noqa: E402
from assistant.llm.providers.registry import build_provider  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.workflow.run import run_workflow  # noqa: E402
from tests.stub_llm_server import OPENAI_PATH, StubLLMServer  # noqa: E402

EXAMPLE = ROOT / "examples" / "ecommerce-workshop.yaml"


def answers(path: Path) -> dict[str, str]:
    """Valid, grounded answers per step: the offline analyzer's."""
    facts = compute_facts(load_intake(path), source=str(path))
    roadmap = {"rationale": "Separate the database first, then scale out.",
               "phases": [{"number": n, "goal": f"phase {n}", "risks": [], "tasks": []}
                          for n in (1, 2, 3, 4)]}
    values = {"bottlenecks": offline.bottlenecks(facts).model_dump_json(),
              "cost_performance": offline.cost_performance(facts).model_dump_json(),
              "roi": offline.roi_case(facts).model_dump_json(),
              "roadmap": json.dumps(roadmap)}
    values.update({step: offline.offline_advice(facts, step).model_dump_json()
                   for step in offline.advice_steps(facts)})
    return values


def run(server: StubLLMServer, concurrency: int | None, out: Path) -> float:
    settings = Settings(provider="openai-compatible", base_url=server.openai_base_url,
                        model="stub")
    provider = build_provider(settings)
    start = time.perf_counter()
    review = run_workflow(EXAMPLE, settings, out_dir=out, provider=provider,
                         max_concurrency=concurrency)
    elapsed = time.perf_counter() - start
    assert review.mode == "llm" and all(s.source == "llm" for s in review.sections.values()), \
        review.sections
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    table = answers(EXAMPLE)
    with StubLLMServer(delay_s=args.delay,
                       responder=lambda path, name, schema, body: table[name]) as server:
        out = ROOT / "out" / "bench-llm"
        parallel = [run(server, None, out) for _ in range(args.runs)]
        calls = len(server.requests_to(OPENAI_PATH)) // args.runs
        sizes = {}
        for request in server.requests_to(OPENAI_PATH)[:calls]:
            body = request.json
            name = body["response_format"]["json_schema"]["name"]
            sizes[name] = sum(len(m["content"]) for m in body["messages"])
        serial = [run(server, 1, out) for _ in range(args.runs)]
    print(f"command: python benchmarks/bench_llm_stub.py --delay {args.delay} --runs {args.runs}")
    print(f"LLM calls per review: {calls}")
    for name, size in sorted(sizes.items()):
        print(f"  prompt {name}: {size:,} characters (~{size // 4:,} tokens)")
    p, s = statistics.median(parallel), statistics.median(serial)
    print(f"wall time per review, median of {args.runs}: parallel {p:.2f} s, serial {s:.2f} s, "
          f"ratio {s / p:.2f}x")


if __name__ == "__main__":
    main()
