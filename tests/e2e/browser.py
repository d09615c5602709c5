"""One page of the running app in Debian's headless chromium, for the browser tests.

The app server on 127.0.0.1 (its own cache, offline, no keys), chromium through Playwright
with no browser download, every page error and dialog collected. Skips only when chromium is
missing or cannot start, and says why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.app_server import app_server

TIMEOUT_MS = 120_000


def app_env(base: Path) -> dict[str, str]:
    """The test isolation (conftest's) for the server process: offline, own cache, no keys."""
    env = {"ARCHREVIEW_CACHE_DIR": str(base / "cache"), "ANONYMIZED_TELEMETRY": "False",
           "ARCHREVIEW_INTERNAL_ERRORS": "raise", "ARCHREVIEW_PROVIDER": "offline"}
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        os.environ.pop(key, None)
    return env


@contextmanager
def app_page(base: Path, path: str, heading: str,
             heading_exact: bool = False) -> Iterator[tuple[Any, list[str]]]:
    """Open `path` of a freshly started app once `heading` shows; yield the page and its errors."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium not found: install Debian's chromium (make chromium)")
    with app_server(app_env(base)) as url, sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable,
                                                 args=["--no-sandbox", "--disable-gpu"])
        except Exception as error:  # noqa: BLE001 - the one reason a browser test may skip
            pytest.skip(f"chromium could not start: {error}")
        context = browser.new_context(viewport={"width": 1400, "height": 2400},
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))
        page.goto(f"{url}{path}")
        page.get_by_role("heading", name=heading).first.wait_for()
        try:
            yield page, errors
        finally:
            browser.close()
