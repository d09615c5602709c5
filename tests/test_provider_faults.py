"""Provider faults through the real SDKs, per wire format (OpenAI Chat Completions, Anthropic
Messages), against the local stub server on 127.0.0.1 (a test double, not a model).

Each run injects a fault into the bottleneck analysis and another into the cost review, and
runs the whole e-commerce review: a faulty answer is repaired when a repair can fix it (the
section is the model's after two attempts, the raw faulty answer is in the run log and the
repair is counted there), and otherwise that section shows the offline result labelled with its
cause in the report. Valid answers are the offline analyzer's own sections, so they are grounded
by construction; the steps not under test get the stub's placeholder and fall back, which these
tests do not look at. Every run ends within its step time limit.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.assessment.compute import offline_review
from assistant.assessment.model import Review
from assistant.intake.loading import load_intake
from assistant.llm.providers.anthropic_adapter import AnthropicProvider
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.settings import Settings
from assistant.workflow.run import run_workflow
from tests.conftest import EXAMPLES, FIXED_TIME
from tests.stub_llm_server import CANARY_KEY, Reply, StubLLMServer, placeholder

ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"
WIRES = ("openai", "anthropic")
#: The schema title of each step under test, and the offline section that answers it validly.
VALID = {"BottleneckAnalysis": "analysis", "CostPerformanceReview": "cost_review"}
Fault = Callable[[dict[str, Any]], "Reply | str"]


def _provider(wire: str, stub: StubLLMServer, timeout_s: float) -> Any:
    if wire == "openai":
        return OpenAIProvider(model="gpt-4.1-mini", api_key=CANARY_KEY,
                              base_url=stub.openai_base_url, timeout_s=timeout_s, max_retries=0)
    return AnthropicProvider(model="claude-sonnet-4-6", api_key=CANARY_KEY, base_url=stub.url,
                             timeout_s=timeout_s, max_retries=0)


def _valid_answers() -> dict[str, str]:
    review = offline_review(load_intake(ECOMMERCE), clock=lambda: FIXED_TIME)
    return {title: getattr(review, field).model_dump_json() for title, field in VALID.items()}


def _title(schema: dict[str, Any]) -> str:
    return str(schema.get("title", ""))


def _review(folder: Path, wire: str, faults: dict[str, list[Fault]], *, timeout_s: float = 10.0,
            **settings: Any) -> Run:
    """Run the review with each step's first requests answered by its faults, then validly."""
    valid = _valid_answers()
    asked: Counter[str] = Counter()

    def respond(_path: str, _name: str, schema: dict[str, Any], _body: dict[str, Any]
                ) -> Reply | str:
        title = _title(schema)
        asked[title] += 1
        scripted = faults.get(title, [])
        if asked[title] <= len(scripted):
            return scripted[asked[title] - 1](schema)
        return valid.get(title) or json.dumps(placeholder(schema, schema))

    with StubLLMServer(responder=respond) as stub:
        options = {"max_repairs": 1, "step_timeout_s": 30.0, **settings}
        start = time.monotonic()
        review = run_workflow(ECOMMERCE, Settings(**options), out_dir=folder,
                              provider=_provider(wire, stub, timeout_s),
                              clock=lambda: FIXED_TIME)
        seconds = time.monotonic() - start
    log = [json.loads(line) for line in
           (folder / "run-log.jsonl").read_text(encoding="utf-8").splitlines()]
    return Run(review, log, (folder / "report.md").read_text(encoding="utf-8"), seconds)


class Run:
    """One review's result, run log, Markdown report and wall time."""

    def __init__(self, review: Review, log: list[dict[str, Any]], report: str,
                 seconds: float) -> None:
        self.review, self.log, self.report, self.seconds = review, log, report, seconds

    def section(self, step: str) -> Any:
        return self.review.sections[step]

    def events(self, step: str) -> list[str]:
        return [str(e.get("event")) for e in self.log if e.get("step") == step]

    def raw_answers(self, step: str) -> str:
        return json.dumps([e for e in self.log if e.get("step") == step])


# --- the faults ------------------------------------------------------------------------------


def _answer(title: str, change: Callable[[dict[str, Any]], None] | None = None) -> str:
    data = json.loads(_valid_answers()[title])
    if change:
        change(data)
    return json.dumps(data)


def _ghost_ids(data: Any) -> None:
    """Name a component that does not exist wherever the answer names components."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "component_ids":
                data[key] = ["ghost-db"]
            else:
                _ghost_ids(value)
    elif isinstance(data, list):
        for item in data:
            _ghost_ids(item)


def _tenfold_costs(data: dict[str, Any]) -> None:
    for item in data["assessments"]:
        item["monthly_cost"] = item["monthly_cost"] * 10 + 1


WRONG_SHAPE: Fault = lambda schema: json.dumps({"answer": "not the schema's shape"})  # noqa: E731
GHOST_IDS: Fault = lambda schema: _answer(_title(schema), _ghost_ids)  # noqa: E731
WRONG_NUMBERS: Fault = lambda schema: _answer(_title(schema), _tenfold_costs)  # noqa: E731
REFUSAL: Fault = lambda schema: Reply(refusal="I can't help with that.")  # noqa: E731
NO_ANSWER_YET: Fault = lambda schema: Reply(answer="{}", delay_s=30.0)  # noqa: E731


def _cut(wire: str) -> Fault:
    """An answer cut at the token limit: half a JSON object, with the wire's stop reason."""
    stop = "length" if wire == "openai" else "max_tokens"
    return lambda schema: Reply(answer=_valid_answers()[_title(schema)][:200], stop_reason=stop)


def _slow(schema: dict[str, Any]) -> Reply:
    return Reply(answer=_valid_answers()[_title(schema)], delay_s=3.0)


