"""The hand-built SVG charts: escaped text, round ticks, deterministic output, real PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from PIL import Image

from assistant.report.svgkit import Axes, Canvas, log_ticks, nice_ticks, png


def test_text_is_escaped_and_the_document_is_well_formed() -> None:
    canvas = Canvas(200, 100, "t")
    canvas.text(10, 10, "<script>alert(1)</script> & \"q\" $x$")
    svg = canvas.svg()
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")] == [
        "<script>alert(1)</script> & \"q\" $x$"]
    assert root.get("class") == "chart" and root.get("data-chart") == "t"


def test_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-12000, 22500)[0] <= -12000 and nice_ticks(-12000, 22500)[-1] >= 22500
    assert nice_ticks(5, 5) == [5.0, 5.2, 5.4, 5.6, 5.8, 6.0]
    assert log_ticks(0.5, 4000) == [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


def test_axes_map_data_to_pixels_linear_and_log() -> None:
    linear = Axes(10, 0, 110, 100, (0, 10), (0, 50))
    assert (linear.x(5), linear.y(0), linear.y(50)) == (60, 100, 0)
    log = Axes(0, 0, 100, 100, (0, 1), (1, 100), log_y=True)
    assert log.y(10) == 50


def test_png_is_rendered_from_the_svg_at_the_zoom_asked() -> None:
    canvas = Canvas(120, 60, "p")
    canvas.rect(0, 0, 60, 60, "#b42318")
    canvas.text(70, 30, "Month", size=9)
    data = png(canvas.svg(), 1.44)
    image = Image.open(io.BytesIO(data))
    assert data.startswith(b"\x89PNG") and image.size == (173, 86)
    assert image.convert("RGB").getpixel((20, 20)) == (0xB4, 0x23, 0x18)
    assert png(canvas.svg(), 1.44) == data  # deterministic
