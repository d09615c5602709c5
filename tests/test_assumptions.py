"""The assumptions ledger: every default the figures used is listed, with source and the field
that settles it; operations facts left out are questions, not findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.assessment.compute import compute_facts, offline_review
from assistant.intake.loading import load_intake
from assistant.intake.schema import Intake
from assistant.report.markdown import render_markdown
from tests.conftest import EXAMPLES
from tests.helpers import component, intake_data, make_intake


def _names(intake: Intake) -> set[tuple[str, str]]:
    return {(a.subject, a.name) for a in compute_facts(intake).assumptions if a.kind == "default"}


def test_ecommerce_ledger_lists_the_defaults_its_figures_used() -> None:
    facts = compute_facts(load_intake(Path(EXAMPLES / "ecommerce-workshop.yaml")))
    listed = {(a.subject, a.name) for a in facts.assumptions}
    for expected in [("postgres", "working set"), ("api", "throughput per vCPU"),
                     ("postgres", "write cost"), ("costs", "average response size for data "
                                                  "transfer"), ("current", "peak-to-average ratio"),
                     ("targets", "growth curve shape")]:
        assert expected in listed
    # the first break (host memory) rests on the assumed working set, and says which field
    assert [a.settle_with for a in facts.first_break_rests_on] == [
        "components[2].data.working_set_gb"]


def test_a_measured_value_leaves_the_ledger() -> None:
    data = intake_data()
    component(data, "db")["data"]["working_set_gb"] = 20
    component(data, "db")["data"]["data_volume_gb"] = 100
    assert ("db", "working set") not in _names(Intake.model_validate(data))
    component(data, "db")["data"].pop("working_set_gb")
    assert ("db", "working set") in _names(Intake.model_validate(data))


def test_business_defaults_are_listed() -> None:
    intake = make_intake(business={
        "operational_cost_per_month": 100, "development_cost": 1000, "training_cost": 0,
        "scenarios": [{"name": "x", "probability_pct": 100, "cost_savings_per_month": 500}]})
    names = _names(intake)
    assert {("business", "discount rate"), ("business", "business case horizon"),
            ("business", "business case currency")} <= names


def test_operations_left_out_are_questions_not_findings() -> None:
    intake = make_intake(operations={})
    facts = compute_facts(intake)
    assert not [f for f in facts.findings if f.rule_id in {"monitoring-missing", "no-cdn"}]
    questions = {a.settle_with for a in facts.assumptions if a.kind == "question"}
    assert {"operations.monitoring", "operations.alerting", "operations.static_assets"} <= \
        questions
    explicit = compute_facts(make_intake(operations={"monitoring": False, "alerting": True}))
    assert [f.rule_id for f in explicit.findings if f.rule_id == "monitoring-missing"]


def test_report_shows_the_ledger_and_the_summary_names_the_measurement() -> None:
    review = offline_review(load_intake(Path(EXAMPLES / "ecommerce-workshop.yaml")))
    text = render_markdown(review)
    assert "Defaults this review used" in text
    assert "working set = 20 % of 5 GB = 1.0 GB" in text
    assert "This rests on defaults" in text.split("## Architecture")[0]


def test_a_stated_value_is_not_assumed_even_at_the_schema_default() -> None:
    """`currency: USD` and `peak_factor: 1.0` given are the team's figures, not defaults."""
    left_out = _names(make_intake())
    assert {("intake", "report currency"), ("current", "peak-to-average ratio")} <= left_out
    data = intake_data(currency="USD")
    data["current"]["peak_factor"] = 1.0
    stated = _names(Intake.model_validate(data))
    assert ("intake", "report currency") not in stated
    assert ("current", "peak-to-average ratio") not in stated


def test_the_ledger_speaks_the_report_language() -> None:
    intake = load_intake(Path(EXAMPLES / "ecommerce-workshop.yaml"))
    english = compute_facts(intake, lang="en").assumptions
    german = compute_facts(intake, lang="de").assumptions
    assert [a.key for a in english] == [a.key for a in german]
    by_key = {a.key: a for a in german}
    assert by_key["working_set"].name == "Working Set"
    assert by_key["working_set"].value == "20 % von 5 GB = 1,0 GB"
    assert by_key["operations.backups"].source.startswith("Werden Datenspeicher")
    assert "Beruht auf Standardwerten" in render_markdown(
        offline_review(intake, lang="de"))