B, C = "BottleneckAnalysis", "CostPerformanceReview"
RUNS: dict[str, Callable[[str], tuple[dict[str, list[Fault]], dict[str, Any]]]] = {
    "repairable": lambda wire: ({B: [GHOST_IDS], C: [WRONG_NUMBERS]}, {}),
    "persistent": lambda wire: ({B: [GHOST_IDS] * 2, C: [WRONG_NUMBERS] * 2}, {}),
    "shape_and_cut": lambda wire: ({B: [WRONG_SHAPE], C: [_cut(wire)]}, {}),
    "cut_and_refused": lambda wire: ({B: [_cut(wire)] * 2, C: [REFUSAL]}, {}),
    "read_timeout": lambda wire: ({B: [_slow]}, {"timeout_s": 1.0}),
    "hang": lambda wire: ({B: [NO_ANSWER_YET] * 3}, {"step_timeout_s": 2.0}),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Run]:
    """Each run once per wire format, on first use."""
    done: dict[tuple[str, str], Run] = {}

    def get(name: str, wire: str) -> Run:
        if (name, wire) not in done:
            faults, options = RUNS[name](wire)
            done[(name, wire)] = _review(tmp_path_factory.mktemp(f"{name}-{wire}"), wire, faults,
                                         **options)
        return done[(name, wire)]

    return get


def _repaired(run: Run, step: str, raw_fragment: str) -> None:
    section = run.section(step)
    assert (section.source, section.attempts) == ("llm", 2), section
    events = run.events(step)
    assert events.count("request") == 2 and events[-1] == "repaired", events
    assert raw_fragment in run.raw_answers(step)  # the faulty answer is kept, not dropped


def _fallback(run: Run, step: str, cause: str, label: str) -> None:
    section = run.section(step)
    assert (section.source, section.cause) == ("fallback", cause), section
    assert section.problems
    assert run.events(step)[-1] in {"fallback", "refused", "timed_out"}, run.events(step)
    assert label in run.report and "this section shows the offline analyzer's result" in \
        run.report


pytestmark = [pytest.mark.slow, pytest.mark.parametrize("wire", WIRES)]


def test_hallucinated_ids_are_repaired(runs: Callable[[str, str], Run], wire: str) -> None:
    run = runs("repairable", wire)
    _repaired(run, "bottlenecks", "ghost-db")
    rejected = next(e for e in run.log if e.get("step") == "bottlenecks"
                    and e.get("event") == "rejected")
    assert rejected["cause"] == "ungrounded"
    assert any("ghost-db" in p for p in rejected["problems"])


def test_wrong_numbers_are_repaired(runs: Callable[[str, str], Run], wire: str) -> None:
    run = runs("repairable", wire)
    _repaired(run, "cost_performance", "monthly_cost")
    rejected = next(e for e in run.log if e.get("step") == "cost_performance"
                    and e.get("event") == "rejected")
    assert any("differs from the computed" in p for p in rejected["problems"])


def test_persistent_hallucinations_and_wrong_numbers_fall_back_labelled(
        runs: Callable[[str, str], Run], wire: str) -> None:
    run = runs("persistent", wire)
    label = "named ids or figures the computed facts do not have (ungrounded) after 1 repair(s)"
    _fallback(run, "bottlenecks", "ungrounded", label)
    _fallback(run, "cost_performance", "ungrounded", label)
    assert run.review.costs == offline_review(load_intake(ECOMMERCE),
                                              clock=lambda: FIXED_TIME).costs  # ours, not theirs


def test_valid_json_of_the_wrong_shape_is_repaired(runs: Callable[[str, str], Run],
                                                   wire: str) -> None:
    _repaired(runs("shape_and_cut", wire), "bottlenecks", "not the schema's shape")


def test_a_truncated_answer_is_asked_again_shorter(runs: Callable[[str, str], Run],
                                                   wire: str) -> None:
    run = runs("shape_and_cut", wire)
    assert run.events("cost_performance") == ["request", "answer", "truncated", "request",
                                              "answer", "repaired"]
    assert run.section("cost_performance").source == "llm"


def test_an_answer_cut_every_time_falls_back_labelled_truncated(
        runs: Callable[[str, str], Run], wire: str) -> None:
    run = runs("cut_and_refused", wire)
    re_asks = run.section("bottlenecks").attempts - 1
    assert re_asks >= 1
    _fallback(run, "bottlenecks", "truncated",
              f"the answer was cut off at the token limit; shorter re-asks after it: {re_asks}")


def test_a_refusal_falls_back_at_once_labelled(runs: Callable[[str, str], Run],
                                               wire: str) -> None:
    run = runs("cut_and_refused", wire)
    _fallback(run, "cost_performance", "refused", "the model refused to answer")
    assert run.section("cost_performance").attempts == 1  # a refusal is not argued with
    assert "I can't help with that." in run.section("cost_performance").problems[0]


def test_a_read_timeout_is_the_sdks_and_labelled(runs: Callable[[str, str], Run],
                                                 wire: str) -> None:
    run = runs("read_timeout", wire)
    _fallback(run, "bottlenecks", "timed_out", "LLM step gave no usable answer: timed out")
    section = run.section("bottlenecks")
    assert section.limit_s is None and "APITimeoutError" in section.problems[0]


def test_a_hang_ends_at_the_step_deadline_and_is_labelled(runs: Callable[[str, str], Run],
                                                          wire: str) -> None:
    run = runs("hang", wire)
    _fallback(run, "bottlenecks", "timed_out", "timed out after 2 s")
    section = run.section("bottlenecks")
    assert section.limit_s == 2.0 and "step's deadline" in section.problems[0]
    # the other steps ran while this one waited: the run took the deadline, not the hang
    assert run.seconds < 30.0, run.seconds
