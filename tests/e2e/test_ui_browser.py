"""The app in a real browser: Debian's headless chromium driven by Playwright (no download).

What AppTest cannot reach: the example select box, `st.status`, the chart, the what-if slider
dragged by the keyboard, the download button and a file upload. One app server per module on
127.0.0.1, stopped in teardown. Skips only when chromium cannot start, and says why.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.app_server import ROOT
from tests.e2e.browser import TIMEOUT_MS, app_page

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

EXAMPLE = "examples/ecommerce-workshop.yaml"
SHOTS = Path(os.environ.get("ARCHREVIEW_UI_SHOTS", "")) if os.environ.get(
    "ARCHREVIEW_UI_SHOTS") else None
XSS_NAME = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2> Shop"
XSS_TECH = "<img src=y onerror=alert(1)>**bold**[link](javascript:alert(2))"


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """A page on the running app, and the page errors it raised."""
    with app_page(tmp_path_factory.mktemp("ui"), "", "Architecture review") as opened:
        yield opened


def _shot(page: Any, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def _metric(page: Any, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return str(card.get_by_test_id("stMetricValue").inner_text()).strip()


def _cli_json(tmp_path: Path) -> dict[str, Any]:
    subprocess.run([sys.executable, "-m", "assistant", "review", EXAMPLE, "--format", "json",
                    "--out", str(tmp_path / "cli")], cwd=ROOT, check=True, capture_output=True)
    data: dict[str, Any] = json.loads((tmp_path / "cli" / "ecommerce-workshop" / "report.json")
                                      .read_text(encoding="utf-8"))
    return data


def _without_time(report: dict[str, Any]) -> dict[str, Any]:
    report = json.loads(json.dumps(report))
    report["provenance"].pop("generated_at")
    return report


def _run(page: Any) -> None:
    page.get_by_role("button", name="Run the review").click()
    page.get_by_test_id("stMetric").filter(has_text="First break").first.wait_for()


def test_review_the_example_in_the_browser(browser_page: tuple[Any, list[str]],
                                           tmp_path: Path) -> None:
    page, errors = browser_page
    page.get_by_test_id("stSelectbox").filter(has_text="Start from an example").click()
    page.get_by_role("option", name="ecommerce-workshop.yaml").click()
    page.get_by_role("button", name="Load the example").click()
    expect(page.get_by_role("textbox", name="Name *")).to_have_value(
        "Workshop e-commerce app", timeout=TIMEOUT_MS)
    _shot(page, "1-form")

    _run(page)
    status = page.get_by_test_id("stExpander").filter(has_text="Review 1 finished")
    assert status.count() == 1
    assert _metric(page, "First break") == "month 2.6"
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    chart.wait_for()
    assert chart.locator("canvas, svg").count() > 0
    _shot(page, "2-summary")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download JSON").click()
    downloaded = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert _without_time(downloaded) == _without_time(_cli_json(tmp_path))

    page.get_by_role("tab", name="What-if").click()
    before = _metric(page, "Breaking month")
    slider = page.get_by_role("slider").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    page.keyboard.press("End")  # target users to the slider's top: everything grows faster
    page.wait_for_function(
        "(before) => [...document.querySelectorAll('[data-testid=stMetric]')].some("
        "m => m.innerText.includes('Breaking month') && !m.innerText.includes(before))",
        arg=before)
    after = _metric(page, "Breaking month")
    assert re.fullmatch(r"\d+(\.\d)?", after) and float(after) < float(before)
    _shot(page, "3-what-if")

    _edit_instances_of_api(page, 3)
    expect(page.get_by_test_id("stAlert").filter(has_text="The intake changed")).to_be_visible(
        timeout=TIMEOUT_MS)  # the edit reached the server, which says the review is stale
    with page.expect_download() as intake_info:
        page.get_by_role("button", name="Download the intake as YAML").click()
    intake = yaml.safe_load(Path(intake_info.value.path()).read_text(encoding="utf-8"))
    assert [c.get("instances", 1) for c in intake["components"]] == [1, 3, 1]

    assert page.get_by_test_id("stException").count() == 0
    assert errors == []


def _edit_instances_of_api(page: Any, count: int) -> None:
    """Type into the components table (a canvas grid): row api, column instances."""
    page.get_by_role("tab", name="Components").click()
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    grid.locator("canvas").first.wait_for()
    page.wait_for_timeout(1000)  # the tab's grid lays itself out
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + 35 + 17)  # row 0 (web), column id
    page.wait_for_timeout(300)
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown"):  # instances, api
        page.keyboard.press(key)
    page.keyboard.press("Enter")  # opens the cell editor, an input in the grid's portal
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for()
    editor.fill(str(count))
    editor.press("Enter")
    _shot(page, "5-table")


def test_intake_text_is_shown_as_text(browser_page: tuple[Any, list[str]],
                                      tmp_path: Path) -> None:
    page, errors = browser_page
    hostile = yaml.safe_load((ROOT / EXAMPLE).read_text(encoding="utf-8"))
    hostile["name"] = XSS_NAME
    hostile["components"][1]["technology"] = XSS_TECH
    upload = tmp_path / "hostile.yaml"
    upload.write_text(yaml.safe_dump(hostile, sort_keys=False), encoding="utf-8")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
    expect(page.get_by_role("textbox", name="File name")).to_have_value(
        "hostile.yaml", timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="System").click()
    expect(page.get_by_role("textbox", name="Name *")).to_have_value(XSS_NAME, timeout=TIMEOUT_MS)
    _run(page)
    heading = page.get_by_role("heading", name=re.compile("Architecture review: "))
    assert XSS_NAME in heading.inner_text()  # the name as text, tags and all
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src=x], img[src=y]").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    _shot(page, "4-hostile")
    assert errors == []
