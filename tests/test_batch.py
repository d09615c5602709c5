"""`archreview batch`: failures listed with file and field, resume, the summary, the gate.

The folder under review is the examples plus three files made here for the purpose: a broken
YAML file, an intake with an unknown field, and a workflow file that is not an intake.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.batch.manifest import read_manifest
from assistant.cli.app import app
from tests.conftest import EXAMPLES

runner = CliRunner()
GOOD = tuple(sorted(p.stem for p in EXAMPLES.glob("*.yaml") if p.stem != "broken-intake"))
WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"


def make_inputs(root: Path) -> Path:
    """The examples plus a broken file, a file with an unknown field and a non-intake."""
    inputs = root / "in"
    shutil.copytree(EXAMPLES, inputs)
    (inputs / "broken.yaml").write_text("name: x\ncomponents: [unclosed\n", encoding="utf-8")
    unknown = (EXAMPLES / "saas-growth.yaml").read_text(encoding="utf-8")
    (inputs / "team-b").mkdir()
    (inputs / "team-b" / "unknown-field.yaml").write_text(unknown + "colour: blue\n",
                                                          encoding="utf-8")
    (inputs / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    return inputs


def entries(out: Path) -> dict[str, dict[str, object]]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {Path(e["file"]).name: e for e in summary["entries"]}


def assert_complete(folder: Path) -> None:
    """A report set that resume may trust: a manifest, and every file it lists."""
    manifest = read_manifest(folder)
    assert manifest is not None, folder
    assert {"report.md", "report.json"} <= set(manifest["files"])
    for name in manifest["files"]:
        assert (folder / name).stat().st_size > 0, folder / name


@pytest.mark.slow
def test_batch_lists_failures_writes_the_rest_and_resumes(tmp_path: Path) -> None:
    inputs, out = make_inputs(tmp_path), tmp_path / "out"
    first = runner.invoke(app, ["batch", str(inputs), "--out", str(out), "--jobs", "2"])
    assert first.exit_code == 1, first.output
    # failures with file and field (and line)
    assert f"{inputs / 'team-b' / 'unknown-field.yaml'}:" in first.stderr
    assert "colour: unknown field 'colour'" in first.stderr
    assert f"{inputs / 'broken.yaml'}:3: (file): malformed YAML" in first.stderr
    assert "not an intake, skipped: " + str(inputs / "ci.yml") in first.stdout
    for name in GOOD:
        assert_complete(out / name)
    rows = entries(out)
    assert {rows[f"{n}.yaml"]["status"] for n in GOOD} == {"reviewed"}
    assert rows["ci.yml"]["status"] == "not_intake"
    assert {rows[n]["status"] for n in ("broken.yaml", "unknown-field.yaml",
                                        "broken-intake.yaml")} == {"failed"}
    assert any("colour" in p for p in rows["unknown-field.yaml"]["problems"])
    assert rows["ecommerce-workshop.yaml"]["first_break"]["subject"]
    assert rows["ecommerce-workshop.yaml"]["worst"]["severity"] == "critical"
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert f"{len(GOOD)} reviewed, 0 unchanged and skipped, 3 failed, 1 not an intake" in markdown
    assert "unknown field 'colour'" in markdown

    second = runner.invoke(app, ["batch", str(inputs), "--out", str(out), "--jobs", "1"])
    assert second.exit_code == 1, second.output
    assert f"skipped {len(GOOD)} unchanged file(s)" in second.stdout
    assert "reviewing 2 file(s)" in second.stdout  # the two invalid intakes are tried again
    rows = entries(out)
    assert {rows[f"{n}.yaml"]["status"] for n in GOOD} == {"skipped"}
    assert rows["saas-growth.yaml"]["worst"] is not None  # the row survives the skip

    (inputs / "saas-growth.yaml").write_text(
        (inputs / "saas-growth.yaml").read_text(encoding="utf-8") + "\n# edited\n",
        encoding="utf-8")
    third = runner.invoke(app, ["batch", str(inputs), "--out", str(out), "--jobs", "1"])
    assert f"skipped {len(GOOD) - 1} unchanged file(s)" in third.stdout
    assert entries(out)["saas-growth.yaml"]["status"] == "reviewed"


@pytest.mark.slow
def test_force_changed_settings_and_the_gate(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(EXAMPLES / "trading-platform.yaml", inputs)
    out = tmp_path / "out"
    args = ["batch", str(inputs), "--out", str(out), "--jobs", "1", "--format", "json"]
    assert runner.invoke(app, args).exit_code == 0
    gate = runner.invoke(app, [*args, "--fail-on", "high"])  # skipped, the row still counts
    assert gate.exit_code == 1 and "skipped 1 unchanged" in gate.stdout
    assert "--fail-on high: 1 file(s)" in gate.stderr
    assert runner.invoke(app, [*args, "--fail-on", "critical"]).exit_code == 0
    forced = runner.invoke(app, [*args, "--force"])
    assert "reviewing 1 file(s)" in forced.stdout and "skipped 1" not in forced.stdout
    german = runner.invoke(app, [*args, "--lang", "de"])  # other settings: review again
    assert "reviewing 1 file(s)" in german.stdout
    assert "Sammelprüfung" in (out / "summary.md").read_text(encoding="utf-8")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["batch", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, ["batch", str(empty), "--out", str(tmp_path / "out")])
    assert nothing.exit_code == 2 and "holds no .yaml, .yml or .json file" in nothing.stderr
    bad_jobs = runner.invoke(app, ["batch", str(empty), "--jobs", "0"])
    assert bad_jobs.exit_code == 2
