"""The CI gate as teams wire it: the pre-commit hooks and the example workflow run as written."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli.app import app
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
WORKFLOW = yaml.safe_load((ROOT / "docs" / "ci-workflow.yml").read_text(encoding="utf-8"))


def _hook(hook_id: str) -> dict[str, Any]:
    return next(h for h in HOOKS if h["id"] == hook_id)


def _run_hook(hook: dict[str, Any], args: list[str], files: list[Path]) -> Any:
    """Run a hook the way pre-commit does: entry, then args, then the file names."""
    command = shlex.split(hook["entry"])
    assert command[0] == "archreview"
    return runner.invoke(app, [*command[1:], *args, *map(str, files)])


def test_every_hook_is_an_archreview_command_on_intake_files() -> None:
    assert {h["id"] for h in HOOKS} == {"archreview-validate", "archreview-gate"}
    for hook in HOOKS:
        assert hook["language"] == "python" and set(hook["types_or"]) == {"yaml", "json"}


def test_validate_hook_passes_a_good_file_and_fails_a_broken_one() -> None:
    hook = _hook("archreview-validate")
    assert _run_hook(hook, [], [EXAMPLES / "ecommerce-workshop.yaml"]).exit_code == 0
    assert _run_hook(hook, [], [EXAMPLES / "broken-intake.yaml"]).exit_code == 1


@pytest.mark.slow
def test_gate_hook_fails_at_its_threshold(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    hook = _hook("archreview-gate")
    trading = tmp_path / "trading-platform.yaml"
    shutil.copy(EXAMPLES / "trading-platform.yaml", trading)
    (tmp_path / "compose.yaml").write_text("services: {}\n")  # not an intake: skipped
    failed = _run_hook(hook, hook["args"], [trading, tmp_path / "compose.yaml"])
    assert failed.exit_code == 1 and "--fail-on high" in failed.stderr
    assert _run_hook(hook, ["critical"], [trading]).exit_code == 0


@pytest.mark.slow
def test_the_example_workflow_runs_the_batch_and_writes_the_sarif_it_uploads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = WORKFLOW["jobs"]["review"]["steps"]
    batch = next(s for s in steps if "archreview batch" in s.get("run", ""))
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    architecture = tmp_path / WORKFLOW["env"]["ARCHITECTURE_DIR"]
    architecture.mkdir()
    shutil.copy(EXAMPLES / "ecommerce-workshop.yaml", architecture)
    monkeypatch.chdir(tmp_path)
    command = shlex.split(batch["run"].replace('"$ARCHITECTURE_DIR"', architecture.name))
    result = runner.invoke(app, command[1:])
    assert result.exit_code == 1, result.output  # the e-commerce example has critical findings
    assert "--fail-on critical" in result.stderr
    sarif = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "architecture/ecommerce-workshop.yaml"
