"""Errors that say what they are: internal errors, one retry layer, bounded step time.

All offline: the LLM is the local stub server on 127.0.0.1 (through the real SDK) or a
scripted fake; both are test doubles, not models.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from assistant.assessment.sections import AdviceList
from assistant.cli.app import app
from assistant.llm.ask import ask
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.llm.providers.registry import build_provider
from assistant.llm.run_log import RunLog
from assistant.settings import Settings
from assistant.workflow.run import internal_error_steps, run_workflow
from tests.conftest import EXAMPLES, FIXED_TIME
from tests.fakes import ScriptedProvider
from tests.stub_llm_server import OPENAI_PATH, Reply, StubLLMServer
from tests.test_graph import good_provider

ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"
STEM = ECOMMERCE.stem
runner = CliRunner()


def _answers() -> dict[str, str]:
    """Valid, grounded answers per step (the offline analyzer's), as the stub's JSON text."""
    defaults = good_provider().defaults
    return {step: value.model_dump_json() if isinstance(value, BaseModel) else json.dumps(value)
            for step, value in defaults.items()}


@pytest.fixture
def answering_stub() -> Any:
    """The stub, answering every step with a valid answer for the e-commerce example."""
    answers = _answers()
    with StubLLMServer(responder=lambda path, name, schema, body: answers[name]) as stub:
        yield stub


def _review_cli(stub: StubLLMServer, out: Path, **kwargs: Any) -> Any:
    return runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(out), "--provider",
                               "openai-compatible", "--base-url", stub.openai_base_url], **kwargs)


def _broken_grounding(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(analysis: object, known: object) -> list[str]:
        raise KeyError("injected-for-test")

    monkeypatch.setattr("assistant.llm.grounding.check_bottlenecks", broken)


def _log(out: Path) -> list[dict[str, Any]]:
    text = (out / STEM / "run-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


# --- (a), (b) internal errors ----------------------------------------------------------------


def test_internal_error_falls_back_labelled_logs_the_traceback_and_exits_non_zero(
        answering_stub: StubLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_INTERNAL_ERRORS", "fallback")
    _broken_grounding(monkeypatch)
    result = _review_cli(answering_stub, tmp_path)
    assert result.exit_code == 1, result.output
    assert "internal error in step bottlenecks" in result.stderr
    report = json.loads((tmp_path / STEM / "report.json").read_text(encoding="utf-8"))
    section = report["sections"]["bottlenecks"]
    assert section["source"] == "fallback"
    assert section["problems"] == ["internal error: KeyError: 'injected-for-test'"]
    assert "bottlenecks: internal error: KeyError: 'injected-for-test'" in \
        report["provenance"]["fallbacks"]
    assert report["sections"]["cost_performance"]["source"] == "llm"  # the rest carried on
    markdown = (tmp_path / STEM / "report.md").read_text(encoding="utf-8")
    assert "internal error: KeyError" in markdown
    [entry] = [e for e in _log(tmp_path) if e["event"] == "internal_error"]
    assert entry["step"] == "bottlenecks"
    assert "Traceback (most recent call last)" in entry["traceback"]
    assert "KeyError: 'injected-for-test'" in entry["traceback"]
    assert "check_bottlenecks" in entry["traceback"] or "broken" in entry["traceback"]


def test_internal_error_raises_when_told_to(answering_stub: StubLLMServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().internal_errors == "raise"  # set for the session by conftest
    _broken_grounding(monkeypatch)
    with pytest.raises(KeyError, match="injected-for-test"):
        _review_cli(answering_stub, tmp_path, catch_exceptions=False)
    assert not (tmp_path / STEM / "report.json").exists()


def test_internal_error_in_an_offline_section_behaves_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.workflow.nodes as nodes

    monkeypatch.setenv("ARCHREVIEW_INTERNAL_ERRORS", "fallback")
    real = nodes._advice_vars

    def broken(step: str, facts: Any) -> dict[str, object]:
        if step == "database":
            raise KeyError("injected-offline")
        return real(step, facts)

    monkeypatch.setattr(nodes, "_advice_vars", broken)
    result = runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "internal error in step database" in result.stderr
    report = json.loads((tmp_path / STEM / "report.json").read_text(encoding="utf-8"))
    assert report["mode"] == "offline"
    assert report["sections"]["database"]["problems"][0].startswith("internal error: KeyError")
    assert report["sections"]["bottlenecks"]["source"] == "offline"
    assert report["advice"]["database"]["advice"]  # the offline advice is shown
    [entry] = [e for e in _log(tmp_path) if e["event"] == "internal_error"]
    assert entry["step"] == "database" and "injected-offline" in entry["traceback"]


def test_a_clean_review_leaves_no_run_log_offline_and_exits_zero(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / STEM / "run-log.jsonl").exists()


# --- (c) one retry layer: the SDK's -----------------------------------------------------------


def test_a_failing_provider_falls_back_after_the_sdks_retries_only(tmp_path: Path) -> None:
    max_retries = 2
    with StubLLMServer() as stub:
        stub.enqueue(OPENAI_PATH, *[Reply.error(503, "stub: unavailable")] * 100)
        settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                            max_retries=max_retries)
        review = run_workflow(ECOMMERCE, settings, out_dir=tmp_path,
                             provider=build_provider(settings), clock=lambda: FIXED_TIME)
        per_step: dict[str, int] = {}
        for request in stub_posts(stub):
            name = request.json["response_format"]["json_schema"]["name"]
            per_step[name] = per_step.get(name, 0) + 1
    assert set(per_step) == set(review.sections)
    assert set(per_step.values()) == {max_retries + 1}, per_step  # no graph-level retry
    # The first request of a step goes out without SDK retries, so a refused response format
    # (llama-cpp-python answers 500) is read at once; a 503 is no refusal, so the SDK's
    # remaining retries follow: the total per step stays max_retries + 1.
    retry_counts = [r.headers["x-stainless-retry-count"] for r in stub_posts(stub)]
    assert sorted(set(retry_counts)) == ["0", "1"]
    for step, section in review.sections.items():
        assert section.source == "fallback" and section.attempts == 1, step
        assert section.problems[0].startswith("provider unavailable: openai-compatible: HTTP 503")
    assert internal_error_steps(review) == []


# --- (d) bounded step time --------------------------------------------------------------------


def stub_posts(stub: StubLLMServer) -> list[Any]:
    """The step requests a stub received (not the start-of-run probe's speed check)."""
    return [r for r in stub.requests_to(OPENAI_PATH) if "response_format" in r.json]


def _ask_advice(provider: Any, log: RunLog, step_timeout_s: float, max_repairs: int = 2) -> Any:
    return ask(provider, step="database", system="sys", prompt="prompt", schema=AdviceList,
               shared_prefix="facts", grounding=lambda a: [], max_repairs=max_repairs, log=log,
               step_timeout_s=step_timeout_s)


def test_a_hung_server_falls_back_within_the_step_timeout() -> None:
    with StubLLMServer(delay_s=30) as stub:
        # Without the step bound the SDK alone would wait 3 x 20 s here.
        provider = OpenAIProvider(model="m", api_key="not-needed", name="openai-compatible",
                                  base_url=stub.openai_base_url, timeout_s=20.0, max_retries=2)
        log = RunLog()
        start = time.monotonic()
        result = _ask_advice(provider, log, step_timeout_s=1.0)
        elapsed = time.monotonic() - start
    assert result.status == "fallback" and result.value is None
    assert result.problems == ["step database timed out after 1 s (the step's deadline, "
                               "ARCHREVIEW_STEP_TIMEOUT_S), before a valid answer"]
    assert 0.9 <= elapsed < 1.5, elapsed
    assert [e["event"] for e in log.entries] == ["request", "timed_out"]
    assert result.cause == "timed_out" and result.limit_s == 1.0


@dataclass
class SlowProvider(ScriptedProvider):
    """A fake that takes `delay_s` per call of the given steps (until released)."""

    delay_s: dict[str, float] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    timeouts: list[float | None] = field(default_factory=list)

    def complete(self, **kwargs: Any) -> Any:
        self.timeouts.append(kwargs.get("timeout_s"))
        self.release.wait(self.delay_s.get(kwargs["schema_name"], 0.0))
        return super().complete(**kwargs)


def test_the_step_budget_covers_the_repairs_too() -> None:
    provider = SlowProvider(delay_s={"database": 0.6})
    provider.enqueue("database", "not json", "still not json", "never asked")
    start = time.monotonic()
    result = _ask_advice(provider, RunLog(), step_timeout_s=1.0)
    elapsed = time.monotonic() - start
    assert result.status == "fallback" and result.attempts == 2
    assert "timed out after 1 s" in result.problems[0]
    assert elapsed < 1.5, elapsed
    first, second = provider.timeouts  # the repair got what was left, not a fresh budget
    assert first is not None and second is not None and first > 0.9 and second < 0.5


def test_a_hung_step_is_named_in_the_report_and_the_rest_carries_on(tmp_path: Path) -> None:
    base = good_provider()
    provider = SlowProvider(defaults=base.defaults, delay_s={"cost_performance": 30.0})
    settings = Settings(provider="openai-compatible", step_timeout_s=1.0)
    try:
        start = time.monotonic()
        review = run_workflow(ECOMMERCE, settings, out_dir=tmp_path, formats=("md", "json"),
                             provider=provider, clock=lambda: FIXED_TIME)  # type: ignore[arg-type]
        elapsed = time.monotonic() - start
    finally:
        provider.release.set()
    section = review.sections["cost_performance"]
    assert section.source == "fallback"
    assert "step cost_performance timed out after 1 s" in section.problems[0]
    assert any(f.startswith("cost_performance: step cost_performance timed out after 1 s")
               for f in review.provenance.fallbacks)
    assert review.sections["bottlenecks"].source == "llm"
    assert internal_error_steps(review) == []
    assert "timed out after 1 s" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert elapsed < 10, elapsed


def test_call_within_passes_the_calls_own_errors_and_results_through() -> None:
    from assistant.llm.ask import StepTimeout, call_within

    def own_timeout() -> None:
        raise TimeoutError("socket said so")

    with pytest.raises(TimeoutError, match="socket said so"):
        call_within(own_timeout, 5.0)
    assert call_within(lambda: 42, 5.0) == 42 and call_within(lambda: 7, None) == 7
    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(StepTimeout):
        call_within(lambda: release.wait(30), 0.2)
    assert time.monotonic() - start < 0.5
    release.set()
