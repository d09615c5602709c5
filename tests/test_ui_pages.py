"""The Streamlit app's Compare and Workshop pages through Streamlit's AppTest (no browser).

Compare: the e-commerce pair (as shipped in examples/) shows the single-point-of-failure
findings resolved and the new first break, and its diff is the one `archreview diff` computes;
the form's intake can be one side. Workshop: exercise 1 with the 3-of-5 fixture answer
(tests/data/workshop/ex1-partial.md, a participant's answer written for the tests) scores 3 of
5 and names the two missed with their evidence, in English and German.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from assistant.comparison.service import diff_sources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
OLD, NEW = "examples/ecommerce-workshop.yaml", "examples/ecommerce-workshop-scaled.yaml"
PARTIAL = (ROOT / "tests" / "data" / "workshop" / "ex1-partial.md").read_text(encoding="utf-8")
TIMEOUT_S = 240

pytestmark = pytest.mark.slow


def _page(name: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    if lang != "en":
        at.sidebar.radio(key="lang").set_value(lang).run()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> Any:
    return next(m for m in at.metric if m.label == label)


def _frame_after(at: AppTest, heading: str) -> Any:
    """The dataframe shown under the (bold or sub-) heading that starts with `heading`."""
    blocks = list(at.main)
    for index, element in enumerate(blocks):
        if type(element).__name__ in ("Markdown", "Subheader") \
                and str(element.value).replace("\\", "").lstrip("*").startswith(heading):
            return next(e for e in blocks[index + 1:] if type(e).__name__ == "Dataframe").value
    raise KeyError(heading)


def _compare(at: AppTest) -> AppTest:
    at.button(key="compare_run").click().run()
    assert not at.exception, at.exception
    return at


def test_compare_the_ecommerce_pair_resolves_the_spofs_and_moves_the_first_break() -> None:
    at = _compare(_page("compare"))
    resolved = _frame_after(at, "Resolved")
    assert {"single-instance", "db-on-app-host", "in-process-sessions",
            "local-file-storage"} <= set(resolved["Rule"])
    assert "api, postgres" in set(resolved["Components"])
    assert any(t.value == "Single points of failure: ec2-main → none" for t in at.text)
    old, new = _metric(at, "First break (old)"), _metric(at, "First break (new)")
    assert (old.value, new.value) == ("month 2.6", "month 2.6")
    captions = [c.value for c in at.caption]
    assert "old\\: ec2\\-main memory reaches 80 % in month 2\\.6 \\(\\~1,576 users\\)" in captions
    assert "new\\: postgres memory reaches 80 % in month 2\\.6 \\(\\~1,576 users\\)" in captions
    new_findings = _frame_after(at, "New (")
    assert "redis: memory crosses 80 % in month 5.3" in set(new_findings["Finding"])
    capacity = _frame_after(at, "Capacity")
    rows = {(r["Subject"], r["Resource"]): r for _, r in capacity.iterrows()}
    assert rows[("api", "cpu")]["Breaking month"] == "5.1 → 6.9"
    assert (rows[("ec2-main", "cpu")]["Status"], rows[("ec2-main", "cpu")]["Breaking month"]) \
        == ("gone", "3.7 → -")
    # the page's diff is the one `archreview diff OLD NEW` computes, figure for figure
    shown = at.session_state["compare_diff"]
    assert shown == diff_sources(OLD, NEW, "en", cwd=ROOT)
    target = next(c for c in shown.costs if c.horizon == "target")
    assert _metric(at, "Monthly cost (target)").value == f"{round(target.new_monthly):,}"


def test_compare_in_german_and_stale_after_a_new_choice() -> None:
    at = _compare(_page("compare", "de"))
    assert at.session_state["compare_diff"].language == "de"
    assert _metric(at, "Erster Engpass (neu)").value == "Monat 2,6"
    assert "db-on-app-host" in set(_frame_after(at, "Behoben")["Regel"])
    at.selectbox(key="compare_new_example").set_value(ROOT / OLD).run()
    assert any("erneut" in info.value for info in at.info)


def test_compare_the_form_against_an_example_and_an_empty_form_says_so() -> None:
    at = _page("compare")
    at.radio(key="compare_old_source").set_value("form").run()
    assert any("no intake yet" in e.value for e in at.error)
    assert at.button(key="compare_run").disabled
    at.switch_page("views/review.py").run()
    choice = at.selectbox(key="example_choice")
    choice.select_index(list(choice.options).index("ecommerce-workshop.yaml")).run()
    at.button(key="load_example").click().run()
    at.switch_page("views/compare.py").run()
    at.radio(key="compare_old_source").set_value("form").run()
    _compare(at)
    diff = at.session_state["compare_diff"]
    assert diff.old_source == OLD and diff.new_source == NEW
    assert {f.rule_id for f in diff.resolved} >= {"single-instance", "db-on-app-host"}


def test_compare_shows_intake_text_as_text() -> None:
    from assistant import load_intake
    from ui.intake_state import as_data

    loaded = as_data(load_intake(ROOT / OLD))
    loaded["name"] = "<img src=x onerror=alert(1)> [link](javascript:alert(1))"
    at = _page("compare")
    at.session_state["intake_data"] = loaded
    at.radio(key="compare_old_source").set_value("form").run()
    _compare(at)
    assert at.session_state["compare_diff"].old_name == loaded["name"]
    caption = next(c.value for c in at.caption if "onerror" in c.value)
    assert "\\<img" in caption and "\\[link\\]\\(javascript" in caption


def _check(at: AppTest, answer: str) -> AppTest:
    at.text_area(key="workshop_answer_ex1").input(answer).run()
    at.button(key="workshop_check").click().run()
    assert not at.exception, at.exception
    return at


def test_workshop_ex1_partial_answer_scores_3_of_5_and_names_the_missed() -> None:
    at = _page("workshop")
    assert at.selectbox(key="workshop_exercise").value == "ex1"
    assert any("top 5 bottlenecks" in m.value for m in at.markdown)
    _check(at, PARTIAL)
    assert _metric(at, "Found").value == "3 of 5"
    assert _metric(at, "Score").value == "60 %"
    missed = [w.value for w in at.warning]
    assert missed == ["F01\\: Uptime target unreachable with current redundancy",
                      "F03\\: Database shares the application host"]  # escaped Markdown
    evidence = [m.value for m in at.markdown]
    assert "- request path availability\\: 99\\.45 %" in evidence
    assert len(at.success) == 3
    assert any("GraphQL" in e.value and "no support" in e.value for e in at.error)
    assert not any("answer changed" in i.value for i in at.info)
    at.text_area(key="workshop_answer_ex1").input(PARTIAL + "\n5. Add a load balancer.").run()
    assert any("answer changed" in i.value for i in at.info)


def test_workshop_in_german_and_an_answer_without_a_list() -> None:
    at = _page("workshop", "de")
    assert at.subheader[0].value.startswith("Übung 1")
    assert any(m.value.startswith("Teams analysieren die Workshop\\-E\\-Commerce\\-App")
               for m in at.markdown)
    _check(at, PARTIAL)
    assert _metric(at, "Gefunden").value == "3 von 5"
    _check(at, "just a sentence, no list")
    assert any("no list item" in e.value for e in at.error)
    assert "workshop_result" not in at.session_state


def test_workshop_explain_shows_the_computed_reference() -> None:
    from assistant.workshop.service import explain_exercise

    at = _page("workshop")
    reference = explain_exercise("ex1", "en")
    shown = "\n".join(m.value for m in at.expander[0].markdown)
    assert reference.first_break is not None
    for item in reference.expected:
        assert item.key in shown
    assert "ec2\\-main memory reaches 80 %" in shown
