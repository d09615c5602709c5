"""The eval runner: cases, evaluators, thresholds, and the LLM path replayed from a cassette.

The cassettes here are SYNTHETIC: recorded in a temporary folder against the local stub
server (`tests/stub_llm_server.py`), whose answers are the offline analyzer's sections for two
steps and schema-shaped placeholders for the rest. They exercise the runner's replay (nothing
missing, nothing unplayed, by name), not a model; the real-model cassettes are in
`evals/cassettes/` (see their labels).
"""

from __future__ import annotations

import json
import shutil
import socket
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from assistant.assessment.compute import compute_facts
from assistant.assessment.offline_analyzer import bottlenecks, roi_case
from assistant.cli.app import app
from assistant.intake.loading import load_intake
from assistant.settings import Settings
from evals import runner
from evals.llm_path import RECORD_SETTINGS, read_label, record_case, replay_case
from evals.metrics import cited_ids, grounding_counts
from tests.conftest import EXAMPLES, _guarded_connect, _isolate_settings
from tests.stub_llm_server import StubLLMServer, placeholder

EXAMPLE = EXAMPLES / "ecommerce-workshop.yaml"


@cache
def offline_answers() -> dict[str, str]:
    facts = compute_facts(load_intake(EXAMPLE))
    return {"bottlenecks": bottlenecks(facts).model_dump_json(),
            "roi": roi_case(facts).model_dump_json()}


def responder(_path: str, name: str, schema: dict[str, Any], _request: dict[str, Any]) -> str:
    """Grounded answers for two steps (the offline sections), placeholders for the others."""
    return offline_answers().get(name) or json.dumps(placeholder(schema, schema))


def write_case(folder: Path, name: str = "shop", **extra: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "kind": "seed", "intake": str(EXAMPLE), "source": "test",
            "expected": {"first_break": ["ec2-main", "api", "postgres"],
                         "remedies": ["database-separation"]}, **extra}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cassette of the example's whole LLM path, recorded against the stub."""
    folder = tmp_path_factory.mktemp("cassettes")
    with pytest.MonkeyPatch.context() as patch, StubLLMServer(responder=responder) as stub:
        # a module fixture runs before the per-test guard: the same guard and isolation here
        patch.setattr(socket.socket, "connect", _guarded_connect)
        patch.setenv("ARCHREVIEW_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
            patch.delenv(key, raising=False)
        _isolate_settings(patch)
        settings = Settings(**{**RECORD_SETTINGS, "base_url": stub.openai_base_url,
                               "step_timeout_s": 30.0, "review_timeout_s": 120.0})
        record_case("shop", EXAMPLE, settings, server="stub (synthetic)", directory=folder)
    return folder


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise RuntimeError(f"a replay must not open a socket: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_a_recorded_llm_path_replays_completely_without_a_socket(recorded: Path,
                                                                  no_sockets: None) -> None:
    label = read_label("shop", recorded)
    assert label is not None and label["interactions"] >= 6
    outcome = replay_case("shop", EXAMPLE, recorded)
    assert outcome is not None and outcome.replay_complete, (outcome.missing, outcome.unplayed)
    assert outcome.missing == [] and outcome.unplayed == [] and outcome.drift == []
    # the two grounded answers were accepted, the placeholders fell back with a cause
    assert "bottlenecks" not in outcome.fallen_back and "roi" not in outcome.fallen_back
    assert outcome.fallen_back and all(c not in ("", "None") for c in outcome.fallen_back.values())
    assert outcome.accepted_claims > 0 and outcome.accepted_grounded == outcome.accepted_claims
    assert outcome.schema_valid_first >= 2 and outcome.mode == "llm"
    assert outcome.model_dump(exclude={"missing", "unplayed", "drift"}) == label["outcome"]


def _drop_interaction(folder: Path, step: str) -> None:
    path = folder / "shop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keep = [i for i in data["interactions"]
            if (i["request"]["headers"].get("x-archreview-eval-step") or [""])[0] != step]
    assert len(keep) < len(data["interactions"])
    data["interactions"] = keep
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_a_request_missing_from_the_cassette_fails_the_case_by_name(recorded: Path,
                                                                    tmp_path: Path) -> None:
    shutil.copytree(recorded, tmp_path, dirs_exist_ok=True)
    _drop_interaction(tmp_path, "roadmap")
    outcome = replay_case("shop", EXAMPLE, tmp_path)
    assert outcome is not None and not outcome.replay_complete
    assert any("step roadmap" in m for m in outcome.missing)


