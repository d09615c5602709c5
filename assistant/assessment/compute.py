"""Run the offline review of one intake and hold its result: the `Review` every report renders.

The pipeline is deterministic: capacity model, rules, pattern cards, roadmap, business case,
score and monitoring plan. The clock is injected so reports are repeatable in tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.analysis.baseline_costs import monthly_costs
from assistant.analysis.configurations import three_configurations
from assistant.analysis.endpoint_caching import analyse_endpoints
from assistant.analysis.monitoring_plan import monitoring_plan
from assistant.analysis.rules import run_rules
from assistant.analysis.rules.finding import Finding
from assistant.analysis.scorecard import scorecard
from assistant.assessment.assumptions import (
    assumptions_ledger,
    finding_rests_on,
    rests_on_defaults,
)
from assistant.assessment.model import Facts, PatternRef, Provenance, Review
from assistant.assessment.offline_analyzer import offline_sections
from assistant.capacity.model import CapacityReport, analyse
from assistant.catalogue.model import (
    CATALOGUE_PATH,
    DEFAULTS_PATH,
    Defaults,
    defaults_for,
)
from assistant.intake.schema import Intake
from assistant.knowledge.cards import PatternCard, card_facts, knowledge_hash, load_cards
from assistant.planning.business_case import RoiResult, compute_roi
from assistant.planning.roadmap import Roadmap, build_roadmap
from assistant.version import __version__

Clock = Callable[[], datetime]


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def intake_hash(intake: Intake) -> str:
    """Hash the validated intake's canonical JSON, so format and comments do not matter."""
    canonical = json.dumps(intake.model_dump(mode="json"), sort_keys=True).encode()
    return sha256_of(canonical)


def offline_review(intake: Intake, *, source: str = "", lang: Literal["en", "de"] = "en",
                   clock: Clock | None = None, cards: Mapping[str, PatternCard] | None = None
                   ) -> Review:
    """Review one validated intake offline: computed facts plus the offline analyzer's sections.

    The workflow (`assistant.workflow.graph`) calls the same functions step by step and lets an
    LLM write the judgment sections; this direct path serves tests that need no graph.
    """
    facts = compute_facts(intake, source=source, lang=lang, clock=clock, cards=cards)
    return Review(**dict(facts), **offline_sections(facts))


def _business_case(intake: Intake, roadmap: Roadmap, defaults: Defaults) -> RoiResult | None:
    """Compute the ROI; an omitted infrastructure cost comes from the computed roadmap."""
    business = intake.business
    if business is None:
        return None
    infra = defaults.convert(roadmap.total_monthly_cost_delta, roadmap.currency, business.currency)
    if business.infrastructure_cost_per_month is not None:
        return compute_roi(business, computed_infrastructure=infra)
    roi = compute_roi(business.model_copy(
        update={"infrastructure_cost_per_month": round(max(infra, 0.0), 2)}))
    note = (f"infrastructure cost per month taken from the roadmap's computed cost delta: "
            f"{max(infra, 0.0):,.0f} {business.currency}")
    return roi.model_copy(update={"notes": [note, *roi.notes]})


def compute_facts(intake: Intake, *, source: str = "", lang: Literal["en", "de"] = "en",
                  clock: Clock | None = None, cards: Mapping[str, PatternCard] | None = None,
                  capacity: CapacityReport | None = None,
                  findings: list[Finding] | None = None,
                  related: dict[str, list[str]] | None = None) -> Facts:
    """Compute every figure of a review: capacity, findings, costs, roadmap, ROI, score."""
    defaults = defaults_for(intake)
    capacity = capacity or analyse(intake, defaults)
    findings = findings if findings is not None else run_rules(intake, capacity, defaults)
    cards = cards if cards is not None else {c.id: c for c in load_cards()}
    related = related or {}
    cited = sorted({p for f in findings for p in f.patterns}
                   | {p for ids in related.values() for p in ids})
    unknown = [p for p in cited if p not in cards]
    if unknown:
        raise KeyError(f"rules cite pattern cards that do not exist: {unknown}")
    costs = monthly_costs(intake, capacity, defaults)
    facts = {card_id: card_facts(card) for card_id, card in cards.items()}
    roadmap = build_roadmap(intake, findings, facts, defaults, capacity, costs.totals[0].monthly)
    # a follow-up task (what still broke after the phases) cites its card as well
    cited = sorted({*cited, *(t.pattern_id for phase in roadmap.phases for t in phase.tasks)})
    roi = _business_case(intake, roadmap, defaults)
    now = (clock or (lambda: datetime.now(UTC)))()
    ledger = assumptions_ledger(intake, defaults, costs, lang)
    first = capacity.first_break
    return Facts(
        assumptions=ledger,
        first_break_rests_on=rests_on_defaults(first, ledger) if first else [],
        finding_rests_on=finding_rests_on(findings, ledger, capacity),
        language=lang, name=intake.name, intake=intake, capacity=capacity, findings=findings,
        related=related,
        patterns=[PatternRef(id=p, title=cards[p].title, title_de=cards[p].title_de,
                             source_file=f"knowledge/{p}.md") for p in cited],
        costs=costs, configurations=three_configurations(intake, defaults, facts),
        caching=analyse_endpoints(intake) if intake.endpoints else None,
        roadmap=roadmap, roi=roi, scorecard=scorecard(intake, capacity, roadmap),
        monitoring=monitoring_plan(intake, defaults),
        provenance=Provenance(
            tool_version=__version__, generated_at=now.isoformat(timespec="seconds"),
            inputs_file=source, inputs_sha256=intake_hash(intake),
            defaults_sha256=sha256_of(Path(DEFAULTS_PATH).read_bytes()
                                      + Path(CATALOGUE_PATH).read_bytes()),
            knowledge_sha256=knowledge_hash(list(cards.values())),
        ),
    )
