"""HTML report, charts and architecture diagram.

The HTML must be one self-contained file (no network to view it), show intake text as text,
render deterministically, and open in headless Chromium with no console error and no request
but the file itself. The browser test saves a full-page screenshot to tests/artifacts/ (git
ignored) for a human to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.assessment.compute import offline_review
from assistant.assessment.model import Review
from assistant.intake.loading import load_intake
from assistant.report.charts import (
    cashflow_chart,
    roadmap_chart,
    utilisation_chart,
    utilisation_series,
    write_markdown_charts,
)
from assistant.report.diagram import mermaid, mermaid_id, mermaid_text
from assistant.report.diagram import svg as diagram_svg
from assistant.report.html import inline_markdown, render_html
from tests.conftest import EXAMPLES, FIXED_TIME

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NO_CHROMIUM = "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
_REVIEWS: dict[str, Review] = {}


def review_of(name: str = "ecommerce-workshop", lang: str = "en") -> Review:
    key = f"{name}/{lang}"
    if key not in _REVIEWS:
        _REVIEWS[key] = offline_review(load_intake(EXAMPLES / f"{name}.yaml"),
                                   source=f"examples/{name}.yaml", lang=lang,  # type: ignore[arg-type]
                                   clock=lambda: FIXED_TIME)
    return _REVIEWS[key]


def hostile_review(tmp_path: Path) -> Review:
    """The example with script and img-onerror markup in every free-text field we can reach."""
    source = (EXAMPLES / "ecommerce-workshop.yaml").read_text(encoding="utf-8")
    hostile = source.replace("name: Workshop e-commerce app", f'name: "{SCRIPT}{IMG}"')
    hostile = hostile.replace("technology: PostgreSQL", f'technology: "{SCRIPT} $x$ {IMG}"')
    hostile = hostile.replace('notes: "Single Vercel', f'notes: "{IMG} Single Vercel')
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile, encoding="utf-8")
    return offline_review(load_intake(path), source=f"{SCRIPT}.yaml", clock=lambda: FIXED_TIME)


def with_cash_flows(review: Review) -> Review:
    """Attach a stand-in business case (only the fields the cash-flow chart reads)."""
    scenario = SimpleNamespace(name=f"{SCRIPT} base", probability_pct=100.0, npv=20000.0,
                               irr_annual_pct=None, payback_month=8)
    roi = SimpleNamespace(expected_cash_flows=[-12000.0] + [1500.0] * 23, currency="USD",
                          expected_payback_month=8, break_even_month=9, expected_npv=20000.0,
                          expected_irr_annual_pct=None, expected_discounted_payback_month=9,
                          scenarios=[scenario], sensitivity=[], formulas={"npv": "sum(cf/(1+r)^t)"})
    return review.model_copy(update={"roi": roi})


# --- self-contained, escaped, deterministic -------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "de"])
def test_html_is_self_contained(lang: str) -> None:
    html = render_html(review_of(lang=lang))
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    # No external resource: no src/href/url() pointing at http(s) or protocol-relative URLs.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "@import" not in html and "<link" not in html and "@font-face" not in html
    assert "<script" not in html.lower()
    # The only relative links are the knowledge-base cards (opened on click, never loaded).
    for href in re.findall(r'href="([^"#][^"]*)"', html):
        assert href.startswith("../../knowledge/") and href.endswith(".md"), href
    assert html.count("<svg") == 4  # diagram, utilisation, costs, roadmap (no business case)


def test_html_mirrors_the_markdown_sections() -> None:
    from assistant.i18n.messages import Messages

    html = render_html(review_of())
    cat = Messages("en")
    for key in ("section.summary", "section.capacity", "section.breaking", "section.findings",
                "section.costs", "section.roadmap", "section.roi", "section.score",
                "section.monitoring", "section.assumptions"):
        assert cat.t(key) in html, key
    summary = html.split('id="architecture"')[0]
    assert "<strong>What breaks first:</strong> ec2-main (api, postgres)" in summary
    assert summary.count("(phase ") == 3
    assert review_of().provenance.inputs_sha256 in html
    assert cat.t("html.provenance.offline") in html
    for finding in review_of().findings:
        assert f'id="{finding.id}"' in html


def test_german_html_uses_the_german_catalogue() -> None:
    html = render_html(review_of(lang="de"))
    assert "Management-Zusammenfassung" in html and "Executive summary" not in html
    assert "kritisch" in html


def test_intake_text_is_escaped_in_html_and_diagram(tmp_path: Path) -> None:
    review = hostile_review(tmp_path)
    html = render_html(review)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    diagram = diagram_svg(review)
    assert "<script" not in diagram and "<img" not in diagram
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in diagram  # technology label, as text
    assert "$x$" in diagram  # mathtext is off: dollars stay dollars
    chart = mermaid(review)
    assert "<script" not in chart and "<img" not in chart and "#lt;script#gt;" in chart


def test_inline_markdown_escapes_before_it_formats() -> None:
    assert str(inline_markdown(f"**bold** {SCRIPT} `x`")) == (
        "<strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt; <code>x</code>")


def test_html_is_deterministic() -> None:
    assert render_html(review_of()) == render_html(review_of())


def test_svg_ids_are_unique_across_the_page() -> None:
    html = render_html(review_of())
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]


# --- charts ---------------------------------------------------------------------------------

def test_utilisation_series_is_geometric_between_horizons() -> None:
    months, values = utilisation_series([(0, 10.0), (6, 100.0), (12, 1000.0)])
    assert months[0] == 0 and months[-1] == 12 and values[-1] == 1000.0
    middle = values[months.index(3)]
    assert middle == pytest.approx(10 * 10 ** 0.5)


def test_charts_render_svg_and_png() -> None:
    review = review_of()
    svg = utilisation_chart(review, "svg")
    assert isinstance(svg, str) and svg.startswith("<svg") and "<?xml" not in svg
    assert "ec2-main · memory" in svg  # text stays text (svg.fonttype none)
    roadmap = roadmap_chart(review, "svg")
    assert isinstance(roadmap, str) and "Phase 1" in roadmap
    png = roadmap_chart(review, "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    assert cashflow_chart(review) is None  # no business figures, nothing invented


def test_cashflow_chart_marks_payback_and_break_even() -> None:
    svg = cashflow_chart(with_cash_flows(review_of()), "svg")
    assert isinstance(svg, str)
    assert "Payback month: 8" in svg and "Break-even month: 9" in svg


def test_charts_are_deterministic() -> None:
    review = review_of()
    assert utilisation_chart(review, "svg") == utilisation_chart(review, "svg")
    assert roadmap_chart(review, "png") == roadmap_chart(review, "png")


def test_markdown_charts_are_written_as_png(tmp_path: Path) -> None:
    written = write_markdown_charts(with_cash_flows(review_of()), tmp_path)
    assert written == {"utilisation": "utilisation.png", "roadmap": "roadmap.png",
                       "costs": "costs.png", "cashflow": "cashflow.png"}
    for name in written.values():
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


# --- diagram --------------------------------------------------------------------------------

def test_mermaid_diagram_shows_hosts_spofs_and_first_break() -> None:
    text = mermaid(review_of())
    assert text.startswith("flowchart LR\n")
    assert 'subgraph h_ec2_x2d_main["shared host ec2-main"]' in text
    assert "n_web --> n_api" in text and "n_api --> n_postgres" in text
    assert "class n_api,n_postgres spof" in text
    assert "class n_api,n_postgres breaks" in text


def test_mermaid_ids_and_labels_are_sanitised() -> None:
    assert mermaid_id("end") == "n_end"
    assert mermaid_id("a-b.c") == "n_a_x2d_b_x2e_c"  # one-to-one: a_b.c is n_a__b_x2e_c
    assert mermaid_id("a_b.c") == "n_a__b_x2e_c"
    assert mermaid_text('C# "x" <b> `y` | z') == "C#35; #quot;x#quot; #lt;b#gt; #96;y#96; #124; z"


def test_diagram_svg_highlights_spof_and_host() -> None:
    svg = diagram_svg(review_of())
    assert svg.startswith("<svg") and "shared host ec2-main" in svg
    assert "SPOF" in svg and "breaks in month 2.6" in svg


# --- the browser ----------------------------------------------------------------------------

@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_html_opens_in_chromium_without_errors_or_requests(lang: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / f"report-{lang}.html"
    page_file.write_text(render_html(with_cash_flows_if_none(review_of(lang=lang))),
                         encoding="utf-8")
    url = page_file.as_uri()
    console: list[str] = []
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="load")
            page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
            svgs = page.locator("svg.chart").count()
        finally:
            browser.close()
    assert not [m for m in console if m.startswith(("error", "pageerror"))], console
    assert [u for u in requests if u != url and not u.startswith("data:")] == []
    assert svgs == 5
    assert (ARTIFACTS / f"report-{lang}.png").stat().st_size > 10_000


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_hostile_intake_runs_no_script_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "hostile.html"
    page_file.write_text(render_html(hostile_review(tmp_path)), encoding="utf-8")
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            title = page.locator("h1").inner_text()
            images = page.locator("img").count()
            page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=False)
        finally:
            browser.close()
    assert dialogs == [] and images == 0
    assert SCRIPT in title and IMG in title  # shown as text
    assert requests == [page_file.as_uri()]  # the <img src=x> never became a request


def with_cash_flows_if_none(review: Review) -> Review:
    """Show the cash-flow chart in the screenshot even before an example has business data."""
    return review if review.roi is not None else with_cash_flows(review)
