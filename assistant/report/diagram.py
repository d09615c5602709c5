"""The architecture diagram: components, dependencies, SPOFs and what breaks first.

Two renderings of one model: Mermaid flowchart text for Markdown and, for HTML, an inline SVG
laid out by Graphviz `dot` (ranks left to right like a request travels, edges routed around
the boxes, so an arrow never reads as passing through a component, and it stays legible at 50+
components). Components on a shared host sit in a dashed cluster because they fail together.
Intake text (technology) is data: Mermaid gets entity codes, DOT gets escaped HTML-like labels
(node names are generated, never intake text), and `dot`'s SVG keeps it as escaped text.
Without `dot` the HTML says so in place of the drawing instead of failing the report.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

from assistant.assessment.model import Review
from assistant.i18n.messages import Messages
from assistant.intake.schema import Component
from assistant.report.charts import INK, SEVERITY_COLOURS
from assistant.report.svgkit import Canvas, legend, text_width

SPOF_COLOUR = SEVERITY_COLOURS["critical"]
BREAK_FILL = "#ffe3cc"
BREAK_EDGE = "#e8590c"
NODE_FILL = "#eef2f8"
NODE_EDGE = "#5b6b82"
HOST_FILL = "#fbfcfe"
MAX_TECH = 30
DOT_TIMEOUT_S = 60
FONT = "DejaVu Sans"
LEGEND_PX = 30


@dataclass(frozen=True)
class Node:
    """One component with what the diagram highlights about it."""

    component: Component
    spof: bool
    breaks_first: bool
    breaking_month: float | None


def nodes(review: Review) -> list[Node]:
    """Every component, in intake order, marked: SPOF, first to break, its breaking month."""
    spof = {m for unit in review.capacity.availability.units if unit.spof for m in unit.members}
    first = review.capacity.first_break
    first_members = set(first.members) if first else set()
    placed = []
    for c in review.intake.components:
        months = [b.month for b in review.capacity.breaks_for(c.id) if not b.ceiling]
        placed.append(Node(c, c.id in spof, c.id in first_members,
                           min(months) if months else None))
    return placed


def _short(text: str, limit: int = MAX_TECH) -> str:
    """Cut long intake text so it fits a box (the full text is in the report's tables)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def svg(review: Review) -> str:
    """Draw the architecture as an inline SVG for the HTML report (Graphviz `dot` layout)."""
    cat = Messages(review.language)
    source = dot_source(review, cat)
    drawing, problem = run_dot(source)
    if drawing is None:
        return _without_dot(cat, problem)
    return _with_legend(drawing, cat)


def run_dot(source: str) -> tuple[str | None, str]:
    """Lay out DOT text with `dot -Tsvg`; return (the SVG, "") or (None, why not)."""
    executable = shutil.which("dot")
    if executable is None:
        return None, "Graphviz `dot` is not installed"
    try:
        done = subprocess.run([executable, "-Tsvg"], input=source.encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"Graphviz `dot` failed: {type(error).__name__}"
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        return None, f"Graphviz `dot` failed: {last[:200]}"
    return done.stdout.decode("utf-8"), ""


def dot_source(review: Review, cat: Messages) -> str:
    """The diagram as DOT text: generated node names, escaped HTML-like labels, host clusters."""
    placed = nodes(review)
    names = {n.component.id: f"n{i}" for i, n in enumerate(placed)}
    spof_units = {u.name for u in review.capacity.availability.units if u.spof}
    lines = [
        "digraph architecture {",
        f'  graph [rankdir=LR, nodesep=0.3, ranksep=0.65, pad=0.15, fontname="{FONT}", '
        'fontsize=9, bgcolor="white"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=10, '
        f'margin="0.14,0.06", fillcolor="{NODE_FILL}", color="{NODE_EDGE}", penwidth=1.3];',
        f'  edge [color="{NODE_EDGE}", penwidth=1.2, arrowsize=0.7];',
    ]
    hosted = set()
    for index, (host, members) in enumerate(sorted(review.capacity.hosts.items())):
        colour = SPOF_COLOUR if host in spof_units else NODE_EDGE
        label = _html_text(cat.t("chart.diagram.host", host=host))
        lines += [f"  subgraph cluster_{index} {{",
                  f'    label=<<i>{label}</i>>; labeljust=l; style="dashed,rounded,filled"; '
                  f'fillcolor="{HOST_FILL}"; color="{colour}"; fontcolor="{colour}"; '
                  f"penwidth=1.3;"]
        lines += [f"    {names[m]};" for m in members if m in names]
        lines.append("  }")
        hosted |= set(members)
    for node in placed:
        lines.append(f"  {names[node.component.id]} [{_node_attributes(node, cat)}];")
    for node in placed:
        lines += [f"  {names[node.component.id]} -> {names[dep]};"
                  for dep in node.component.depends_on if dep in names
                  and dep != node.component.id]
    return "\n".join([*lines, "}"]) + "\n"


def _html_text(text: str) -> str:
    """Escape text for a Graphviz HTML-like label (it is parsed as XML)."""
    return html.escape(" ".join(str(text).split()), quote=True)


def _node_attributes(node: Node, cat: Messages) -> str:
    """One box: id, technology, kind and count, breaking month, SPOF mark; its colours."""
    c = node.component
    rows = [f"<b>{_html_text(c.id)}</b>"]
    if c.technology:
        rows.append(f'<font point-size="8.5" color="#3d4a5c">{_html_text(_short(c.technology))}'
                    "</font>")
    rows.append(f'<font point-size="8.5" color="#3d4a5c">'
                f"{_html_text(cat.t('chart.diagram.instances', kind=c.kind, count=c.instances))}"
                "</font>")
    if node.breaking_month is not None:
        colour = BREAK_EDGE if node.breaks_first else "#8a5a00"
        text = _html_text(cat.t("chart.diagram.breaks_at", month=node.breaking_month))
        rows.append(f'<font point-size="8.5" color="{colour}"><b>{text}</b></font>')
    if node.spof:
        rows.append(f'<font point-size="8" color="{SPOF_COLOUR}"><b>'
                    f"{_html_text(cat.t('table.spof'))}</b></font>")
    edge = SPOF_COLOUR if node.spof else (BREAK_EDGE if node.breaks_first else NODE_EDGE)
    fill = BREAK_FILL if node.breaks_first else NODE_FILL
    width = 2.6 if node.spof else 1.3
    return (f'label=<{"<br/>".join(rows)}>, color="{edge}", fillcolor="{fill}", '
            f"penwidth={width}")


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ID = re.compile(r'\bid="([^"]+)"')


def _with_legend(drawing: str, cat: Messages) -> str:
    """Put `dot`'s drawing in the report's chart SVG, with page-unique ids and a legend below.

    `dot` measures in points with a viewBox of the same size, so its content drops into a
    canvas of that many pixels unchanged (one `<svg>` per figure, as the page expects).
    """
    start = drawing.find("<svg")
    # dot writes every "-" as &#45; (for its comments, which go); a hyphen needs no escaping
    inner = _COMMENT.sub("", drawing[start:]).strip().replace("&#45;", "-")
    size = _SIZE.search(inner)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (600.0, 400.0)
    for old in sorted(set(_ID.findall(inner)), key=len, reverse=True):
        inner = inner.replace(f'id="{old}"', f'id="diagram-{old}"')
    keys = [("box", SPOF_COLOUR, cat.t("chart.diagram.spof")),
            ("box", BREAK_EDGE, cat.t("chart.diagram.first_break")),
            ("box", NODE_EDGE, cat.t("chart.diagram.host_legend")),
            ("line", NODE_EDGE, "→ " + cat.t("chart.diagram.depends"))]
    column = max(text_width(label, 7.5) for _, _, label in keys) + 34
    canvas = Canvas(max(width, column * 4 + 16), height + LEGEND_PX, "diagram")
    body = inner[inner.index(">") + 1:inner.rindex("</svg>")]  # dot's root: its size is ours
    canvas.add(f'<g class="layout">{body}</g>')
    legend(canvas, 8, height + LEGEND_PX / 2, keys, size=7.5, columns=4, column_width=column)
    return canvas.svg()


def _without_dot(cat: Messages, problem: str) -> str:
    """Say in place of the drawing why there is none (the Mermaid text in Markdown remains)."""
    message = cat.t("chart.diagram.no_dot", problem=problem)
    canvas = Canvas(max(420.0, text_width(message, 10) + 40), 60, "diagram")
    canvas.rect(1, 1, canvas.width - 2, 58, "#fff8e6", stroke="#d4a106", rx=6)
    canvas.text(20, 30, message, size=10, colour=INK)
    return canvas.svg()


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
