"""The LangGraph workflow end to end, offline and with a scripted fake model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.assessment import offline_analyzer as offline
from assistant.assessment.compute import compute_facts, offline_review
from assistant.assessment.model import Review
from assistant.intake.loading import load_intake
from assistant.llm.providers.base import TransientProviderError
from assistant.settings import Settings
from assistant.workflow.run import run_workflow
from tests.conftest import EXAMPLES, FIXED_TIME
from tests.fakes import ScriptedProvider

ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"
CANARY = "sk-test-canary-DO-NOT-LEAK-1234567890abcdef"


def facts_of(path: Path = ECOMMERCE):
    return compute_facts(load_intake(path), source=str(path), clock=lambda: FIXED_TIME)


def good_provider(path: Path = ECOMMERCE) -> ScriptedProvider:
    """Answers that are valid and grounded: the offline analyzer's, re-worded."""
    facts = facts_of(path)
    analysis = offline.bottlenecks(facts)
    analysis = analysis.model_copy(update={"summary": "LLM: " + analysis.summary})
    provider = ScriptedProvider()
    provider.defaults.update({
        "bottlenecks": analysis, "cost_performance": offline.cost_performance(facts),
        "roi": offline.roi_case(facts),
        "database": offline.offline_advice(facts, "database"),
        "performance_audit": offline.offline_advice(facts, "performance_audit"),
        "caching": offline.offline_advice(facts, "caching"),
    })
    provider.defaults["roadmap"] = {
        "rationale": "Separate the database first, then scale out.",
        "phases": [{"number": n, "goal": f"goal {n}", "risks": [], "tasks": [] if n > 1 else [
            {"pattern_id": "database-separation", "component_ids": ["postgres"],
             "finding_ids": ["F03"], "effort_weeks": 2, "expected_improvement": "own box",
             "skills": ["PostgreSQL"]}]} for n in (1, 2, 3, 4)]}
    return provider


def run(tmp_path: Path, provider: ScriptedProvider | None, path: Path = ECOMMERCE) -> Review:
    settings = Settings(provider="offline" if provider is None else "openai-compatible")
    return run_workflow(path, settings, out_dir=tmp_path, formats=("md", "json"),
                       provider=provider, clock=lambda: FIXED_TIME)  # type: ignore[arg-type]


def test_offline_graph_equals_the_direct_offline_review(tmp_path: Path) -> None:
    via_graph = run(tmp_path, None)
    direct = offline_review(load_intake(ECOMMERCE), source=str(ECOMMERCE), clock=lambda: FIXED_TIME)
    assert via_graph.mode == "offline"
    assert via_graph.analysis == direct.analysis
    assert via_graph.findings == direct.findings
    assert via_graph.capacity == direct.capacity
    assert {s.source for s in via_graph.sections.values()} == {"offline"}
    assert not (tmp_path / "run-log.jsonl").exists()


def test_llm_review_keeps_the_computed_numbers_and_cites_real_ids(tmp_path: Path) -> None:
    provider = good_provider()
    review = run(tmp_path, provider)
    offline_review = run(tmp_path / "offline", None)
    assert review.mode == "llm"
    assert review.capacity == offline_review.capacity
    assert review.costs == offline_review.costs
    assert review.analysis.summary.startswith("LLM: ")
    assert all(s.source == "llm" for s in review.sections.values()), review.sections
    ids = {c.id for c in review.intake.components}
    patterns = {p.id for p in review.patterns}
    for bottleneck in review.analysis.bottlenecks:
        assert set(bottleneck.component_ids) <= ids and set(bottleneck.pattern_ids) <= patterns
    assert review.roadmap_plan is not None
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Written by the LLM on top of the computed facts" in report


def test_parallel_steps_share_one_cached_prefix(tmp_path: Path) -> None:
    provider = good_provider()
    run(tmp_path, provider)
    prefixes = {call.shared_prefix for call in provider.history}
    assert len(prefixes) == 1 and "Computed facts" in prefixes.pop()
    assert {c.step for c in provider.history} >= {"bottlenecks", "cost_performance", "roadmap",
                                                   "roi", "database", "performance_audit"}


