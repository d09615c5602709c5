"""The Streamlit app's form logic through Streamlit's AppTest (no browser).

Loading an example, the CLI's validation messages at the field, a full offline review from the
form (its JSON equal to the CLI's, time stamp aside), the what-if recompute, and a typed key
that reaches the provider but no page text, download or file. What AppTest cannot drive
(data_editor edits, uploads, st.status, charts, downloads) is in tests/e2e/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from assistant import load_intake, validate_intake  # noqa: E402
from assistant.cli.app import app as cli  # noqa: E402
from assistant.report.writer import RENDERERS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
EXAMPLE = ROOT / "examples" / "ecommerce-workshop.yaml"
TIMEOUT_S = 180
SECRET = "sk-ant-canary-7f3a-NEVER-SHOWN-4e2b"  # fake: a canary the tests look for


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    return at


def _load_example(at: AppTest, name: str = "ecommerce-workshop.yaml") -> AppTest:
    choice = at.selectbox(key="example_choice")
    choice.select_index(list(choice.options).index(name)).run()
    at.button(key="load_example").click().run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


def _widget(at: AppTest, key_suffix: str) -> Any:
    """The form widget of a field path (keys are `w<generation>:<path>`)."""
    for kind in (at.text_input, at.number_input, at.selectbox, at.text_area, at.checkbox):
        for element in kind:
            if element.key and element.key.endswith(f":{key_suffix}"):
                return element
    raise KeyError(key_suffix)


def test_every_page_renders() -> None:
    at = _app()
    assert [t.value for t in at.title] == ["Architecture review"]
    for page, title in (("compare", "Compare"), ("workshop", "Workshop")):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception
        assert [t.value for t in at.title] == [title]  # tests/test_ui_pages.py drives them
    at.switch_page("views/about.py").run()
    assert any("never does the arithmetic" in m.value for m in at.markdown)


def test_loading_an_example_fills_the_form_and_loses_nothing() -> None:
    at = _load_example(_app())
    assert _widget(at, "name").value == "Workshop e-commerce app"
    assert _widget(at, "current.active_users").value == 500
    assert _widget(at, "constraints.budget_per_month").value == "3000 USD"
    built = validate_intake(EXAMPLE, at.session_state["intake_data"], {})
    assert built == load_intake(EXAMPLE)  # every field, components table included
    assert at.text_input(key="file_name1").value == "examples/ecommerce-workshop.yaml"


def test_validation_messages_are_the_clis_and_stand_at_their_field() -> None:
    at = _load_example(_app())
    _widget(at, "currency").set_value("usd").run()
    data = dict(at.session_state["intake_data"])
    with pytest.raises(Exception) as raised:
        validate_intake(Path("x"), data, {})
    expected = next(p.message for p in raised.value.problems if p.field == "currency")  # type: ignore[attr-defined]
    assert "should match pattern" in expected
    assert [e.value for e in at.error] == [expected]
    assert at.button(key="run_review").disabled


def test_a_full_offline_review_from_the_form_matches_the_cli(tmp_path: Path) -> None:
    at = _load_example(_app())
    at.button(key="run_review").click().run()
    assert not at.exception, at.exception
    assert _metric(at, "First break") == "month 2.6"
    review = at.session_state["review"]
    result = CliRunner().invoke(cli, ["review", str(EXAMPLE), "--format", "json",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    cli_json = json.loads((tmp_path / "ecommerce-workshop" / "report.json").read_text())
    app_json = json.loads(RENDERERS["json"](review))
    for report in (cli_json, app_json):
        report["provenance"].pop("generated_at")
    app_json["provenance"]["inputs_file"] = cli_json["provenance"]["inputs_file"] = "-"
    assert app_json == cli_json
    # the file name the form shows is the one the CLI names, relative to the checkout
    assert review.provenance.inputs_file == "examples/ecommerce-workshop.yaml"


def test_the_language_switch_turns_the_page_and_the_report_german() -> None:
    at = _load_example(_app())
    at.sidebar.radio(key="lang").set_value("de").run()
    assert [t.value for t in at.title] == ["Architektur-Review"]
    at.button(key="run_review").click().run()
    assert at.session_state["review"].language == "de"
    assert _metric(at, "Erster Engpass") == "Monat 2,6"


def test_what_if_recomputes_the_breaking_month_and_cost() -> None:
    from ui.whatif import changed_intake, outcome, recompute

    at = _load_example(_app())
    at.button(key="run_review").click().run()
    before = _metric(at, "Breaking month")
    at.slider(key="whatif_users").set_value(400_000).run()
    assert not at.exception, at.exception
    review = at.session_state["review"]
    expected = outcome(*recompute(changed_intake(review.intake, 400_000, 12, {
        c.id: (c.instances, c.size) for c in review.intake.components})))
    assert _metric(at, "Breaking month") == f"{expected[1]:.1f}" != before
    assert _metric(at, "Monthly cost at the target").startswith(f"{expected[2]:,.0f}")


def _page_text(at: AppTest) -> str:
    """Every element's content (protobuf text) but the password field's own state."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if getattr(node, "key", None) == "provider_api_key":
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(texts)


def test_a_typed_key_reaches_the_provider_and_nothing_else(
        stub_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", stub_server.url)
    monkeypatch.setenv("ARCHREVIEW_MAX_RETRIES", "0")
    monkeypatch.chdir(tmp_path)
    at = _load_example(_app())
    at.sidebar.selectbox(key="provider_name").set_value("anthropic").run()
    at.sidebar.text_input(key="provider_api_key").input(SECRET).run()
    at.button(key="run_review").click().run()
    assert not at.exception, at.exception
    requests = stub_server.requests_to("/v1/messages")
    assert requests  # the typed key was used: it is in the auth header of each request
    assert all(SECRET in (r.headers.get("authorization", "") + r.headers.get("x-api-key", ""))
               for r in requests)
    review = at.session_state["review"]
    assert review.provenance.llm is not None
    assert SECRET not in _page_text(at)
    assert all(SECRET not in RENDERERS[fmt](review) for fmt in ("md", "json", "html"))
    assert SECRET not in caplog.text
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(SECRET.encode() not in p.read_bytes() for p in written)
    assert "ANTHROPIC_API_KEY" not in __import__("os").environ


def test_the_what_if_figures_are_the_reviews_own() -> None:
    import assistant
    from assistant import Settings

    for path in sorted(EXAMPLE.parent.glob("*.yaml")):
        if path.name == "broken-intake.yaml":
            continue
        intake = load_intake(path)
        review = assistant.review(intake, Settings.from_env(provider="offline"),
                                  use_knowledge_base=False)
        capacity, costs = assistant.what_if(intake)
        assert (capacity, costs) == (review.capacity, review.costs), path.name
