"""Benchmark the LLM path against the local stub server (no network, no key).

The stub answers each step with the offline analyzer's (valid, grounded) answer after a fixed
latency, so the timings show the workflow's shape: how many calls a review makes, how large each
prompt is, and how much the parallel superstep saves over running the steps one by one.

    python benchmarks/bench_llm_stub.py [--delay 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
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


def run(server: StubLLMServer, concurrency: int | None, out: Path | None,
        intake: Path = EXAMPLE, stream: str = "off") -> float:
    """One review through the LLM path; `concurrency` None lets the superstep ask at once.

    The stub listens on 127.0.0.1, which archreview treats as a one-slot local server (one
    request at a time); the stub has no slot limit, so the parallel run sets the concurrency to
    the superstep's width, as a hosted provider gets, and `concurrency=1` is the local default.
    Answers are not streamed unless `stream` says so: a local server's answers are (see
    `ARCHREVIEW_STREAM`), but the stub sends a whole answer as hundreds of 4-character events at
    once, which times the event parsing, not the graph; a real server spends 30-100 ms writing
    each token.
    """
    from assistant.workflow.graph import PARALLEL

    settings = Settings(provider="openai-compatible", base_url=server.openai_base_url,
                        model="stub", concurrency=concurrency or len(PARALLEL),
                        stream=stream)  # type: ignore[arg-type]
    provider = build_provider(settings)
    from assistant.capacity import model

    getattr(model, "clear_memo", lambda: None)()  # every review from scratch, as in a batch
    start = time.perf_counter()
    review = run_workflow(intake, settings, out_dir=out, provider=provider,
                         max_concurrency=concurrency or len(PARALLEL))
    elapsed = time.perf_counter() - start
    assert review.mode == "llm" and all(s.source == "llm" for s in review.sections.values()), \
        review.sections
    return elapsed


@dataclass(frozen=True)
class StubRun:
    """What one stub benchmark measured: calls, prompt sizes and median wall times."""

    calls: int
    probe_calls: int
    prompt_chars: dict[str, int]
    parallel_s: float
    serial_s: float | None

    def critical_path_calls(self) -> int:
        """LLM calls in sequence (assistant/workflow/graph.py): the local server's speed probe,
        the parallel superstep (bottlenecks, cost/performance, audits), roadmap, roi."""
        return self.probe_calls + 3


def measure(delay: float, runs: int, intake: Path = EXAMPLE, serial: bool = True,
            files: bool = True, stream: str = "off") -> StubRun:
    """Review `intake` through the LLM path against the stub, `runs` times (and serially).

    With `files` the reports (md, json) and the run log are written, as the CLI does; without,
    only the review is timed.
    """
    table = answers(intake)
    with StubLLMServer(delay_s=delay,
                       responder=lambda path, name, schema, body: table.get(name, "ok")
                       ) as server:  # "ok": the speed probe's short plain answer
        out = Path(tempfile.mkdtemp(prefix="archreview-bench-llm-"))
        try:
            target = out if files else None
            run(server, None, target, intake, stream)  # warm-up: imports, SDK client, templates
            seen = len(server.requests_to(OPENAI_PATH))
            parallel = [run(server, None, target, intake, stream) for _ in range(runs)]
            calls = (len(server.requests_to(OPENAI_PATH)) - seen) // runs
            sizes, probes = {}, 0
            for request in server.requests_to(OPENAI_PATH)[seen:seen + calls]:
                body = request.json
                if "response_format" not in body:
                    probes += 1
                    continue
                name = body["response_format"]["json_schema"]["name"]
                sizes[name] = sum(len(m["content"]) for m in body["messages"])
            one_by_one = ([run(server, 1, target, intake, stream) for _ in range(runs)]
                          if serial else [])
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return StubRun(calls, probes, sizes, statistics.median(parallel),
                   statistics.median(one_by_one) if one_by_one else None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.delay, args.runs)
    print(f"command: python benchmarks/bench_llm_stub.py --delay {args.delay} --runs {args.runs}")
    print(f"LLM calls per review: {result.calls}")
    for name, size in sorted(result.prompt_chars.items()):
        print(f"  prompt {name}: {size:,} characters (~{size // 4:,} tokens, characters / 4)")
    p, s = result.parallel_s, result.serial_s or 0.0
    critical = result.critical_path_calls() * args.delay
    print(f"wall time per review, median of {args.runs}: parallel {p:.2f} s, serial {s:.2f} s, "
          f"ratio {s / p:.2f}x; critical path {critical:.2f} s, parallel / critical "
          f"{p / critical if critical else float('nan'):.2f}x")


if __name__ == "__main__":
    main()