def test_an_exchange_never_asked_fails_the_case_by_name(recorded: Path, tmp_path: Path) -> None:
    shutil.copytree(recorded, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "shop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    extra = json.loads(json.dumps(data["interactions"][-1]))
    extra["request"]["headers"]["x-archreview-eval-step"] = ["no-such-step"]
    data["interactions"].append(extra)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    outcome = replay_case("shop", EXAMPLE, tmp_path)
    assert outcome is not None and any("step no-such-step" in u for u in outcome.unplayed)


def test_the_runner_scores_cases_writes_results_and_exits_on_a_miss(recorded: Path,
                                                                     tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    write_case(cases, must_find=["db-on-app-host", "no-such-rule"],
               must_not_find=["no-cdn"], expected_remedy="database-separation")
    write_case(cases, name="plain")
    out = tmp_path / "results.json"
    code = runner.main(["--cases", str(cases), "--cassettes", str(recorded), "--out", str(out),
                        "--no-retrieval"])
    results = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["case"]: r for r in results["cases"]}
    assert rows["shop"]["cassette"] and rows["shop"]["replay_complete"] is True
    assert rows["plain"]["cassette"] is False  # no cassette under that name: offline only
    assert rows["shop"]["findings_recall"] == 0.5  # one of the two must-find rules exists
    assert "| shop |" in out.with_suffix(".md").read_text(encoding="utf-8")
    assert results["overall"]["cases_with_cassette"] == 1
    assert (code == 1) == bool(results["missed"])
    strict = tmp_path / "strict.yaml"
    strict.write_text("offline: {findings_recall: 0.9}\n", encoding="utf-8")
    assert runner.main(["--cases", str(cases), "--cassettes", str(recorded), "--out", str(out),
                        "--no-retrieval", "--config", str(strict)]) == 1
    assert "findings_recall 0.5 below 0.9" in json.loads(out.read_text())["missed"][0]


def test_old_case_files_still_load_and_new_keys_are_optional(tmp_path: Path) -> None:
    write_case(tmp_path / "c", name="old")
    write_case(tmp_path / "c", name="new", must_find=["a"], expected_remedy=["b", "c"])
    cases = {c.name: c for c in runner.load_cases(tmp_path / "c")}
    assert cases["old"].expected_output is not None
    assert cases["old"].expected_output.must_find == []
    assert cases["new"].expected_output is not None
    assert cases["new"].expected_output.expected_remedy == ["b", "c"]
    assert {c.name for c in runner.load_cases()} >= {"ecommerce-workshop", "discord-2015"}


def test_precision_counts_only_the_rules_a_case_judges() -> None:
    evaluator = runner.FindingsPrecisionRecall()

    class Ctx:
        output = runner.Outcome(first_break=[], first_tasks=[], rule_ids=["a", "b", "x"])
        expected_output = runner.Expected(first_break=[], remedies=[], must_find=["a", "c"],
                                          must_not_find=["b"])

    scores = evaluator.evaluate(Ctx())  # type: ignore[arg-type]
    assert scores == {"findings_recall": 0.5, "findings_precision": 0.5}


def test_grounding_counts_every_cited_id_wherever_it_sits() -> None:
    answer = {"bottlenecks": [{"component_ids": ["api", "ghost"], "finding_ids": ["F01"],
                               "pattern_ids": ["cdn"]}],
              "phases": [{"tasks": [{"pattern_id": "sharding", "component_ids": []}]}]}
    assert sorted(cited_ids(answer)) == [("components", "api"), ("components", "ghost"),
                                         ("findings", "F01"), ("patterns", "cdn"),
                                         ("patterns", "sharding")]
    known = {"components": {"api"}, "findings": {"F01"}, "patterns": {"cdn"}}
    assert grounding_counts([answer], known) == (5, 3)


def test_the_blind_query_set_is_its_own_file_of_at_least_30_queries_in_both_languages() -> None:
    from evals.run_retrieval import load_eval

    blind = load_eval(runner.RETRIEVAL_SETS["blind"])
    authors = load_eval(runner.RETRIEVAL_SETS["authors"])
    assert len(blind) >= 30 and {q.lang for q in blind} == {"en", "de"}
    assert not {q.query for q in blind} & {q.query for q in authors}


def test_archreview_eval_runs_the_runner(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    write_case(cases, name="plain")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["eval", "--cases", str(cases), "--offline",
                                      "--no-retrieval", "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "| plain |" in result.output and out.exists()


def test_archreview_eval_record_refuses_an_offline_provider() -> None:
    result = CliRunner().invoke(app, ["eval", "--record"])
    assert result.exit_code == 2
    assert "--record needs ARCHREVIEW_PROVIDER=openai or openai-compatible" in result.output


def test_a_case_count_below_the_minimum_with_cassettes_is_a_miss() -> None:
    figures = {"cases_with_cassette": 0, "errors": 0}
    assert runner.misses(figures, {"llm": {"min_cases_with_cassette": 2}}) == [
        "cases_with_cassette 0 below 2"]
