"""The Compare page in a real browser: an uploaded intake as one side, the JSON download.

What AppTest cannot reach on this page: the file upload and the download button. The new side
is the scaled e-commerce example uploaded under a hostile name (test data: the shipped example
with script and image tags in its name); the downloaded JSON equals what
`archreview diff OLD NEW --format json` prints, and the name shows as text. Skips only when
chromium cannot start, and says why.
"""

from __future__ import annotations

import json
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

OLD, NEW = "examples/ecommerce-workshop.yaml", "examples/ecommerce-workshop-scaled.yaml"
XSS_NAME = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2> scaled"


@pytest.fixture(scope="module")
def compare_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """The Compare page on a running app, and the page errors it raised."""
    with app_page(tmp_path_factory.mktemp("ui-compare"), "/compare", "Compare") as opened:
        yield opened


def _cli_diff(new: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "assistant", "diff", OLD, str(new),
                           "--format", "json"], cwd=ROOT, check=True, capture_output=True,
                          text=True)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_compare_an_upload_against_an_example_and_download_the_json(
        compare_page: tuple[Any, list[str]], tmp_path: Path) -> None:
    page, errors = compare_page
    scaled = yaml.safe_load((ROOT / NEW).read_text(encoding="utf-8"))
    scaled["name"] = XSS_NAME
    upload = tmp_path / "scaled-hostile.yaml"
    upload.write_text(yaml.safe_dump(scaled, sort_keys=False), encoding="utf-8")

    page.get_by_text("an upload").nth(1).click()  # the new side (the second radio group)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
    expect(page.get_by_text("scaled-hostile.yaml: ", exact=False).first).to_be_visible(
        timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_text("Resolved (7)").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download JSON").click()
    downloaded = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    expected = _cli_diff(upload)
    assert downloaded.pop("new_source") == "scaled-hostile.yaml"  # the upload's own name
    expected.pop("new_source")
    assert downloaded == expected

    assert XSS_NAME in page.get_by_text("scaled-hostile.yaml: ").first.inner_text()
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert errors == []
