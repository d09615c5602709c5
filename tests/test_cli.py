"""The command line: validate and review, including a batch that goes on past a bad file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.app import app
from tests.conftest import EXAMPLES

runner = CliRunner()


def test_validate_good_file() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / "ecommerce-workshop.yaml")])
    assert result.exit_code == 0 and "valid" in result.stdout


def test_validate_broken_file_names_file_line_field_and_expectation() -> None:
    path = EXAMPLES / "broken-intake.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    expected = f"{path}:11: current.requests_per_second: Input should be greater than 0"
    assert expected in result.stderr
    assert "did you mean 'instances'?" in result.stderr


def test_review_writes_reports_and_labels_offline_mode(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(EXAMPLES / "ecommerce-workshop.yaml"),
                                 "--out", str(tmp_path), "--format", "md,json"])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "ecommerce-workshop" / "report.md").read_text(encoding="utf-8")
    assert "Offline analysis: computed capacity model, rules and knowledge base; no LLM was used" \
        in "\n".join(markdown.splitlines()[:4])
    data = json.loads((tmp_path / "ecommerce-workshop" / "report.json").read_text())
    assert data["mode"] == "offline" and data["schema_version"]


def test_batch_goes_on_past_a_bad_file_and_lists_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("broken-intake.yaml", "ecommerce-workshop.yaml"):
        shutil.copy(EXAMPLES / name, inputs / name)
    out = tmp_path / "out"
    result = runner.invoke(app, ["review", str(inputs / "broken-intake.yaml"),
                                 str(inputs / "ecommerce-workshop.yaml"), "--out", str(out)])
    assert result.exit_code == 1
    assert (out / "ecommerce-workshop" / "report.md").exists()
    assert not (out / "broken-intake").exists()
    assert "1 of 2 file(s) could not be reviewed" in result.stderr
    assert "broken-intake.yaml: 5 problem(s)" in result.stderr


def test_review_in_german(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(EXAMPLES / "ecommerce-workshop.yaml"),
                                 "--out", str(tmp_path), "--format", "md", "--lang", "de"])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "ecommerce-workshop" / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Architektur-Review")
    assert "Offline-Analyse" in markdown and "Was zuerst bricht" in markdown


def test_bad_options_are_refused(tmp_path: Path) -> None:
    path = str(EXAMPLES / "ecommerce-workshop.yaml")
    assert runner.invoke(app, ["review", path, "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["review", path, "--lang", "fr"]).exit_code == 2
