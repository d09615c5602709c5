"""The offline roadmap: phases by breaking month, prerequisites first, capacity and budget flags."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.analysis.rules.finding import Finding
from assistant.catalogue.model import load_defaults
from assistant.planning.roadmap import build_roadmap
from tests.helpers import make_intake


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    title_de: str
    effort_weeks: tuple[float, float]
    monthly_cost: tuple[float, float, str]


def card(pattern: str, weeks: float = 2, cost: float = 100, currency: str = "USD") -> Card:
    return Card(pattern, pattern.title(), pattern.upper(), (weeks, weeks), (cost, cost, currency))


def finding(fid: str, pattern: str, severity: str = "medium", month: float | None = None,
            ) -> Finding:
    return Finding(id=fid, rule_id="r", severity=severity, components=["api"],
                   patterns=[pattern], breaking_month=month)


def test_phase_comes_before_the_breaking_month() -> None:
    findings = [finding("F1", "a", month=2.0), finding("F2", "b", month=5.0),
                finding("F3", "c", month=9.0), finding("F4", "d", severity="low")]
    cards = {p: card(p) for p in "abcd"}
    roadmap = build_roadmap(make_intake(), findings, cards, load_defaults())
    phase_of = {t.pattern_id: t.phase for p in roadmap.phases for t in p.tasks}
    assert phase_of == {"a": 1, "b": 1, "c": 2, "d": 4}


def test_findings_sharing_a_pattern_become_one_task() -> None:
    findings = [finding("F1", "a", month=2.0), finding("F2", "a", month=8.0)]
    roadmap = build_roadmap(make_intake(), findings, {"a": card("a")}, load_defaults())
    [task] = [t for p in roadmap.phases for t in p.tasks]
    assert task.resolves == ["F1", "F2"] and task.breaking_month == 2.0


def test_prerequisites_are_pulled_forward_and_ordered_first() -> None:
    findings = [finding("F1", "horizontal-autoscaling", severity="critical"),
                finding("F2", "stateless-sessions", severity="medium"),
                finding("F3", "load-balancing", severity="low")]
    cards = {f.patterns[0]: card(f.patterns[0]) for f in findings}
    roadmap = build_roadmap(make_intake(), findings, cards, load_defaults())
    first = roadmap.phases[0]
    assert [t.pattern_id for t in first.tasks] == [
        "stateless-sessions", "load-balancing", "horizontal-autoscaling"]


def test_over_capacity_and_over_budget_are_flagged() -> None:
    intake = make_intake(constraints={"team_size": 2, "budget_per_month": "1000 USD"},
                         current_monthly_cost="800 USD")
    findings = [finding(f"F{i}", f"p{i}", severity="critical") for i in range(4)]
    cards = {f"p{i}": card(f"p{i}", weeks=5, cost=100) for i in range(4)}
    roadmap = build_roadmap(intake, findings, cards, load_defaults())
    first = roadmap.phases[0]
    # 2 people * 50 % * 13 weeks = 13 person-weeks available, 20 needed
    assert (first.effort_weeks, first.capacity_weeks, first.over_capacity) == (20, 13, True)
    # 800 baseline + 4 * 100 = 1,200 > 1,000
    assert first.cumulative_monthly_cost == 1200 and first.over_budget
    assert roadmap.first_over_budget_phase == 1


def test_costs_are_converted_into_the_intake_currency() -> None:
    intake = make_intake(currency="EUR")
    roadmap = build_roadmap(intake, [finding("F1", "a", severity="critical")],
                            {"a": card("a", cost=108, currency="USD")}, load_defaults())
    # 108 USD at 1.08 USD per EUR = 100 EUR
    assert roadmap.phases[0].tasks[0].monthly_cost_delta == 100.0
    assert roadmap.currency == "EUR"
