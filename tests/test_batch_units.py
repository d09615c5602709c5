"""The parts of a batch: discovery, the manifest resume trusts, crashes, the summary's escaping."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import assistant
from assistant.batch.discovery import UsageError, discover, intake_keys
from assistant.batch.manifest import (
    MANIFEST_NAME,
    STAGING_PREFIX,
    finished_entry,
    input_sha256,
    publish,
    remove_leftovers,
    settings_sha256,
    staging_folder,
)
from assistant.batch.run import ERROR_LOG, plan_batch, run_batch
from assistant.batch.summary import Entry, Summary, render_summary_markdown
from assistant.i18n.messages import Messages
from assistant.settings import Settings
from tests.conftest import EXAMPLES

OFFLINE = Settings(provider="offline")


def test_intake_keys_are_the_required_ones_but_name() -> None:
    assert intake_keys() == {"architecture", "current", "targets", "constraints", "components"}


def test_discovery_sets_aside_non_intakes_and_skips_hidden_and_output(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: x\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "empty.yml").write_text("")
    (tmp_path / "looks.yaml").write_text("name: x\ncomponents: []\n")
    (tmp_path / "notes.txt").write_text("architecture: x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text("components: []\n")
    (tmp_path / "out" / "a").mkdir(parents=True)
    (tmp_path / "out" / "a" / "report.json").write_text('{"components": []}')
    found = discover([str(tmp_path)], exclude=tmp_path / "out")
    assert [p.name for p in found.intakes] == ["looks.yaml"]
    assert sorted(p.name for p, _ in found.not_intakes) == ["compose.yaml", "empty.yml",
                                                            "list.json"]
    assert "none of the intake's keys" in dict(found.not_intakes)[tmp_path / "compose.yaml"]


def test_discovery_expands_globs_and_refuses_what_names_nothing(tmp_path: Path) -> None:
    for name in ("ecommerce-workshop", "elearning-global", "saas-growth"):
        shutil.copy(EXAMPLES / f"{name}.yaml", tmp_path / f"{name}.yaml")
    found = discover([str(tmp_path / "e*.yaml"), str(tmp_path / "saas-growth.yaml"),
                      str(tmp_path / "ecommerce-workshop.yaml")])  # named twice: once
    assert [p.name for p in found.intakes] == [
        "ecommerce-workshop.yaml", "elearning-global.yaml", "saas-growth.yaml"]
    with pytest.raises(UsageError, match="no file matches it"):
        discover([str(tmp_path / "none" / "*.yaml")])


def _published(tmp_path: Path) -> tuple[Path, Path, str, str]:
    source = tmp_path / "a.yaml"
    shutil.copy(EXAMPLES / "saas-growth.yaml", source)
    folder = tmp_path / "out" / "a"
    staging = staging_folder(folder)
    (staging / "report.md").write_text("# report\n")
    (staging / "report.json").write_text("{}\n")
    input_hash, settings_hash = input_sha256(source), settings_sha256(OFFLINE, ("md", "json"))
    publish(staging, folder, input_hash, settings_hash,
            Entry(file=str(source), status="reviewed", report=str(folder)))
    return source, folder, input_hash, settings_hash


def test_a_published_set_is_trusted_until_input_settings_or_files_change(
        tmp_path: Path) -> None:
    source, folder, input_hash, settings_hash = _published(tmp_path)
    assert not any(p.name.startswith(STAGING_PREFIX) for p in folder.parent.iterdir())
    assert finished_entry(folder, input_hash, settings_hash) is not None
    assert finished_entry(folder, "0" * 64, settings_hash) is None
    german = settings_sha256(Settings(provider="offline", language="de"), ("md", "json"))
    assert finished_entry(folder, input_hash, german) is None
    assert settings_sha256(OFFLINE, ("md",)) != settings_hash
    (folder / "report.md").unlink()
    assert finished_entry(folder, input_hash, settings_hash) is None


def test_a_version_change_invalidates_the_set(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _source, folder, input_hash, settings_hash = _published(tmp_path)
    monkeypatch.setattr("assistant.batch.manifest.__version__", "99.0.0")
    assert finished_entry(folder, input_hash, settings_hash) is None


def test_a_corrupt_manifest_is_not_trusted(tmp_path: Path) -> None:
    _source, folder, input_hash, settings_hash = _published(tmp_path)
    (folder / MANIFEST_NAME).write_text("{not json")
    assert finished_entry(folder, input_hash, settings_hash) is None


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    staging = staging_folder(tmp_path / "a")
    (staging / "report.md").write_text("half")
    (tmp_path / "keep").mkdir()
    assert remove_leftovers(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]


def test_a_crash_in_one_file_is_reported_and_the_batch_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("crash.yaml", "fine.yaml"):
        shutil.copy(EXAMPLES / "trading-platform.yaml", inputs / name)
    real_review = assistant.review

    def review(source: Path, *args: object, **kwargs: object) -> object:
        if Path(source).name == "crash.yaml":
            raise RuntimeError("boom\nsecond line")
        return real_review(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assistant, "review", review)
    settings = Settings(provider="offline", internal_errors="fallback")
    out = tmp_path / "out"
    plan = plan_batch([str(inputs)], out, settings, ("json",))
    summary = run_batch(plan, out, settings, jobs=1)
    rows = {Path(e.file).name: e for e in summary.entries}
    assert rows["crash.yaml"].status == "failed"
    assert rows["crash.yaml"].detail == "internal error: RuntimeError: boom"
    assert rows["fine.yaml"].status == "reviewed"
    assert (out / "fine" / "report.json").is_file() and not (out / "crash").exists()
    log = (out / ERROR_LOG).read_text(encoding="utf-8")
    assert "Traceback" in log and "crash.yaml" in log and "RuntimeError: boom" in log
    assert summary.failed
    assert json.loads((out / "summary.json").read_text())["entries"][0]["status"] == "failed"


def test_summary_markdown_treats_names_and_problems_as_data() -> None:
    hostile = "x|<script>alert(1)</script>\n# h.yaml"
    summary = Summary(out_dir="out", entries=[
        Entry(file=hostile, status="failed", detail="invalid intake: 1 problem(s)",
              problems=[f"{hostile}:3: a|b: ![x](http://evil/x.png)"])])
    text = render_summary_markdown(summary, Messages("en"))
    assert "<script>" not in text and "![x](http" not in text
    assert "\n# h.yaml" not in text
    table_row = next(line for line in text.splitlines() if "script" in line)
    assert table_row.count(" | ") == 4  # the pipe in the name did not add a cell


@pytest.mark.slow
def test_a_sarif_batch_writes_one_merged_log_that_validates(tmp_path: Path) -> None:
    import jsonschema

    from tests.test_sarif import SCHEMA

    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("trading-platform.yaml", "saas-growth.yaml"):
        shutil.copy(EXAMPLES / name, inputs / name)
    out = tmp_path / "out"
    summary = run_batch(plan_batch([str(inputs)], out, OFFLINE, ("sarif",)), out, OFFLINE,
                        jobs=1)
    merged = json.loads((out / "summary.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(merged)
    run = merged["runs"][0]
    singles = [json.loads((Path(e.report or "") / "report.sarif").read_text())
               for e in summary.entries]
    assert len(run["results"]) == sum(len(s["runs"][0]["results"]) for s in singles)
    uris = {run["artifacts"][loc["physicalLocation"]["artifactLocation"]["index"]]["location"]
            ["uri"] == loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in run["results"] for loc in result["locations"]}
    assert uris == {True}  # every result's index points at its own file
    assert len(run["artifacts"]) == 2
