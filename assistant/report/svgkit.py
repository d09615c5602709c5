"""A small SVG writer for the report's charts: shapes, escaped text, axes with ticks, PNG export.

Why by hand: the charts are lines, bars and labels, and matplotlib spent ~0.5 s per chart on
layout and rendering (two thirds of a report's time). Plain SVG is built in well under a
millisecond, stays text (searchable, selectable, escaped like the rest of the page) and is
deterministic by construction. PNG for Markdown is rendered from the same SVG by resvg
(`resvg-py`), with the DejaVu Sans that matplotlib ships, so both formats show one drawing.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

INK = "#1d2433"
FONT = "DejaVu Sans, Verdana, sans-serif"
CHAR_WIDTH = 0.6  # average DejaVu Sans advance per em: used to make room for labels
PX_PER_INCH = 100


def _num(value: float) -> str:
    """Format a coordinate compactly and deterministically."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def text_width(text: str, size: float) -> float:
    """Estimate a label's width in pixels (for margins and legends, not for exact placement)."""
    return len(text) * size * CHAR_WIDTH


@dataclass
class Canvas:
    """An SVG document built element by element; every text is escaped when added."""

    width: float
    height: float
    prefix: str
    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        """Append raw, already-safe markup (built by the methods below)."""
        self.parts.append(element)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, stroke: str = "none",
             width: float = 1.0, dash: str = "", opacity: float = 1.0, rx: float = 0) -> None:
        """A rectangle (negative sizes are flipped)."""
        x, w = (x + w, -w) if w < 0 else (x, w)
        y, h = (y + h, -h) if h < 0 else (y, h)
        self.add(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                 f'fill="{fill}" stroke="{stroke}" stroke-width="{_num(width)}"'
                 + (f' rx="{_num(rx)}"' if rx else "") + _dash(dash) + _opacity(opacity) + "/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, *,
             width: float = 1.0, dash: str = "", opacity: float = 1.0) -> None:
        """A straight line."""
        self.add(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                 f'stroke="{colour}" stroke-width="{_num(width)}"' + _dash(dash)
                 + _opacity(opacity) + "/>")

    def polyline(self, points: Sequence[tuple[float, float]], colour: str, *,
                 width: float = 1.5, dash: str = "", clip: str = "") -> None:
        """A line through points."""
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.add(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                 f'stroke-width="{_num(width)}" stroke-linejoin="round"' + _dash(dash)
                 + _clip(clip) + "/>")

    def polygon(self, points: Sequence[tuple[float, float]], fill: str, *,
                opacity: float = 1.0, clip: str = "") -> None:
        """A filled area."""
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.add(f'<polygon points="{path}" fill="{fill}"' + _opacity(opacity) + _clip(clip)
                 + "/>")

    def circle(self, x: float, y: float, r: float, fill: str, *, stroke: str = "white",
               width: float = 1.2) -> None:
        """A dot (breaking months)."""
        self.add(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="{_num(width)}"/>')

    def text(self, x: float, y: float, text: str, *, size: float = 9, anchor: str = "start",
             colour: str = INK, weight: str = "normal", italic: bool = False,
             rotate: float = 0) -> None:
        """A label; `y` is its vertical centre. The text is escaped, never markup."""
        transform = f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"' if rotate else ""
        style = ' font-style="italic"' if italic else ""
        self.add(f'<text x="{_num(x)}" y="{_num(y + size * 0.35)}" font-size="{_num(size)}" '
                 f'text-anchor="{anchor}" fill="{colour}" font-weight="{weight}"{style}'
                 f"{transform}>{escape(text)}</text>")

    def clip_rect(self, name: str, x: float, y: float, w: float, h: float) -> str:
        """Define a clipping rectangle; return its page-unique id."""
        ident = f"{self.prefix}-{name}"
        self.add(f'<clipPath id="{ident}"><rect x="{_num(x)}" y="{_num(y)}" '
                 f'width="{_num(max(w, 0))}" height="{_num(max(h, 0))}"/></clipPath>')
        return ident

    def svg(self) -> str:
        """The inline SVG element (no XML prolog), classed for the report's stylesheet."""
        head = (f'<svg class="chart" data-chart="{self.prefix}" '
                f'xmlns="http://www.w3.org/2000/svg" width="{_num(self.width)}" '
                f'height="{_num(self.height)}" viewBox="0 0 {_num(self.width)} '
                f'{_num(self.height)}" font-family="{FONT}">')
        return "\n".join([head, '<rect width="100%" height="100%" fill="white"/>',
                          *self.parts, "</svg>"]) + "\n"


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def _opacity(opacity: float) -> str:
    return f' opacity="{_num(opacity)}"' if opacity < 1 else ""


def _clip(clip: str) -> str:
    return f' clip-path="url(#{clip})"' if clip else ""


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten covering [low, high] (both > 0)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [10.0 ** p for p in range(first, last + 1)]


@dataclass(frozen=True)
class Axes:
    """A plot area in pixels and the data range it shows (y may be logarithmic)."""

    left: float
    top: float
    right: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log_y: bool = False

    def x(self, value: float) -> float:
        """Pixel x of a data x."""
        lo, hi = self.x_range
        return self.left + (value - lo) / ((hi - lo) or 1.0) * (self.right - self.left)

    def y(self, value: float) -> float:
        """Pixel y of a data y (up is larger)."""
        lo, hi = self.y_range
        if self.log_y:
            value, lo, hi = (math.log10(max(v, 1e-9)) for v in (value, lo, hi))
        return self.bottom - (value - lo) / ((hi - lo) or 1.0) * (self.bottom - self.top)


def draw_axes(canvas: Canvas, axes: Axes, x_ticks: Sequence[float], y_ticks: Sequence[float],
              x_label: Callable[[float], str], y_label: Callable[[float], str],
              grid: str = "#d9dee7", x_grid: bool = True, y_grid: bool = True) -> None:
    """Grid lines, the left and bottom spines, tick labels."""
    for tick in y_ticks:
        y = axes.y(tick)
        if y_grid:
            canvas.line(axes.left, y, axes.right, y, grid, width=0.6)
        canvas.text(axes.left - 6, y, y_label(tick), size=8.5, anchor="end", colour="#4a5568")
    for tick in x_ticks:
        x = axes.x(tick)
        if x_grid:
            canvas.line(x, axes.top, x, axes.bottom, grid, width=0.6)
        canvas.text(x, axes.bottom + 12, x_label(tick), size=8.5, anchor="middle",
                    colour="#4a5568")
    canvas.line(axes.left, axes.top, axes.left, axes.bottom, "#8a94a6")
    canvas.line(axes.left, axes.bottom, axes.right, axes.bottom, "#8a94a6")


def legend(canvas: Canvas, x: float, y: float, entries: Sequence[tuple[str, str, str]],
           size: float = 8, columns: int = 1, column_width: float = 0) -> None:
    """Colour keys: (kind 'line' | 'dotted' | 'box', colour, label), top-down or in columns."""
    for index, (kind, colour, label) in enumerate(entries):
        column, row = (index % columns, index // columns) if columns > 1 else (0, index)
        left, middle = x + column * column_width, y + row * (size + 6)
        if kind == "box":
            canvas.rect(left, middle - 4.5, 14, 9, colour)
        else:
            canvas.line(left, middle, left + 18, middle, colour, width=1.8,
                        dash="2,2" if kind == "dotted" else "")
        canvas.text(left + 22, middle, label, size=size)


def png(svg: str, zoom: float) -> bytes:
    """Render an SVG to PNG bytes with resvg and the bundled DejaVu Sans (no system fonts)."""
    import resvg_py

    fonts = _font_files()
    return bytes(resvg_py.svg_to_bytes(
        svg_string=svg, zoom=zoom, background="white", skip_system_fonts=bool(fonts),
        font_files=fonts or None, font_family="DejaVu Sans", sans_serif_family="DejaVu Sans"))


def _font_files() -> list[str]:
    """DejaVu Sans as matplotlib ships it (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    files = [folder / f"DejaVuSans{style}.ttf" for style in ("", "-Bold", "-Oblique")]
    return [str(f) for f in files if f.exists()]
