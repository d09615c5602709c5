"""Benchmark the Streamlit app in a real browser: "Run" to the summary, and a what-if redraw.

Run `python benchmarks/bench_ui.py` (or `make bench`). It starts the app on 127.0.0.1 (a free
port, headless, offline, a temporary knowledge-base cache), drives Debian's chromium through
Playwright, loads examples/ecommerce-workshop.yaml and times, as the user sees it:

- run: from the click on "Run the review" to the summary's first-break card on the page, warm
  (the first, cold run loads the knowledge base and is reported on its own);
- what-if: from a key press on the target-users slider to the changed breaking month on the
  page (alternating End and Home, so every press changes it).

Each figure is a median of `--runs` repetitions; the load average is printed beside it, since a
shared machine slows both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.app_server import app_server  # noqa: E402

TIMEOUT_MS = 180_000
CHANGED = """([label, before]) => [...document.querySelectorAll('[data-testid=stMetric]')]
  .some(m => m.innerText.includes(label) && !m.innerText.includes(before))"""


def _metric(page: Any, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return str(card.get_by_test_id("stMetricValue").inner_text()).strip()


#: The n-th review's status line is on the page and its first summary card is drawn anew
#: (Streamlit marks an element of the previous run `data-stale` until the script redraws it).
SUMMARY_OF_RUN = """(n) => {
  const done = [...document.querySelectorAll('[data-testid=stExpander]')]
    .some(e => e.innerText.includes(`Review ${n} finished`));
  const card = [...document.querySelectorAll('[data-testid=stMetric]')]
    .find(m => m.innerText.includes('First break') && m.offsetParent !== null);
  const box = card && card.closest('[data-testid=stElementContainer]');
  return done && box && box.getAttribute('data-stale') !== 'true';
}"""


def _time_run(page: Any, number: int) -> float:
    """Seconds from the click to the summary of the `number`-th review on the page."""
    start = time.perf_counter()
    page.get_by_role("button", name="Run the review").click()
    page.wait_for_function(SUMMARY_OF_RUN, arg=number, timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def _time_what_if(page: Any, key: str) -> float:
    """Seconds from a slider key press to the changed breaking month on the page."""
    before = _metric(page, "Breaking month")
    slider = page.get_by_role("slider").first
    slider.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(CHANGED, arg=["Breaking month", before], timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        sys.exit("chromium not found: make chromium")
    cache = tempfile.mkdtemp(prefix="archreview-bench-ui-")
    env = {"ARCHREVIEW_CACHE_DIR": cache, "ANONYMIZED_TELEMETRY": "False",
           "ARCHREVIEW_PROVIDER": "offline"}
    try:
        with app_server(env) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            page.get_by_test_id("stSelectbox").filter(has_text="Start from an example").click()
            page.get_by_role("option", name="ecommerce-workshop.yaml").click()
            page.get_by_role("button", name="Load the example").click()
            page.get_by_role("textbox", name="Name *").wait_for()
            page.wait_for_function("() => [...document.querySelectorAll('input')]"
                                   ".some(i => i.value === 'Workshop e-commerce app')")
            cold = _time_run(page, 1)
            warm = [_time_run(page, n) for n in range(2, args.runs + 2)]
            page.get_by_role("tab", name="What-if").click()
            redraws = [_time_what_if(page, "End" if i % 2 == 0 else "Home")
                       for i in range(args.runs * 2)]
            browser.close()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"run -> summary, cold (first run, knowledge base loads): {cold:.2f} s")
    print(f"run -> summary, warm: median {statistics.median(warm):.2f} s "
          f"(min {min(warm):.2f}, max {max(warm):.2f}, n={len(warm)}; target <= 2 s)")
    print(f"what-if redraw: median {statistics.median(redraws) * 1000:.0f} ms "
          f"(min {min(redraws) * 1000:.0f}, max {max(redraws) * 1000:.0f}, "
          f"n={len(redraws)}; target <= 300 ms)")


if __name__ == "__main__":
    main()
