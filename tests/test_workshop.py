"""The workshop: exercises load, reference solutions are computed, answers are scored.

The done-when case: a partial answer to exercise 1 (3 of the 5 bottlenecks, in the
participant's own words, one in German) scores 3 / 5 and names the two it missed with their
computed evidence. The answers under tests/data/workshop/ are fixtures written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assistant.cli.app import app
from assistant.workshop.answers import Claim, claims_from_text, read_answer
from assistant.workshop.check import check_answer, check_claims
from assistant.workshop.exercises import WorkshopError, get_exercise, list_exercises
from assistant.workshop.service import exercise_review, explain_exercise, show_exercise

DATA = Path(__file__).parent / "data" / "workshop"
runner = CliRunner()


def test_every_exercise_has_an_intake_and_a_computed_reference() -> None:
    ids = [e.id for e in list_exercises()]
    assert ids[:3] == ["ex1", "ex2", "ex3"]
    assert {"elearning", "gaming", "trading", "iot", "social"} <= set(ids)
    for exercise in list_exercises():
        assert exercise.intake_path().is_file(), exercise.id
        reference = explain_exercise(exercise.id)
        assert reference.expected, exercise.id
        if exercise.expect.count:
            assert len(reference.expected) <= exercise.expect.count


def test_reference_is_the_reviews_own_findings_in_order() -> None:
    exercise = get_exercise("ex1")
    review = exercise_review(exercise, "en")
    reference = explain_exercise("ex1")
    assert [i.key for i in reference.expected] == [f.id for f in review.findings[:5]]
    assert [i.rule_id for i in reference.expected] == [f.rule_id for f in review.findings[:5]]


def test_database_session_keeps_only_findings_on_the_database() -> None:
    reference = explain_exercise("ex3")
    review = exercise_review(get_exercise("ex3"), "en")
    kinds = {c.id: c.kind for c in review.intake.components}
    assert reference.expected
    for item in reference.expected:
        assert {kinds[c] for c in item.components} == {"db"}


def test_partial_answer_scores_three_of_five_and_names_the_two_missed() -> None:
    result = check_answer("ex1", DATA / "ex1-partial.md")
    reference = explain_exercise("ex1")
    expected = {i.rule_id: i.key for i in reference.expected}
    assert result.expected == 5
    assert len(result.found) == 3
    assert result.score == pytest.approx(0.6)
    found_rules = {f.item.rule_id for f in result.found}
    assert found_rules == {"capacity-threshold", "in-process-sessions", "local-file-storage"}
    missed = {m.rule_id: m for m in result.missed}
    assert set(missed) == {"availability-slo-unreachable", "db-on-app-host"}
    assert {m.key for m in result.missed} == {expected["availability-slo-unreachable"],
                                              expected["db-on-app-host"]}
    # the evidence is the review's own figures
    availability = exercise_review(get_exercise("ex1"), "en").capacity.availability
    assert any(f"{availability.path_availability_pct:.2f}" in line
               for line in missed["availability-slo-unreachable"].evidence)
    assert any("2.6" in line for line in missed["db-on-app-host"].evidence)
    # the German claim found the shared-host memory finding
    german = next(f for f in result.found if f.claim.number == 1)
    assert german.item.rule_id == "capacity-threshold"
    assert result.unsupported == [Claim(number=4, text="We should rewrite the API in GraphQL.")]


def test_full_yaml_answer_scores_five_of_five() -> None:
    result = check_answer("ex1", DATA / "ex1-full.yaml")
    assert (len(result.found), result.expected, result.score) == (5, 5, 1.0)
    assert not result.missed


def test_claims_are_each_counted_once() -> None:
    exercise = get_exercise("ex1")
    same = "Die Datenbank läuft auf demselben EC2-Server wie die API"
    claims = [Claim(number=1, text=same), Claim(number=2, text=same)]
    result = check_claims(exercise, claims, explain_exercise("ex1"))
    assert len(result.found) == 2  # the second copy finds the other shared-host finding
    once = check_claims(exercise, claims[:1], explain_exercise("ex1"))
    assert len(once.found) == 1


def test_a_claim_about_another_finding_is_supported_but_not_scored() -> None:
    claims = [Claim(number=1, text="There is no monitoring or alerting at all")]
    result = check_claims(get_exercise("ex1"), claims, explain_exercise("ex1"))
    assert result.found == []
    assert result.others[0].status == "other_finding"
    assert result.others[0].item_title == "Monitoring or alerting missing"


def test_caching_exercise_matches_endpoints_in_german() -> None:
    claims = [Claim(number=1, text="Produktliste: Redis und CDN, 5 Minuten TTL"),
              Claim(number=2, text="Empfehlungen pro Nutzer im Browser und in Redis cachen")]
    reference = explain_exercise("ex2", "de")
    result = check_claims(get_exercise("ex2"), claims, reference)
    assert {f.item.key for f in result.found} == {"GET /api/products",
                                                  "GET /api/users/:id/recommendations"}
    assert [m.key for m in result.missed] == ["GET /api/products/:id"]
    assert "ms" in result.missed[0].evidence[0]


def test_show_prints_the_seed_task_in_german() -> None:
    view = show_exercise("ex1", "de")
    assert "Identifiziere" in view.task and "Top 5 Bottlenecks" in view.task
    assert "Identify the top 5 bottlenecks" in show_exercise("ex1", "en").task


@pytest.mark.parametrize(("content", "name", "message"), [
    ("Just prose, no list.\n", "a.md", "no answer found"),
    ("answers: 5\n", "a.yaml", "expected a list"),
    ("answers:\n  - {text: x, colour: red}\n", "a.yaml", "unknown fields colour"),
    ("answers: [\n", "a.yaml", "malformed YAML"),
    ("wrong: []\n", "a.yaml", "expected one list under answers"),
])
def test_bad_answer_files_get_a_clear_error(tmp_path: Path, content: str, name: str,
                                            message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WorkshopError, match=message):
        read_answer(path)


def test_markdown_list_items_continue_on_indented_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("- first claim\n  goes on here\n* second\n\nprose\n", encoding="utf-8")
    assert [c.text for c in read_answer(path)] == ["first claim goes on here", "second"]


def test_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(WorkshopError, match="expected one of ex1, ex2"):
        get_exercise("ex9")


def test_cli_check_scores_and_explains_misses_in_german() -> None:
    result = runner.invoke(app, ["workshop", "check", "ex1", str(DATA / "ex1-partial.md"),
                                 "--lang", "de"])
    assert result.exit_code == 0, result.output
    assert "3 von 5 gefunden, Punktzahl 60 %" in result.output
    assert "Übersehen" in result.output
    assert "Verfügbarkeit des Anfragepfads: 99,45 %" in result.output
    assert "Datenbank teilt sich den Anwendungs-Host" in result.output
    assert "Kein LLM konfiguriert" in result.output


def test_cli_explain_prints_the_reference_solution() -> None:
    result = runner.invoke(app, ["workshop", "check", "ex1", "--explain"])
    assert result.exit_code == 0, result.output
    assert "Reference solution, computed by archreview" in result.output
    for item in explain_exercise("ex1").expected:
        assert item.title in result.output


def test_cli_list_show_and_errors() -> None:
    listed = runner.invoke(app, ["workshop", "list"])
    assert listed.exit_code == 0 and "ex1" in listed.output and "social" in listed.output
    shown = runner.invoke(app, ["workshop", "show", "ex2", "--lang", "de"])
    assert shown.exit_code == 0 and "Redis-Cluster mit 16 GB RAM" in shown.output
    missing = runner.invoke(app, ["workshop", "check", "ex1", "/nonexistent/answer.md"])
    assert missing.exit_code == 1 and "file not found" in missing.output
    assert "Traceback" not in missing.output


def _paraphrases() -> list[tuple[str, str]]:
    data = yaml.safe_load((DATA / "ex1-paraphrases.yaml").read_text(encoding="utf-8"))
    second = data.pop("second_set")
    return [(rule, text) for group in (data, second) for rule, texts in group.items()
            for text in texts]


@pytest.mark.parametrize(("rule", "text"), _paraphrases())
def test_paraphrases_find_their_finding_or_none(rule: str, text: str) -> None:
    result = check_claims(get_exercise("ex1"), [Claim(number=1, text=text)],
                          explain_exercise("ex1"))
    if rule == "unsupported":
        assert result.found == [] and result.others[0].status == "unsupported"
    else:
        assert [f.item.rule_id for f in result.found] == [rule]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_pasted_text_is_claims_or_a_clear_error(text: str) -> None:
    try:
        claims = claims_from_text(text)
    except WorkshopError as error:
        assert str(error).startswith("answer:")
        return
    result = check_claims(get_exercise("ex1"), claims, explain_exercise("ex1"))
    assert 0.0 <= result.score <= 1.0
    assert len(result.found) + len(result.missed) == result.expected
    assert len(result.found) + len(result.others) == len(claims)
