"""Importing Google's microservices demo (Online Boutique) Kubernetes manifests, unchanged.

What the draft must contain is read off the manifests by hand (tests/fixtures/imports/README.md
names the commit): eleven workloads besides the load generator, none with `replicas` set, one
LoadBalancer Service in front of the frontend, dependencies from the `*_ADDR` variables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import assistant
from assistant.cli.app import app
from assistant.intake.loading import load_intake
from assistant.settings import Settings
from tests.import_helpers import (
    FIXTURES,
    SYSTEM_ANSWERS,
    answer,
    components,
    imported,
    question_fields,
    write,
)

APPS = {"adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice",
        "paymentservice", "productcatalogservice", "recommendationservice", "shippingservice"}
DEPENDENCIES = {
    "frontend": ["adservice", "cartservice", "checkoutservice", "currencyservice",
                 "productcatalogservice", "recommendationservice", "shippingservice"],
    "checkoutservice": ["cartservice", "currencyservice", "emailservice", "paymentservice",
                        "productcatalogservice", "shippingservice"],
    "recommendationservice": ["productcatalogservice"],
    "cartservice": ["redis-cart"],
    "frontend-external": ["frontend"],
}
SYSTEM_QUESTIONS = set(SYSTEM_ANSWERS)
runner = CliRunner()


@pytest.fixture(scope="module")
def folder() -> dict:
    return imported("microservices-demo")[1]


def test_components_and_kinds_match_the_manifests(folder: dict) -> None:
    found = components(folder)
    assert set(found) == APPS | {"frontend", "redis-cart", "frontend-external"}
    assert {cid for cid, c in found.items() if c["kind"] == "app"} == APPS
    assert found["frontend"]["kind"] == "web"
    assert found["redis-cart"]["kind"] == "cache" and found["redis-cart"]["technology"] == "Redis"
    assert found["frontend-external"]["kind"] == "lb" and found["frontend-external"]["managed"]


def test_replicas_are_the_manifests_default_of_one(folder: dict) -> None:
    manifests = "".join(p.read_text() for p in (FIXTURES / "microservices-demo").glob("*.yaml")
                        if p.name != "loadgenerator.yaml")  # skipped, see below
    assert "replicas:" not in manifests  # so every Deployment runs Kubernetes' default, 1
    assert {c["instances"] for c in folder["components"]} == {1}


def test_dependencies_come_from_the_addr_variables(folder: dict) -> None:
    found = components(folder)
    assert {cid: c["depends_on"] for cid, c in found.items() if "depends_on" in c} == DEPENDENCIES
    # The frontend names a service the manifests do not define: kept as a note, not dropped.
    assert "shoppingassistantservice" in found["frontend"]["notes"]


def test_limits_become_capacity_and_the_nearest_size_is_said_to_be_assumed() -> None:
    draft, data = imported("microservices-demo")
    cart = components(data)["cartservice"]  # limits: cpu 300m, memory 128Mi
    assert cart["capacity"] == {"vcpu": 0.3, "memory_gb": 0.125}
    assert cart["size"] == "t3.micro"
    assert any("size t3.micro: assumption" in c for c in draft.comments["cartservice"])
    assert components(data)["redis-cart"]["size"].startswith("cache.")


def test_every_component_names_the_file_and_line_it_came_from(folder: dict) -> None:
    for component in folder["components"]:
        origin = component["notes"].split(";")[0].removeprefix("imported from ")
        file, line = origin.rsplit(":", 1)
        lines = Path(file).read_text().splitlines()[int(line) - 1:]
        assert lines[0].startswith("apiVersion:"), component["id"]
        assert f"  name: {component['id']}" in lines[:5], component["id"]


def test_what_was_not_imported_is_listed_with_why() -> None:
    draft, _ = imported("microservices-demo")
    reasons = {s.name: s.reason for s in draft.skipped}
    assert reasons["Deployment loadgenerator"].startswith("a load generator")
    assert len([n for n in reasons if n.startswith("ServiceAccount")]) == 11
    assert "Kustomization" in reasons
    assert "Deployment loadgenerator (" in draft.text()


def test_questions_are_exactly_what_manifests_cannot_say(folder: dict) -> None:
    assert question_fields(folder) == SYSTEM_QUESTIONS


def test_the_release_bundle_is_the_same_system(folder: dict) -> None:
    _, bundle = imported("microservices-demo-release")
    assert {c["id"]: c.get("depends_on") for c in bundle["components"]} == {
        c["id"]: c.get("depends_on") for c in folder["components"]}
    assert {c["id"]: c["kind"] for c in bundle["components"]} == {
        c["id"]: c["kind"] for c in folder["components"]}
    assert question_fields(bundle) == SYSTEM_QUESTIONS


def test_answered_draft_is_a_valid_intake_and_reviews(tmp_path: Path, folder: dict) -> None:
    path = write(tmp_path / "boutique.yaml", answer(folder, SYSTEM_ANSWERS))
    intake = load_intake(path)
    assert intake.current.active_users == 2000 and intake.constraints.team_size == 6
    assert intake.draft_assumed == []
    result = assistant.review(path, Settings.from_env(internal_errors="raise"),
                              use_knowledge_base=False)
    assert {c.id for c in result.intake.components} == set(components(folder))
    assert not [a for a in result.assumptions if "import draft" in a.source]


def test_validate_lists_the_open_questions_and_review_refuses(tmp_path: Path) -> None:
    draft_path = tmp_path / "draft.yaml"
    made = runner.invoke(app, ["import", str(FIXTURES / "microservices-demo"), "--out",
                               str(draft_path)])
    assert made.exit_code == 0, made.output
    assert "12 component(s), 7 open question(s)" in made.stdout
    checked = runner.invoke(app, ["validate", str(draft_path)])
    assert checked.exit_code == 1
    asked = [line for line in checked.stderr.splitlines() if "open question" in line]
    assert len(asked) == 7
    text = draft_path.read_text().splitlines()
    line = next(i for i, row in enumerate(text, 1) if row.strip() == "active_users:")
    assert f"{draft_path}:{line}: current.active_users: open question" in checked.stderr
    refused = runner.invoke(app, ["review", str(draft_path), "--out", str(tmp_path / "out")])
    assert refused.exit_code == 1
    assert "open question (import draft)" in refused.stderr


@pytest.mark.slow
def test_allow_draft_reviews_and_lists_every_placeholder(tmp_path: Path) -> None:
    draft_path = tmp_path / "draft.yaml"
    runner.invoke(app, ["import", str(FIXTURES / "microservices-demo"), "--out", str(draft_path)])
    result = runner.invoke(app, ["review", str(draft_path), "--out", str(tmp_path / "out"),
                                 "--format", "json", "--allow-draft"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "draft" / "report.json").read_text())
    placeholders = {a["settle_with"]: a["value"] for a in report["assumptions"]
                    if "import draft" in a["source"]}
    questions = yaml.safe_load(draft_path.read_text())
    assert set(placeholders) == question_fields(questions)
    assert placeholders["current.active_users"] == "500"
    assert report["intake"]["current"]["active_users"] == 500
