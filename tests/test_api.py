"""The public API: `from assistant import review` reviews a file or an `Intake`; options default
from the environment; the CLI prints its version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant
from assistant import review
from assistant.assessment.compute import offline_review
from assistant.cli.app import app
from assistant.intake.loading import IntakeError, load_intake
from tests.conftest import EXAMPLES, FIXED_TIME, ROOT

ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"


def _dump(result: assistant.Review) -> dict[str, object]:
    return json.loads(result.model_dump_json(exclude={"provenance": {"inputs_file"}}))


def test_review_of_a_file_is_the_offline_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHREVIEW_PROVIDER", raising=False)
    result = review(ECOMMERCE, clock=lambda: FIXED_TIME, use_knowledge_base=False)
    direct = offline_review(load_intake(ECOMMERCE), source=str(ECOMMERCE),
                            clock=lambda: FIXED_TIME)
    assert isinstance(result, assistant.Review)
    assert result.mode == "offline" and result.provenance.inputs_file == str(ECOMMERCE)
    assert _dump(result) == _dump(direct)


def test_review_of_an_intake_equals_the_review_of_its_file() -> None:
    intake = load_intake(ECOMMERCE)
    from_file = review(ECOMMERCE, assistant.Settings.from_env(), clock=lambda: FIXED_TIME,
                       use_knowledge_base=False)
    from_data = review(intake, assistant.Settings.from_env(), clock=lambda: FIXED_TIME,
                       use_knowledge_base=False, source_name="form")
    assert from_data.provenance.inputs_file == "form"
    assert _dump(from_data) == _dump(from_file)


def test_an_intake_given_as_data_gets_the_cross_field_checks() -> None:
    intake = load_intake(ECOMMERCE)
    broken = intake.model_copy(update={"components": [
        intake.components[0].model_copy(update={"depends_on": ["nowhere"]}),
        *intake.components[1:]]})
    with pytest.raises(IntakeError) as error:
        review(broken, use_knowledge_base=False, source_name="form")
    assert any("nowhere" in str(p) for p in error.value.problems)


def test_review_writes_the_reports_it_is_asked_for(tmp_path: Path) -> None:
    review(ECOMMERCE, out_dir=tmp_path, formats=("json",), use_knowledge_base=False)
    assert json.loads((tmp_path / "report.json").read_text())["name"]
    assert not (tmp_path / "report.md").exists()


def test_the_language_defaults_from_the_environment(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_LANG", "de")
    result = CliRunner().invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "ecommerce-workshop" / "report.json").read_text())
    assert data["language"] == "de"
    english = CliRunner().invoke(app, ["review", str(ECOMMERCE), "--out", str(tmp_path),
                                       "--format", "json", "--lang", "en"])
    assert english.exit_code == 0
    data = json.loads((tmp_path / "ecommerce-workshop" / "report.json").read_text())
    assert data["language"] == "en"


def test_version_is_printed() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"archreview {assistant.__version__}"


def test_importing_the_package_loads_no_workflow_or_index() -> None:
    code = ("import sys, assistant; from assistant import review; "
            "heavy = [m for m in ('langgraph', 'chromadb', 'matplotlib', 'openai', 'anthropic') "
            "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
