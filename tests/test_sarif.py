"""SARIF 2.1.0: valid against the published schema, one result per finding, on the right line.

The schema is the OASIS one, vendored in tests/data/ (source and licence in its README).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import assistant
from assistant.analysis.rules.registry import RULES
from assistant.assessment.model import Review
from assistant.cli.app import app
from assistant.report.sarif import LEVELS, render_sarif
from assistant.settings import Settings
from tests.conftest import EXAMPLES, FIXED_TIME, ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def ecommerce() -> Review:
    # A path relative to the checkout, as CI passes it, so the URI is relative too.
    relative = ECOMMERCE.relative_to(ROOT)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return assistant.review(relative, Settings(provider="offline"),
                                use_knowledge_base=False, clock=lambda: FIXED_TIME)


def _sarif(review: Review, cwd: Path = ROOT) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        data: dict[str, Any] = json.loads(render_sarif(review))
    return data


def test_ecommerce_sarif_validates_against_the_published_schema(ecommerce: Review) -> None:
    log = _sarif(ecommerce)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == len(ecommerce.findings) > 0


def test_german_sarif_validates_too(ecommerce: Review) -> None:
    log = _sarif(ecommerce.model_copy(update={"language": "de"}))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert "Muster, die es beheben" in json.dumps(log, ensure_ascii=False)


def test_an_invalid_log_fails_the_schema_check(ecommerce: Review) -> None:
    """The check can fail: a level SARIF does not know is refused."""
    log = _sarif(ecommerce)
    log["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_rule_metadata_comes_from_the_registry(ecommerce: Review) -> None:
    rules = _sarif(ecommerce)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for entry in rules:
        rule = RULES[entry["id"]]
        assert entry["defaultConfiguration"]["level"] == LEVELS[rule.severity]
        assert "{" not in entry["shortDescription"]["text"]  # no unfilled placeholders
        assert entry["helpUri"] == f"knowledge/{rule.patterns[0]}.md"
        assert (ROOT / entry["helpUri"]).is_file()
        for card in rule.patterns:
            assert f"knowledge/{card}.md" in entry["help"]["markdown"]


def test_levels_follow_severity(ecommerce: Review) -> None:
    results = _sarif(ecommerce)["runs"][0]["results"]
    expected = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    for finding, result in zip(ecommerce.findings, results, strict=True):
        assert result["ruleId"] == finding.rule_id
        assert result["level"] == expected[finding.severity]
    assert {r["level"] for r in results} >= {"error", "warning"}


def test_location_is_the_intake_file_and_the_line_of_the_component(ecommerce: Review) -> None:
    text = ECOMMERCE.read_text(encoding="utf-8").splitlines()
    line_of = {m.group(1): n for n, row in enumerate(text, start=1)
               if (m := re.match(r"\s*- id: ([\w-]+)", row))}
    results = _sarif(ecommerce)["runs"][0]["results"]
    checked = 0
    for finding, result in zip(ecommerce.findings, results, strict=True):
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "examples/ecommerce-workshop.yaml"
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        if finding.components and finding.components[0] in line_of:
            assert physical["region"]["startLine"] == line_of[finding.components[0]]
            checked += 1
    assert checked >= len(results) // 2


def test_an_absolute_path_outside_the_working_folder_is_a_file_uri(
        ecommerce: Review, tmp_path: Path) -> None:
    moved = ecommerce.model_copy(update={"provenance": ecommerce.provenance.model_copy(
        update={"inputs_file": str(ECOMMERCE)})})
    log = _sarif(moved, cwd=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ECOMMERCE.as_uri()
    assert "uriBaseId" not in location["artifactLocation"]
    assert location["region"]["startLine"] > 1


def test_the_cli_offers_every_format_the_writer_writes() -> None:
    from assistant.cli.review import FORMATS as CLI_FORMATS
    from assistant.report.writer import FORMATS, RENDERERS

    assert CLI_FORMATS == FORMATS and set(RENDERERS) == set(FORMATS)


@pytest.mark.slow
def test_review_writes_sarif_and_fail_on_critical_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path),
                                 "--format", "sarif", "--fail-on", "critical"])
    assert result.exit_code == 1, result.output
    assert "--fail-on critical: 1 file(s)" in result.stderr
    log = json.loads((tmp_path / "ecommerce-workshop" / "report.sarif").read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    again = runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path),
                                "--format", "sarif"])
    assert again.exit_code == 0, again.output


@pytest.mark.slow
def test_fail_on_passes_below_the_threshold(tmp_path: Path) -> None:
    """The trading platform's worst finding is high: critical passes, high fails."""
    trading = str(EXAMPLES / "trading-platform.yaml")
    args = ["review", trading, "--out", str(tmp_path), "--format", "json", "--fail-on"]
    assert runner.invoke(app, [*args, "critical"]).exit_code == 0
    assert runner.invoke(app, [*args, "high"]).exit_code == 1


def test_fail_on_refuses_an_unknown_severity(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path),
                                 "--fail-on", "low"])
    assert result.exit_code == 2
