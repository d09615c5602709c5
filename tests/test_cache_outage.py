"""A cache-aside cache is no failure unit of the request path if the database takes its reads.

The condition is computed once (`capacity.cache_outage`) at the target load on the database the
sizing provisions for the target; availability leaves the cache out of the series product only
when it holds, and both reports render the same figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from assistant.assessment.compute import offline_review
from assistant.capacity.model import analyse
from assistant.catalogue.model import defaults_for
from assistant.intake.loading import load_intake
from assistant.intake.problems import IntakeError
from assistant.intake.schema import Intake
from assistant.report.html import render_html
from assistant.report.markdown import render_markdown
from tests.helpers import component, intake_data


def _intake(db: dict[str, Any] | None = None, cache: dict[str, Any] | None = None) -> Intake:
    data = intake_data()
    component(data, "db").update(db or {})
    component(data, "cache").update(cache or {})
    return Intake.model_validate(data)


def _path_without(intake: Intake, excluded: str) -> float:
    report = analyse(intake, defaults_for(intake)).availability
    product = 100.0
    for unit in report.units:
        if unit.name != excluded:
            product *= unit.availability_pct / 100
    return product


def test_a_cache_the_database_can_do_without_is_out_of_series() -> None:
    intake = _intake()
    report = analyse(intake, defaults_for(intake))
    outage = report.availability.cache_outages[0]
    assert (outage.cache, outage.database, outage.role, outage.role_assumed) == \
        ("cache", "db", "cache_aside", True)
    inputs = outage.inputs
    # the primary's load with no cache hits, on the nodes the sizing provisions at target
    qps, ratio = float(inputs["qps_at_target"]), float(inputs["read_ratio"])
    assert qps == pytest.approx(1000 * 3)  # 1,000 rps at target x 3 queries per request
    primary = (qps * ratio / (1 + int(inputs["replicas"])) + qps * (1 - ratio) * 2) \
        / int(inputs["partitions"])
    assert outage.uncached_utilisation_pct == pytest.approx(
        100 * primary / float(inputs["node_qps"]), abs=0.05)
    assert outage.survives and outage.uncached_utilisation_pct <= 70
    unit = next(u for u in report.availability.units if u.name == "cache")
    assert not unit.in_series and not unit.spof
    assert report.availability.path_availability_pct == pytest.approx(
        _path_without(intake, "cache"), abs=1e-4)


def test_a_database_that_cannot_take_the_reads_keeps_the_cache_in_series() -> None:
    # custom hardware: the sizing cannot move it up; 3,600 uncached qps on 5,000 is 72 % > 70 %
    intake = _intake(db={"capacity": {"per_instance": 5000}})
    report = analyse(intake, defaults_for(intake))
    outage = report.availability.cache_outages[0]
    assert outage.uncached_utilisation_pct == pytest.approx(72.0)
    assert not outage.survives
    unit = next(u for u in report.availability.units if u.name == "cache")
    assert unit.in_series
    with_cache = _path_without(intake, "nothing")
    assert report.availability.path_availability_pct == pytest.approx(with_cache, abs=1e-4)
    review = offline_review(intake)
    markdown = render_markdown(review)
    assert ("cache stays in series: requests survive a cache outage only if the database can "
            "take the uncached read load; at target db would be at 72.0 % of capacity") in markdown
    german = render_markdown(offline_review(intake, lang="de"))
    assert "cache bleibt in Serie" in german and "72,0 %" in german


def test_a_cache_that_is_the_only_copy_stays_in_series() -> None:
    intake = _intake(cache={"cache_role": "store"})
    report = analyse(intake, defaults_for(intake))
    outage = report.availability.cache_outages[0]
    assert outage.role == "store" and not outage.role_assumed and not outage.survives
    assert next(u for u in report.availability.units if u.name == "cache").in_series
    cache_aside = analyse(_intake(cache={"cache_role": "cache_aside"}),
                          defaults_for(intake)).availability
    assert cache_aside.path_availability_pct > report.availability.path_availability_pct


def test_the_figure_has_one_home_in_both_reports() -> None:
    review = offline_review(_intake())
    outage = review.capacity.availability.cache_outages[0]
    shown = f"{outage.uncached_utilisation_pct:.1f} % of capacity"
    assert shown in render_markdown(review) and shown in render_html(review)
    ledger = [a for a in review.assumptions if a.key == "cache_role"]
    assert [a.settle_with for a in ledger] == ["components[2].cache_role"]
    given = offline_review(_intake(cache={"cache_role": "cache_aside"}))
    assert not [a for a in given.assumptions if a.key == "cache_role"]


def test_cache_role_on_another_kind_is_refused_with_the_field(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cache_role is for components of kind cache"):
        _intake(db={"cache_role": "store"})
    path = tmp_path / "intake.yaml"
    path.write_text(Path("examples/ecommerce-workshop-scaled.yaml").read_text().replace(
        "    kind: db\n", "    kind: db\n    cache_role: store\n"))
    with pytest.raises(IntakeError) as error:
        load_intake(path)
    assert "cache_role" in str(error.value) and "intake.yaml" in str(error.value)


def test_sessions_kept_outside_the_process_make_the_cache_a_store() -> None:
    data = intake_data()
    app = next(c for c in data["components"] if c["kind"] == "app")
    app["sessions"] = "external"
    intake = Intake.model_validate(data)
    outage = analyse(intake, defaults_for(intake)).availability.cache_outages[0]
    # the database could take the reads, but the sessions have no other copy
    assert (outage.role, outage.role_assumed, outage.role_reason, outage.survives) == \
        ("store", True, "sessions", False)
    cache_aside = _intake()
    assert analyse(intake, defaults_for(intake)).availability.path_availability_pct < \
        analyse(cache_aside, defaults_for(cache_aside)).availability.path_availability_pct
    review = offline_review(intake)
    assert "keeps its sessions outside the process" in render_markdown(review)
    ledger = [a for a in review.assumptions if a.key == "cache_role"]
    assert len(ledger) == 1 and ledger[0].value.startswith("store: ")
    # stated, the team's word wins and nothing is assumed
    data["components"][[c["kind"] for c in data["components"]].index("cache")]["cache_role"] = \
        "cache_aside"
    stated = Intake.model_validate(data)
    outage = analyse(stated, defaults_for(stated)).availability.cache_outages[0]
    assert (outage.role, outage.role_assumed, outage.survives) == ("cache_aside", False, True)
