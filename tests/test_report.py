"""Reports: golden files for Markdown and JSON, the committed schema, escaping of intake text.

Golden files are regenerated with `UPDATE_GOLDEN=1 make test` after a deliberate change; the
diff is then reviewed like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.assessment.compute import offline_review
from assistant.assessment.model import SCHEMA_VERSION, Review
from assistant.i18n.messages import Messages
from assistant.intake.loading import load_intake
from assistant.report import render_json, render_markdown
from assistant.report.json_report import report_schema
from tests.conftest import EXAMPLES, FIXED_TIME, ROOT

GOLDEN = Path(__file__).parent / "golden"
SCHEMA_FILE = ROOT / "schema" / "report.schema.json"


def review_of(name: str, lang: str = "en") -> Review:
    path = EXAMPLES / f"{name}.yaml"
    return offline_review(load_intake(path), source=f"examples/{name}.yaml", lang=lang,  # type: ignore[arg-type]
                      clock=lambda: FIXED_TIME)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_markdown_golden(lang: str) -> None:
    markdown = render_markdown(review_of("ecommerce-workshop", lang))
    check_golden(f"ecommerce-workshop.{lang}.md", markdown)


def test_json_golden() -> None:
    check_golden("ecommerce-workshop.json", render_json(review_of("ecommerce-workshop")))


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(report_schema())), (
        "the report models changed: run `make schema`, bump SCHEMA_VERSION, commit both")
    assert SCHEMA_VERSION == "1.6"


def test_json_report_validates_against_the_committed_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for name in ("ecommerce-workshop",):
        jsonschema.validate(json.loads(render_json(review_of(name))), schema)


def test_same_input_same_report() -> None:
    first, second = review_of("ecommerce-workshop"), review_of("ecommerce-workshop")
    assert render_json(first) == render_json(second)


def test_intake_text_is_shown_as_text_not_markup(tmp_path: Path) -> None:
    source = (EXAMPLES / "ecommerce-workshop.yaml").read_text(encoding="utf-8")
    hostile = source.replace("name: Workshop e-commerce app",
                             "name: \"<script>alert(1)</script><img src=x onerror=alert(2)>\"")
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile, encoding="utf-8")
    markdown = render_markdown(offline_review(load_intake(path), clock=lambda: FIXED_TIME))
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in markdown


def test_report_shows_what_breaks_first_and_the_actions() -> None:
    markdown = render_markdown(review_of("ecommerce-workshop"))
    summary = markdown.split("## Capacity model")[0]
    assert "**What breaks first:** ec2-main (api, postgres)" in summary
    assert summary.count("(phase ") == 3
    assert "ec2-main" in summary and "Single points of failure" in summary


def test_summary_money_is_the_final_architecture_at_target_against_the_budget() -> None:
    """The headline cost is the one the roadmap's final architecture has at the target load."""
    review = review_of("ecommerce-workshop")
    line = next(x for x in render_markdown(review).splitlines() if x.startswith("- **Money:**"))
    roadmap, text = review.roadmap, Messages("en")
    assert text.money(roadmap.full_build_out_monthly_cost, roadmap.currency) in line
    assert review.costs.monthly_budget is not None
    gap = roadmap.full_build_out_monthly_cost - review.costs.monthly_budget
    assert gap > 0 and f"exceeds by {text.money(gap, roadmap.currency)}" in line


def test_sizing_table_names_the_size_each_count_is_on() -> None:
    markdown = render_markdown(review_of("ecommerce-workshop"))
    assert "| postgres | partitions | 1 | 1 | m5.24xlarge |" in markdown


def test_summary_says_what_still_breaks_after_the_roadmap_and_why_nothing_is_added() -> None:
    review = review_of("saas-growth")
    still = review.roadmap.still_open
    assert still is not None and still.month < review.intake.targets.target_month
    assert still.tried, "the roadmap names the patterns it tried"
    line = next(x for x in render_markdown(review).splitlines()
                if x.startswith("- **Still open after the roadmap:**"))
    what = still.subject if still.subject == still.resource else \
        f"{still.subject} {still.resource}"  # "storage storage" read like a typo
    assert f"has {what} reaching" in line and "No modelled pattern" in line
    assert all(tried in line for tried in still.tried)


def test_a_roadmap_that_leaves_nothing_breaking_says_nothing_is_open() -> None:
    review = review_of("ecommerce-workshop")
    assert review.roadmap.still_open is None
    assert "Still open after the roadmap" not in render_markdown(review)