def test_hallucinated_component_falls_back_and_is_labelled(tmp_path: Path) -> None:
    provider = good_provider()
    bad = provider.defaults["bottlenecks"].model_copy(deep=True)  # type: ignore[union-attr]
    bad.bottlenecks[0].component_ids = ["mainframe"]
    provider.enqueue("bottlenecks", bad, bad, bad)
    review = run(tmp_path, provider)
    section = review.sections["bottlenecks"]
    assert section.source == "fallback" and section.attempts == 3
    assert any("unknown component id 'mainframe'" in p for p in section.problems)
    assert not review.analysis.summary.startswith("LLM: ")
    assert any(f.startswith("bottlenecks:") for f in review.provenance.fallbacks)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "shows the offline analyzer's result" in report
    log = [json.loads(line) for line in (tmp_path / "run-log.jsonl").read_text().splitlines()]
    raws = [e["raw"] for e in log if e["step"] == "bottlenecks" and e["event"] == "answer"]
    assert len(raws) == 3 and all("mainframe" in raw for raw in raws)


def test_wrong_npv_is_replaced_by_ours_and_flagged(tmp_path: Path) -> None:
    source = ECOMMERCE.read_text(encoding="utf-8") + """
business:
  currency: USD
  infrastructure_cost_per_month: 2000
  operational_cost_per_month: 500
  development_cost: 40000
  training_cost: 5000
  baseline_monthly_revenue: 100000
  annual_discount_rate_pct: 10
  timeframe_months: 24
  scenarios:
    - {name: expected, probability_pct: 60, revenue_growth_pct: 5,
       cost_savings_per_month: 1000, time_to_value_months: 3}
    - {name: slow, probability_pct: 40, revenue_growth_pct: 1, time_to_value_months: 6}
"""
    path = tmp_path / "with-business.yaml"
    path.write_text(source, encoding="utf-8")
    provider = good_provider(path)
    case = provider.defaults["roi"].model_copy(update={"npv": 999999.0})  # type: ignore[union-attr]
    provider.enqueue("roi", case)
    review = run(tmp_path / "out", provider, path)
    assert review.roi is not None
    assert review.roi_case.npv == pytest.approx(round(review.roi.expected_npv, 2))
    assert review.sections["roi"].source == "llm"
    [flag] = review.provenance.recomputed
    assert "999999" in flag and "the computed value is used" in flag


def test_a_transient_error_falls_back_at_once_the_graph_does_not_retry(tmp_path: Path) -> None:
    # A TransientProviderError reaches ask() only after the SDK's own retries are spent.
    provider = good_provider()
    provider.enqueue("cost_performance", TransientProviderError("503"),
                     TransientProviderError("503 again"))
    review = run(tmp_path, provider)
    assert len(provider.calls("cost_performance")) == 1
    section = review.sections["cost_performance"]
    assert section.source == "fallback" and section.attempts == 1
    assert section.problems == ["provider unavailable: 503"]
    assert "cost_performance: provider unavailable: 503" in review.provenance.fallbacks
    assert review.sections["bottlenecks"].source == "llm"
    log = [json.loads(line) for line in (tmp_path / "run-log.jsonl").read_text().splitlines()]
    events = [e["event"] for e in log if e["step"] == "cost_performance"]
    assert events == ["request", "server_error"]
    assert section.cause == "server_error"


def test_each_request_gets_the_steps_remaining_time(tmp_path: Path) -> None:
    provider = good_provider()
    run(tmp_path, provider)
    timeouts = [call.timeout_s for call in provider.history]
    assert timeouts and all(t is not None and 0 < t <= 90.0 for t in timeouts)


def test_no_key_in_logs_or_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    run(tmp_path, good_provider())
    for file in tmp_path.iterdir():
        if file.suffix in {".md", ".json", ".jsonl"}:
            assert CANARY not in file.read_text(encoding="utf-8"), file


def test_resume_continues_at_the_failed_step(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.workflow.nodes as nodes

    provider = good_provider()
    settings = Settings(provider="openai-compatible")
    real_render = nodes.render_reports

    def disk_full(state, runtime):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(nodes, "render_reports", disk_full)
    with pytest.raises(OSError, match="disk full"):
        run_workflow(ECOMMERCE, settings, out_dir=tmp_path,
                    provider=provider,  # type: ignore[arg-type]
                    clock=lambda: FIXED_TIME, resume=True)
    calls_after_crash = len(provider.history)
    assert calls_after_crash >= 6 and not (tmp_path / "report.md").exists()
    monkeypatch.setattr(nodes, "render_reports", real_render)
    review = run_workflow(ECOMMERCE, settings, out_dir=tmp_path,
                         provider=provider,  # type: ignore[arg-type]
                         clock=lambda: FIXED_TIME, resume=True)
    assert len(provider.history) == calls_after_crash  # no LLM step was paid for twice
    assert review.mode == "llm" and (tmp_path / "report.md").exists()
    assert (tmp_path / "checkpoints.sqlite").exists()
