"""The HTML architecture diagram laid out by Graphviz `dot`: correct, escaped, legible at size.

Checked on the drawing itself (parsed as XML): every component is one box, no arrow passes
through a box it does not connect (elearning-global's cdn -> storage used to read as
redis -> workers), hostile intake text stays text, and without `dot` the report says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import cache

import pytest

from assistant.assessment.compute import offline_review
from assistant.assessment.model import Review
from assistant.intake.loading import load_intake
from assistant.intake.schema import Intake
from assistant.report import diagram
from assistant.report.html import render_html
from tests.conftest import EXAMPLES, FIXED_TIME
from tests.helpers import layered_intake_data
from tests.hostile import INJECTIONS, MARKER, hostile_intake_data

SVG = "{http://www.w3.org/2000/svg}"
NO_DOT = "needs Graphviz dot (make graphviz / apt-get install graphviz)"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason=NO_DOT)
Box = tuple[float, float, float, float]


@cache
def example_review(name: str) -> Review:
    return offline_review(load_intake(EXAMPLES / f"{name}.yaml"), clock=lambda: FIXED_TIME)


@cache
def layered_review(count: int) -> Review:
    return offline_review(Intake.model_validate(layered_intake_data(count)),
                          clock=lambda: FIXED_TIME)


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def boxes_and_edges(svg: str) -> tuple[dict[str, Box], list[tuple[str, str, list[float]]]]:
    """Parse the drawing: each node's bounding box and each edge's (from, to, path numbers)."""
    root = ET.fromstring(svg)
    boxes: dict[str, Box] = {}
    edges = []
    for group in root.iter(f"{SVG}g"):
        title = group.findtext(f"{SVG}title") or ""
        shape = group.find(f"{SVG}path")
        if shape is None:
            shape = group.find(f"{SVG}polygon")
        if group.get("class") == "node" and shape is not None:
            points = _numbers(shape.get("d") or shape.get("points") or "")
            xs, ys = points[0::2], points[1::2]
            boxes[title] = (min(xs), min(ys), max(xs), max(ys))
        elif group.get("class") == "edge" and shape is not None:
            start, end = title.split("->")
            edges.append((start, end, _numbers(shape.get("d") or "")))
    return boxes, edges


def bezier_points(numbers: list[float], steps: int = 24) -> list[tuple[float, float]]:
    """Sample a dot edge path (M p0 C p1 p2 p3 [p4 p5 p6 ...]) along its cubic segments."""
    points = list(zip(numbers[0::2], numbers[1::2], strict=True))
    sampled = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for step in range(steps + 1):
            t = step / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            sampled.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                            a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return sampled


def crossings(svg: str) -> list[str]:
    """Every (edge, box) where the edge runs through a box other than its two ends."""
    boxes, edges = boxes_and_edges(svg)
    found = []
    for start, end, numbers in edges:
        for name, (x0, y0, x1, y1) in boxes.items():
            if name in (start, end):
                continue
            if any(x0 + 2 < x < x1 - 2 and y0 + 2 < y < y1 - 2
                   for x, y in bezier_points(numbers)):
                found.append(f"{start}->{end} through {name}")
    return found


@needs_dot
@pytest.mark.parametrize("name", ["elearning-global", "ecommerce-workshop", "saas-growth"])
def test_every_component_is_one_box_and_no_arrow_crosses_a_box(name: str) -> None:
    review = example_review(name)
    svg = diagram.svg(review)
    boxes, edges = boxes_and_edges(svg)
    assert len(boxes) == len(review.intake.components)
    wanted = sum(len([d for d in c.depends_on if d != c.id]) for c in review.intake.components)
    assert len(edges) == wanted
    assert crossings(svg) == []


@needs_dot
def test_cdn_to_storage_no_longer_reads_as_redis_to_workers() -> None:
    svg = diagram.svg(example_review("elearning-global"))
    names = {n.component.id: f"n{i}" for i, n in enumerate(diagram.nodes(
        example_review("elearning-global")))}
    boxes, edges = boxes_and_edges(svg)
    cdn_storage = [e for e in edges if e[:2] == (names["cdn"], names["storage"])]
    assert len(cdn_storage) == 1
    assert crossings(svg) == []


@needs_dot
@pytest.mark.slow
def test_sixty_components_stay_legible() -> None:
    review = layered_review(60)
    svg = diagram.svg(review)
    boxes, _ = boxes_and_edges(svg)
    assert len(boxes) == 60
    width, height = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"',
                                                 svg).groups())  # type: ignore[union-attr]
    assert width < 2000 and height < 1500, (width, height)  # the old layout grew to 66,000 pt
    assert crossings(svg) == []
    for x0, y0, x1, y1 in boxes.values():
        assert x1 - x0 > 40 and y1 - y0 > 25  # boxes keep a readable size


@needs_dot
def test_hostile_intake_text_stays_text_in_dot_and_svg() -> None:
    data = hostile_intake_data()
    for index, component in enumerate(data["components"]):
        component["technology"] = INJECTIONS[(index + 6) % len(INJECTIONS)][:120]
    review = offline_review(Intake.model_validate(data), clock=lambda: FIXED_TIME)
    svg = diagram.svg(review)
    assert "not drawn" not in svg  # dot accepted the escaped source
    root = ET.fromstring(svg)  # well-formed: no label broke out of its element
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in {"script", "foreignObject",
                                                                    "image", "a"}]
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>alert(" in texts  # shown as text, from an escaped entity
    assert "<script" not in svg and MARKER in texts
    source = diagram.dot_source(review, __import__("assistant.i18n.messages",
                                                   fromlist=["Messages"]).Messages("en"))
    for line in source.splitlines():
        if "->" in line:
            assert re.fullmatch(r"  n\d+ -> n\d+;", line), line  # names are generated


def test_without_dot_the_report_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    review = example_review("ecommerce-workshop")
    svg = diagram.svg(review)
    assert "Architecture diagram not drawn: Graphviz `dot` is not installed" in svg
    html = render_html(review)
    assert "Architecture diagram not drawn" in html and html.count("<svg") == 4


def test_a_failing_dot_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: "/bin/false")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 1, b"", b"Error: syntax error in line 3"))
    svg = diagram.svg(example_review("ecommerce-workshop"))
    assert "Graphviz `dot` failed: Error: syntax error in line 3" in svg


def test_the_crossing_check_sees_an_arrow_through_a_box() -> None:
    def node(name: str, x: float) -> str:
        return (f'<g class="node"><title>{name}</title>'
                f'<polygon points="{x},0 {x + 50},0 {x + 50},30 {x},30"/></g>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg">{node("a", 0)}{node("b", 100)}'
           f'{node("c", 200)}<g class="edge"><title>a-&gt;c</title>'
           '<path d="M50,15 C100,15 150,15 200,15"/></g></svg>')
    assert crossings(svg) == ["a->c through b"]
