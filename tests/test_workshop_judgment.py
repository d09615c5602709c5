"""LLM judgment on a workshop check: grounded (claim numbers, item keys and figures must be the
check's own) or dropped with the reason. The provider is the scripted fake from tests/fakes.py.
"""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from assistant.workshop.check import check_answer
from assistant.workshop.judgment import STEP, WorkshopFeedback, judge
from tests.fakes import ScriptedProvider

DATA = Path(__file__).parent / "data" / "workshop"


def _result():  # noqa: ANN202 - a CheckResult
    return check_answer("ex1", DATA / "ex1-partial.md")


def test_a_grounded_answer_is_shown_on_top_of_the_computed_check() -> None:
    result = _result()
    missed = [m.key for m in result.missed]
    answer = WorkshopFeedback(overall="Good start: 3 of 5.",
                              claims=[{"claim": 1, "comment": "Right: memory runs out first."}],
                              misses=[{"item": missed[0], "comment": "The path reaches 99.45 %."}])
    provider = ScriptedProvider().enqueue(STEP, answer)
    judgment = judge(result, provider, Settings(max_repairs=0))
    assert judgment.source == "llm"
    assert "99.45 %" in judgment.text and "Good start" in judgment.text
    prompt = provider.calls(STEP)[0].messages[0]["content"]
    assert "We should rewrite the API in GraphQL." in prompt  # the claims, fenced
    assert "```" in prompt
    assert result.score == 0.6  # judgment never re-scores


def test_invented_figures_and_unknown_ids_are_repaired_then_dropped() -> None:
    result = _result()
    bad = WorkshopFeedback(overall="You would reach 99.99 % with two nodes.",
                           claims=[{"claim": 9, "comment": "?"}],
                           misses=[{"item": "F99", "comment": "?"}])
    provider = ScriptedProvider().enqueue(STEP, bad, bad)
    judgment = judge(result, provider, Settings(max_repairs=1))
    assert judgment.source == "fallback"
    assert len(provider.calls(STEP)) == 2
    repair = provider.calls(STEP)[1].messages[-1]["content"]
    assert "unknown claim number 9" in repair and "'F99'" in repair and "99.99" in repair
