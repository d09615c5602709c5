"""The diff of two reviews: the e-commerce example against its scaled version, git revisions,
folders, the renderers and the CLI.

Done-when case: examples/ecommerce-workshop.yaml against examples/ecommerce-workshop-scaled.yaml
(load balancer, two API instances, managed PostgreSQL with a replica, Redis) shows the single
point of failure findings resolved and the new first break with its month.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.analysis.rules.finding import Finding
from assistant.assessment.model import Review
from assistant.cli.app import app
from assistant.comparison.diff import diff_reviews, match_findings
from assistant.comparison.render import render_diff, render_folder_diff
from assistant.comparison.service import diff_folders, diff_sources, offline_review
from assistant.comparison.sources import SourceError, is_revision
from assistant.i18n.messages import Language
from tests.conftest import EXAMPLES

OLD = EXAMPLES / "ecommerce-workshop.yaml"
NEW = EXAMPLES / "ecommerce-workshop-scaled.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def reviews() -> tuple[Review, Review]:
    return offline_review(OLD, "en"), offline_review(NEW, "en")


def test_scaled_ecommerce_resolves_the_spof_findings_and_names_the_new_first_break(
        reviews: tuple[Review, Review]) -> None:
    old, new = reviews
    diff = diff_reviews(old, new, old_source=str(OLD), new_source=str(NEW))
    resolved = {f.rule_id for f in diff.resolved}
    assert {"single-instance", "db-on-app-host", "in-process-sessions",
            "local-file-storage"} <= resolved
    assert diff.availability.old_spofs == ["ec2-main"]
    assert diff.availability.new_spofs == []
    # The SPOF is gone, but the path falls: the scaled side keeps its sessions in Redis
    # (`sessions: external`), so its single-AZ ElastiCache node (99.5 %, its published SLA) is
    # the session store, in series, whatever the database could take; S3 (99.9 %) too.
    outage = new.capacity.availability.cache_outages[0]
    assert (outage.cache, outage.role, outage.role_reason, outage.survives) == (
        "redis", "store", "sessions", False)
    in_series = [u for u in new.capacity.availability.units if u.in_series]
    assert [u.name for u in in_series] == ["web", "lb", "api", "postgres", "redis", "images"]
    product = 100.0
    for unit in in_series:
        product *= unit.availability_pct / 100
    assert diff.availability.new_path_pct == pytest.approx(product, abs=1e-4)
    assert diff.availability.new_path_pct == pytest.approx(99.289, abs=1e-3)
    assert diff.availability.old_path_pct == pytest.approx(99.45, abs=1e-3)
    assert diff.availability.new_path_pct < diff.availability.old_path_pct
    assert not diff.availability.new_meets_target
    first = new.capacity.first_break
    assert first is not None and diff.new_first_break is not None
    assert (diff.new_first_break.subject, diff.new_first_break.resource,
            diff.new_first_break.month) == (first.subject, first.resource, first.month)
    assert diff.old_first_break is not None and diff.old_first_break.subject == "ec2-main"
    markdown = render_diff(diff, "md")
    assert (f"- new: {first.subject} {first.resource} reaches {first.threshold_pct:g} % in "
            f"month {first.month:g}") in markdown
    assert "Single points of failure: ec2-main → none" in markdown


def test_every_delta_is_copied_from_the_reviews(reviews: tuple[Review, Review]) -> None:
    old, new = reviews
    diff = diff_reviews(old, new)
    api_cpu = next(r for r in diff.capacity if (r.subject, r.resource) == ("api", "cpu"))
    new_report = next(r for r in new.capacity.resources
                      if (r.subject, r.resource, r.ceiling) == ("api", "cpu", False))
    assert api_cpu.new_utilisation_pct == new_report.horizons[-1].utilisation_pct
    assert api_cpu.new_breaking_month == new_report.breaking_month
    target = next(c for c in diff.costs if c.horizon == "target")
    old_total = next(t.monthly for t in old.costs.totals if t.horizon == "target")
    new_total = next(t.monthly for t in new.costs.totals if t.horizon == "target")
    assert target.delta == pytest.approx(new_total - old_total)
    api = next(s for s in diff.sizing if s.component_id == "api")
    assert (api.old_current, api.new_current) == (1, 2)
    assert {r.subject for r in diff.capacity if r.status == "gone"} == {"ec2-main"}


def test_a_review_against_itself_has_no_changes(reviews: tuple[Review, Review]) -> None:
    old, _ = reviews
    diff = diff_reviews(old, old)
    assert (diff.resolved, diff.new, diff.changed, diff.capacity, diff.sizing) == (
        [], [], [], [], [])
    assert diff.unchanged == len(old.findings)


def _finding(rule: str, components: list[str], month: float | None = None,
             **params: str) -> Finding:
    return Finding(rule_id=rule, severity="high", components=components, patterns=[],
                   breaking_month=month, params=params)


def test_findings_match_by_rule_and_component_before_overlap() -> None:
    old = [_finding("single-instance", ["api"]), _finding("capacity-threshold", ["db"],
                                                          resource="cpu"),
           _finding("monitoring-missing", ["a", "b"])]
    new = [_finding("capacity-threshold", ["db"], resource="memory"),
           _finding("monitoring-missing", ["a", "b", "c"])]
    pairs = match_findings(old, new)
    assert [(a.rule_id, b.rule_id) for a, b in pairs] == [("capacity-threshold",
                                                          "capacity-threshold"),
                                                         ("monitoring-missing",
                                                          "monitoring-missing")]
    # single-instance has no partner: resolved


def test_git_revision_sides(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()

    def run(*args: str) -> None:
        subprocess.run([git, *args], cwd=repo, check=True, capture_output=True)

    run("init", "-q")
    run("config", "user.email", "test@example.invalid")
    run("config", "user.name", "test")
    shutil.copy(OLD, repo / "arch.yaml")
    run("add", "arch.yaml")
    run("commit", "-qm", "old")
    shutil.copy(NEW, repo / "arch.yaml")
    seen: list[str] = []

    def fake_review(path: Path, lang: Language) -> Review:  # labelled fake: records the input
        seen.append(path.read_text(encoding="utf-8").splitlines()[-1])
        return offline_review(path, lang)

    assert is_revision("HEAD:arch.yaml") and not is_revision(str(OLD))
    diff = diff_sources("HEAD:arch.yaml", str(repo / "arch.yaml"), cwd=repo,
                        review_fn=fake_review)
    assert diff.old_source == "HEAD:arch.yaml"
    assert diff.old_name == "Workshop e-commerce app"
    assert diff.new_name == "Workshop e-commerce app, scaled"
    assert seen[0] == OLD.read_text(encoding="utf-8").splitlines()[-1]
    with pytest.raises(SourceError, match="git cannot show it"):
        diff_sources("HEAD:missing.yaml", str(OLD), cwd=repo)
    with pytest.raises(SourceError, match="may not start with '-'"):
        diff_sources("--output=x:arch.yaml", str(OLD), cwd=repo)


def test_folders_are_diffed_file_by_file(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    shutil.copy(OLD, old_dir / "shop.yaml")
    shutil.copy(NEW, new_dir / "shop.yaml")
    shutil.copy(OLD, old_dir / "gone.yaml")
    shutil.copy(OLD, new_dir / "bad.yaml")
    shutil.copy(EXAMPLES / "broken-intake.yaml", old_dir / "bad.yaml")
    folders = diff_folders(old_dir, new_dir)
    assert list(folders.diffs) == ["shop.yaml"]
    assert folders.only_old == ["gone.yaml"]
    assert "bad.yaml" in folders.failed and "requests_per_second" in folders.failed["bad.yaml"]
    markdown = render_folder_diff(folders, "md")
    assert "Only in the old folder: gone.yaml" in markdown
    assert "## Diff: Workshop e-commerce app" in markdown
    assert json.loads(render_folder_diff(folders, "json"))["only_old"] == ["gone.yaml"]
    assert render_folder_diff(folders, "html").count("<h1>") == 2


def test_intake_text_is_escaped_in_every_format(reviews: tuple[Review, Review]) -> None:
    old, new = reviews
    hostile = new.model_copy(update={"name": "<script>alert(1)</script> | ![x](http://e)"})
    diff = diff_reviews(old, hostile)
    html = render_diff(diff, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = render_diff(diff, "md")
    assert "<script>" not in markdown and "![x](http" not in markdown
    assert json.loads(render_diff(diff, "json"))["new_name"] == hostile.name


def test_cli_writes_every_format_and_refuses_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", str(OLD), str(NEW), "--format", "md,json,html",
                                 "--out", str(tmp_path), "--lang", "de"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert data["language"] == "de" and data["new_first_break"]["resource"] == "memory"
    assert "Behoben" in (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert (tmp_path / "diff.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    several = runner.invoke(app, ["diff", str(OLD), str(NEW), "--format", "md,json"])
    assert several.exit_code == 2
    broken = runner.invoke(app, ["diff", str(OLD), str(EXAMPLES / "broken-intake.yaml")])
    assert broken.exit_code == 1 and "requests_per_second" in broken.output
    assert "Traceback" not in broken.output


@pytest.mark.slow
def test_batch_against_an_old_folder_writes_the_folder_diff(tmp_path: Path) -> None:
    old_dir, new_dir, out = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    old_dir.mkdir()
    new_dir.mkdir()
    shutil.copy(OLD, old_dir / "shop.yaml")
    shutil.copy(NEW, new_dir / "shop.yaml")
    result = runner.invoke(app, ["batch", str(new_dir), "--out", str(out), "--jobs", "1",
                                 "--against", str(old_dir)])
    assert result.exit_code == 0, result.output
    assert "compared 1 file(s)" in result.output
    markdown = (out / "diff.md").read_text(encoding="utf-8")
    assert "## Diff: Workshop e-commerce app" in markdown
    assert "shop.yaml" in json.loads((out / "diff.json").read_text(encoding="utf-8"))["diffs"]
    usage = runner.invoke(app, ["batch", str(new_dir / "shop.yaml"), "--out", str(out),
                                "--jobs", "1", "--against", str(old_dir)])
    assert usage.exit_code == 2
