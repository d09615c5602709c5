"""Benchmark the architecture diagram (Graphviz `dot`): size and time by component count.

    python benchmarks/bench_diagram.py [--counts 50,195,500]

Up to the intake's limit of 200 components the diagram is drawn from a full offline review of a
generated layered intake (tests/helpers.py: lb, web, app, worker, cache, queue, db; each caller
depends on two of the next tier). Past the limit no intake validates, so for the layout alone
the components are built one by one and handed to the diagram in a stand-in review (no
capacity figures: no breaking months, no SPOFs), labelled as such in the output.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.intake.schema import MAX_ITEMS, Component, Intake  # noqa: E402
from tests.helpers import layered_intake_data  # noqa: E402


def stand_in_review(count: int) -> Any:
    """A review-shaped object with only what the diagram reads (layout benchmark only)."""
    components = [Component.model_validate(c)
                  for c in layered_intake_data(count)["components"]]
    capacity = SimpleNamespace(availability=SimpleNamespace(units=[]), first_break=None,
                               hosts={}, breaks_for=lambda _cid: [])
    return SimpleNamespace(intake=SimpleNamespace(components=components), capacity=capacity,
                           language="en")


def measure(count: int) -> dict[str, Any]:
    """Draw the diagram for `count` components; return its size, time and how it was built."""
    from assistant.assessment.compute import offline_review
    from assistant.report import diagram

    if count <= MAX_ITEMS:
        review: Any = offline_review(Intake.model_validate(layered_intake_data(count)))
        basis = "full offline review"
    else:
        review, basis = stand_in_review(count), f"layout only (intakes stop at {MAX_ITEMS})"
    start = time.perf_counter()
    svg = diagram.svg(review)
    seconds = time.perf_counter() - start
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    width, height = (float(v) for v in size.groups()) if size else (0.0, 0.0)
    return {"components": count, "seconds": seconds, "width": width, "height": height,
            "kilobytes": len(svg.encode()) / 1024, "basis": basis,
            "drawn": "not drawn" not in svg}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="50,195,500")
    args = parser.parse_args()
    for count in (int(c) for c in args.counts.split(",")):
        r = measure(count)
        print(f"{r['components']:>4} components: {r['width']:,.0f} x {r['height']:,.0f} px, "
              f"{r['kilobytes']:,.0f} KB, dot {r['seconds'] * 1000:,.0f} ms ({r['basis']}"
              f"{'' if r['drawn'] else ', NOT DRAWN'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
