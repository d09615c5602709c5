"""The architecture diagram: components, dependencies, SPOFs and what breaks first.

Two renderings of one layout: Mermaid flowchart text for Markdown and an inline SVG drawn with
matplotlib for HTML. Components are placed in layers by the longest `depends_on` path from the
entry points (left to right, like a request travels); components on a shared host sit in a
dashed box because they fail together. Intake text (technology) is data: Mermaid gets entity
codes, the SVG gets escaped `<text>` with mathtext off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.assessment.model import Review
from assistant.capacity.hosts import shared_hosts
from assistant.i18n.messages import Messages
from assistant.intake.schema import Component
from assistant.report.charts import INK, SEVERITY_COLOURS, chart_style, export, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SPOF_COLOUR = SEVERITY_COLOURS["critical"]
BREAK_FILL = "#ffe3cc"
BREAK_EDGE = "#e8590c"
NODE_FILL = "#eef2f8"
NODE_EDGE = "#5b6b82"
NODE_W, NODE_H = 2.1, 1.1
COL_GAP, ROW_GAP = 3.1, 1.75
MAX_TECH = 30
LINE_STEP = 0.25
INCH_PER_UNIT = 1.05
LEGEND_INCH = 0.45


@dataclass(frozen=True)
class Node:
    """One component placed on the grid, with what the diagram highlights about it."""

    component: Component
    layer: int
    row: float
    spof: bool
    breaks_first: bool
    breaking_month: float | None


def layers(components: list[Component]) -> dict[str, int]:
    """Assign each component the length of the longest dependency path leading to it.

    Why longest path: a request enters at the left and every dependency is further right.
    Cycles and unknown ids are tolerated (a cycle is cut where it is found).
    """
    known = {c.id for c in components}
    callers: dict[str, list[str]] = {c.id: [] for c in components}
    for c in components:
        for dep in c.depends_on:
            if dep in known and dep != c.id:
                callers[dep].append(c.id)
    depth: dict[str, int] = {}

    def visit(node: str, path: frozenset[str]) -> int:
        if node in depth:
            return depth[node]
        above = [visit(p, path | {node}) + 1 for p in callers[node] if p not in path]
        depth[node] = max(above, default=0)
        return depth[node]

    for c in components:
        visit(c.id, frozenset())
    return depth


def _barycentre(components: list[Component]) -> dict[str, tuple[float, int]]:
    """Return a sort key per component: its callers' mean position, then intake order."""
    order = {c.id: i for i, c in enumerate(components)}
    keys: dict[str, tuple[float, int]] = {}
    for c in components:
        callers = [order[p.id] for p in components if c.id in p.depends_on]
        keys[c.id] = (sum(callers) / len(callers) if callers else -1.0, order[c.id])
    return keys


def _rows(components: list[Component], depth: dict[str, int]) -> dict[str, float]:
    """Give every component a row; each shared host gets a block of rows of its own.

    Why blocks: a host is drawn as one box around its members, so no other component may sit
    inside that box. Hosts whose layer spans overlap stack; the rest fill the free rows.
    """
    key = _barycentre(components)
    hosts = dict(sorted(shared_hosts(components).items()))
    rows: dict[str, float] = {}
    blocks: list[tuple[int, int, int, int]] = []  # first layer, last layer, first row, end row
    for members in hosts.values():
        span = (min(depth[m] for m in members), max(depth[m] for m in members))
        per_layer = [[m for m in members if depth[m] == layer]
                     for layer in range(span[0], span[1] + 1)]
        top = max((b[3] for b in blocks if b[0] <= span[1] and span[0] <= b[1]), default=0)
        for layer_members in per_layer:
            for offset, cid in enumerate(sorted(layer_members, key=key.__getitem__)):
                rows[cid] = float(top + offset)
        blocks.append((span[0], span[1], top, top + max(len(m) for m in per_layer)))
    for layer in range(max(depth.values(), default=0) + 1):
        taken = {r for b in blocks if b[0] <= layer <= b[1] for r in range(b[2], b[3])}
        free = (r for r in range(len(components) + len(taken) + 1) if r not in taken)
        for cid in sorted((c.id for c in components if depth[c.id] == layer and c.id not in rows),
                          key=key.__getitem__):
            rows[cid] = float(next(free))
    return rows


def nodes(review: Review) -> list[Node]:
    """Place every component and mark SPOFs, the first to break and its breaking month."""
    components = list(review.intake.components)
    depth = layers(components)
    rows = _rows(components, depth)
    spof = {m for unit in review.capacity.availability.units if unit.spof for m in unit.members}
    first = review.capacity.first_break
    first_members = set(first.members) if first else set()
    placed = []
    for c in components:
        months = [b.month for b in review.capacity.breaks_for(c.id) if not b.ceiling]
        placed.append(Node(c, depth[c.id], rows[c.id], c.id in spof, c.id in first_members,
                           min(months) if months else None))
    return placed