def test_a_finding_says_in_place_what_default_it_rests_on() -> None:
    intake = load_intake(Path(EXAMPLES / "ecommerce-workshop.yaml"))
    review = offline_review(intake)
    assert review.finding_rests_on, "the e-commerce findings rest on defaults"
    ids = {c.id for c in intake.components} | {"current"}
    for rests in review.finding_rests_on.values():
        assert all(a.kind == "default" and a.subject in ids for a in rests)
    # a blocker on api is due when the shared host's memory (postgres' working set) breaks
    blocker = next(f for f in review.findings if f.rule_id == "in-process-sessions")
    assert [a.key for a in review.finding_rests_on[blocker.id]] == ["working_set"]
    text = render_markdown(review)
    first_id = next(iter(review.finding_rests_on))
    block = text.split(f"### {first_id} ")[1].split("### ")[0]
    assert "Rests on defaults:" in block
    settle = review.finding_rests_on[first_id][0].settle_with
    assert f"`{settle}`" in block
    # measured: the working set given, it leaves the finding's line
    data = load_intake(Path(EXAMPLES / "ecommerce-workshop.yaml")).model_dump(
        mode="json", exclude_unset=True)
    for c in data["components"]:
        if c["kind"] == "db":
            c.setdefault("data", {})["working_set_gb"] = 1.0
    measured = compute_facts(Intake.model_validate(data))
    assert not [a for rests in measured.finding_rests_on.values() for a in rests
                if a.key == "working_set"]


_ENDPOINT = {"path": "/api/products", "requests_per_minute": 600, "avg_response_time_ms": 120,
             "data_freshness": "5 minutes"}


def test_the_caching_goal_is_the_intakes_when_given() -> None:
    assumed = compute_facts(make_intake(endpoints=[_ENDPOINT]))
    assert assumed.caching is not None and assumed.caching.goal_improvement_pct == 80
    assert "caching_goal" in {a.key for a in assumed.assumptions}
    data = intake_data(endpoints=[_ENDPOINT])
    data["targets"]["caching_improvement_pct"] = 30
    given = compute_facts(Intake.model_validate(data))
    assert given.caching is not None and given.caching.goal_improvement_pct == 30
    assert given.caching.goal_gap_pct == given.caching.improvement_pct - 30
    assert "caching_goal" not in {a.key for a in given.assumptions}


def test_the_response_size_prices_data_transfer_when_given() -> None:
    def egress(facts: object) -> float:
        costs = facts.costs.components  # type: ignore[attr-defined]
        return next(c for c in costs if c.component_id == "egress").horizons[-1].units

    assumed = compute_facts(make_intake())
    assert "transfer_size" in {a.key for a in assumed.assumptions}
    data = intake_data()
    data["current"]["avg_response_kb"] = 200
    given = compute_facts(Intake.model_validate(data))
    assert egress(given) == pytest.approx(egress(assumed) * 10, rel=1e-3)
    assert "transfer_size" not in {a.key for a in given.assumptions}
    formula = next(c for c in given.costs.components if c.component_id == "egress").formula
    assert "default response size" not in formula


def test_the_working_set_line_shows_the_volume_it_took_a_share_of() -> None:
    """A database's line names the volume it took its share of (1.6 GB once showed as "2 GB");
    a cache's memory is the data it holds, so no working-set default is listed for it."""
    data = intake_data()
    component(data, "db").setdefault("data", {})["data_volume_gb"] = 1.6
    facts = compute_facts(Intake.model_validate(data))
    line = next(a.value for a in facts.assumptions
                if a.key == "working_set" and a.subject == "db")
    assert line == "20 % of 1.6 GB = 0.3 GB"
    saas = compute_facts(load_intake(EXAMPLES / "saas-growth.yaml"))
    assert not [a for a in saas.assumptions if a.key == "working_set" and a.subject == "redis"]
    first = saas.capacity.first_break
    assert first is not None and (first.subject, first.resource) == ("redis", "memory")
    assert not [a for a in saas.first_break_rests_on if a.key == "working_set"]
