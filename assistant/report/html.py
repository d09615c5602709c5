"""The HTML report: one self-contained file with inline styles, charts and diagram.

Rendered by Jinja2 with autoescaping on, from the same `Review` and string catalogue as the
Markdown report, so intake text is always shown as text. Charts (plain SVG, `svgkit`) and the
architecture diagram (Graphviz `dot`) are inline SVG; the page loads nothing and runs no
script, so it opens offline, prints cleanly and can be mailed as a single attachment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from assistant.assessment.model import Review
from assistant.i18n.messages import Messages
from assistant.report.availability_text import cache_outage_sentence

TEMPLATES = Path(__file__).resolve().parent / "templates"

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline_markdown(text: object) -> Markup:
    """Escape a catalogue sentence, then turn its `**bold**` and `` `code` `` into tags.

    Why: the catalogue's sentences are shared with the Markdown report; escaping first means
    intake text inside them can never become markup, only the two fixed patterns do.
    """
    html = str(escape(str(text)))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return Markup(_CODE.sub(r"<code>\1</code>", html))


def load_class(utilisation: float, threshold: float) -> str:
    """Return the CSS class for a utilisation cell: ok, near (over 75 % of it) or over."""
    if threshold <= 0 or utilisation >= threshold:
        return "load-over"
    return "load-near" if utilisation >= 0.75 * threshold else "load-ok"


def score_class(score: float | None) -> str:
    """Return the CSS class for a 0-100 score: good, fair or poor."""
    if score is None:
        return "score-none"
    return "score-good" if score >= 70 else "score-fair" if score >= 40 else "score-poor"


@cache
def _environment_for(lang: str) -> jinja2.Environment:
    """One environment per language, so each template is compiled once per process."""
    return _environment(Messages(lang))  # type: ignore[arg-type]


def _environment(catalogue: Messages) -> jinja2.Environment:
    """Build the Jinja2 environment: autoescaping on, strict undefined, catalogue helpers."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["md"] = inline_markdown
    env.filters["smart"] = catalogue.value
    env.filters["num"] = lambda v, d=0: catalogue.number(v, d)
    env.filters["pct"] = lambda v, d=1: catalogue.pct(v, d)
    env.filters["outage"] = lambda o: cache_outage_sentence(o, catalogue)
    env.filters["load"] = load_class
    env.filters["score"] = score_class
    env.globals["t"] = catalogue.t
    env.globals["c"] = catalogue
    return env


def render_html(review: Review, charts: Mapping[str, str] | None = None) -> str:
    """Render a review as one self-contained HTML page in its language.

    `charts` are the review's chart SVGs when the caller already drew them (the writer draws
    them once for the Markdown PNGs and the HTML page); else they are drawn here.
    """
    from assistant.report import charts as chart_module
    from assistant.report import diagram

    drawn = charts if charts is not None else chart_module.svg_charts(review)
    template = _environment_for(review.language).get_template("report.html.j2")
    return template.render(
        r=review, first=review.capacity.first_break, cards={p.id: p for p in review.patterns},
        charts={name: Markup(svg) for name, svg in drawn.items()},
        diagram=Markup(diagram.svg(review)),
        severities=list(chart_module.SEVERITY_COLOURS),
    )