def _short(text: str, limit: int = MAX_TECH) -> str:
    """Cut long intake text so it fits a box (the full text is in the report's tables)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def svg(review: Review) -> str:
    """Draw the architecture as an inline SVG for the HTML report."""
    cat = Messages(review.language)
    placed = nodes(review)
    centres = {n.component.id: (n.layer * COL_GAP, -n.row * ROW_GAP) for n in placed}
    xs = [x for x, _ in centres.values()]
    ys = [y for _, y in centres.values()]
    x_range = (min(xs) - NODE_W / 2 - 0.45, max(xs) + NODE_W / 2 + 0.45)
    y_range = (min(ys) - NODE_H / 2 - 0.4, max(ys) + NODE_H / 2 + 0.55)
    width = max(6.0, (x_range[1] - x_range[0]) * INCH_PER_UNIT)
    height = (y_range[1] - y_range[0]) * INCH_PER_UNIT + LEGEND_INCH
    with chart_style("diagram"):
        fig = new_figure(width, height)
        ax = fig.add_subplot()
        _hosts(ax, review, centres, cat)
        _edges(ax, placed, centres)
        for node in placed:
            _box(ax, node, centres[node.component.id], cat)
        _legend(ax, cat)
        ax.set_xlim(*x_range)
        ax.set_ylim(*y_range)
        ax.set_aspect("equal")
        ax.axis("off")
        return str(export(fig, "svg", "diagram"))


def _box(ax: Axes, node: Node, centre: tuple[float, float], cat: Messages) -> None:
    """Draw one component box: id, technology, kind and instance count, breaking month."""
    from matplotlib.patches import FancyBboxPatch

    x, y = centre
    edge = SPOF_COLOUR if node.spof else (BREAK_EDGE if node.breaks_first else NODE_EDGE)
    fill = BREAK_FILL if node.breaks_first else NODE_FILL
    ax.add_patch(FancyBboxPatch((x - NODE_W / 2, y - NODE_H / 2), NODE_W, NODE_H,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=fill,
                                edgecolor=edge, linewidth=2.6 if node.spof else 1.3, zorder=3))
    c = node.component
    lines = [(c.id, 10.5, "bold", INK)]
    if c.technology:
        lines.append((_short(c.technology), 8.5, "normal", "#3d4a5c"))
    lines.append((cat.t("chart.diagram.instances", kind=c.kind, count=c.instances), 8.5,
                  "normal", "#3d4a5c"))
    if node.breaking_month is not None:
        lines.append((cat.t("chart.diagram.breaks_at", month=node.breaking_month), 8.5,
                       "bold", BREAK_EDGE if node.breaks_first else "#8a5a00"))
    top = y + LINE_STEP / 2 * (len(lines) - 1)
    for index, (text, size, weight, colour) in enumerate(lines):
        ax.text(x, top - LINE_STEP * index, text, ha="center", va="center", fontsize=size,
                fontweight=weight, color=colour, zorder=4)
    if node.spof:
        ax.text(x + NODE_W / 2 - 0.12, y + NODE_H / 2, cat.t("table.spof"), ha="right", va="center",
                fontsize=6.5, fontweight="bold", color="white", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": SPOF_COLOUR,
                      "edgecolor": "none"})


def _edges(ax: Axes, placed: list[Node], centres: dict[str, tuple[float, float]]) -> None:
    """Draw one arrow per `depends_on` edge, from the caller's box edge to the dependency's."""
    from matplotlib.patches import FancyArrowPatch

    for node in placed:
        x0, y0 = centres[node.component.id]
        for dep in node.component.depends_on:
            if dep not in centres or dep == node.component.id:
                continue
            x1, y1 = centres[dep]
            forward = x1 > x0
            start = (x0 + NODE_W / 2, y0) if forward else (x0, y0 - NODE_H / 2)
            end = (x1 - NODE_W / 2, y1) if forward else (x1, y1 + NODE_H / 2)
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                         color="#5b6b82", linewidth=1.2, zorder=2,
                                         connectionstyle="arc3,rad=0.0" if forward
                                         else "arc3,rad=0.3"))


def _hosts(ax: Axes, review: Review, centres: dict[str, tuple[float, float]],
           cat: Messages) -> None:
    """Draw a dashed box around the components of each shared host, labelled with its id."""
    from matplotlib.patches import FancyBboxPatch

    spof_units = {u.name for u in review.capacity.availability.units if u.spof}
    for host, members in sorted(review.capacity.hosts.items()):
        points = [centres[m] for m in members if m in centres]
        if not points:
            continue
        x0 = min(x for x, _ in points) - NODE_W / 2 - 0.22
        x1 = max(x for x, _ in points) + NODE_W / 2 + 0.22
        y0 = min(y for _, y in points) - NODE_H / 2 - 0.22
        y1 = max(y for _, y in points) + NODE_H / 2 + 0.4
        colour = SPOF_COLOUR if host in spof_units else NODE_EDGE
        ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0,
                                    boxstyle="round,pad=0,rounding_size=0.18",
                                    facecolor="#fbfcfe", edgecolor=colour, linewidth=1.3,
                                    linestyle=(0, (5, 3)), zorder=1))
        ax.text(x0 + 0.15, y1 - 0.08, cat.t("chart.diagram.host", host=host),
                ha="left", va="top", fontsize=8, fontstyle="italic", color=colour, zorder=2)


def _legend(ax: Axes, cat: Messages) -> None:
    """Explain the colours and lines below the drawing."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=NODE_FILL, edgecolor=SPOF_COLOUR, linewidth=2.4,
              label=cat.t("chart.diagram.spof")),
        Patch(facecolor=BREAK_FILL, edgecolor=BREAK_EDGE, label=cat.t("chart.diagram.first_break")),
        Patch(facecolor="#fbfcfe", edgecolor=NODE_EDGE, linestyle="--",
              label=cat.t("chart.diagram.host_legend")),
        Line2D([], [], color="#5b6b82", marker=">", markersize=5,
               label=cat.t("chart.diagram.depends")),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4,
              fontsize=7.5, handlelength=1.6)


# Replaced character by character, so a code is never escaped again. `%` stops `%%` comments
# and `%%{init: ...}%%` directives (Mermaid extracts those from the whole text before parsing);
# brackets, braces and quotes cannot end a quoted label; `<` stops raw HTML in labels.
_MERMAID_ENTITIES = (("#", "#35;"), ("&", "#amp;"), ("<", "#lt;"), (">", "#gt;"),
                     ('"', "#quot;"), ("`", "#96;"), ("|", "#124;"), ("%", "#37;"),
                     ("[", "#91;"), ("]", "#93;"), ("{", "#123;"), ("}", "#125;"))


def mermaid_text(text: str) -> str:
    """Escape text for a quoted Mermaid label: entity codes, one line, no fence breakers."""
    return "".join(_ENTITY.get(char, char) for char in " ".join(str(text).split()))


_ENTITY = dict(_MERMAID_ENTITIES)


def mermaid_id(name: str, prefix: str = "n") -> str:
    """Return a Mermaid-safe node id, one-to-one with the name (`api-1` and `api_1` differ).

    Letters and digits stay; `_` becomes `__` and every other character `_xHH_`, so no two names
    share an id. The prefix keeps keywords such as `end` from being ids.
    """
    encoded = "".join(ch if ch.isascii() and ch.isalnum() else
                      ("__" if ch == "_" else f"_x{ord(ch):x}_") for ch in name)
    return f"{prefix}_{encoded}"


def mermaid(review: Review) -> str:
    """Return the architecture as a Mermaid flowchart for the Markdown report."""
    cat = Messages(review.language)
    placed = nodes(review)
    hosted = {m: h for h, members in review.capacity.hosts.items() for m in members}
    lines = ["flowchart LR"]
    for host, members in sorted(review.capacity.hosts.items()):
        lines.append(f'  subgraph {mermaid_id(host, "h")}'
                     f'["{mermaid_text(cat.t("chart.diagram.host", host=host))}"]')
        lines += [f"    {_mermaid_node(n, cat)}" for n in placed if n.component.id in members]
        lines.append("  end")
    lines += [f"  {_mermaid_node(n, cat)}" for n in placed if n.component.id not in hosted]
    ids = {n.component.id for n in placed}
    for n in placed:
        lines += [f"  {mermaid_id(n.component.id)} --> {mermaid_id(dep)}"
                  for dep in n.component.depends_on if dep in ids]
    lines += [f"  classDef spof stroke:{SPOF_COLOUR},stroke-width:3px",
              f"  classDef breaks fill:{BREAK_FILL},stroke:{BREAK_EDGE}"]
    for css, chosen in (("breaks", [n for n in placed if n.breaks_first]),
                        ("spof", [n for n in placed if n.spof])):
        if chosen:
            lines.append(f"  class {','.join(mermaid_id(n.component.id) for n in chosen)} {css}")
    return "\n".join(lines) + "\n"


def _mermaid_node(node: Node, cat: Messages) -> str:
    """Return one Mermaid node line with id, technology and breaking month."""
    c = node.component
    parts = [c.id]
    if c.technology:
        parts.append(_short(c.technology))
    parts.append(cat.t("chart.diagram.instances", kind=c.kind, count=c.instances))
    if node.breaking_month is not None:
        parts.append(cat.t("chart.diagram.breaks_at", month=node.breaking_month))
    if node.spof:
        parts.append(cat.t("table.spof"))
    label = "<br/>".join(mermaid_text(p) for p in parts)
    return f'{mermaid_id(c.id)}["{label}"]'
