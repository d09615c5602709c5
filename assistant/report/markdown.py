"""The Markdown report, rendered by Jinja2 from the `Review` and the string catalogue.

Intake text is data: the `text` filter escapes HTML and table pipes so a field containing
`<script>` shows as text in any Markdown viewer.
"""

from __future__ import annotations

import html
from pathlib import Path

import jinja2

from assistant.assessment.model import Review
from assistant.i18n.messages import Messages

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _text(value: object) -> str:
    """Escape intake-sourced text for Markdown: HTML entities, pipes and line breaks."""
    return html.escape(str(value), quote=False).replace("|", "\\|").replace("\n", " ")


def _code(value: object) -> str:
    """Make text safe inside a code span: code spans are literal, so only backticks matter."""
    return str(value).replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _environment(catalogue: Messages) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["text"] = _text
    env.filters["code"] = _code
    env.filters["smart"] = catalogue.value
    env.filters["num"] = lambda v, d=0: catalogue.number(v, d)
    env.filters["pct"] = lambda v, d=1: catalogue.pct(v, d)
    env.globals["t"] = catalogue.t
    env.globals["c"] = catalogue
    return env


CHART_FILES = {"utilisation": "utilisation.png", "roadmap": "roadmap.png",
               "costs": "costs.png", "cashflow": "cashflow.png"}


def chart_files(review: Review) -> dict[str, str]:
    """The chart images a Markdown report links to (written beside it by the writer)."""
    return {name: file for name, file in CHART_FILES.items()
            if name != "cashflow" or review.roi is not None}


def render_markdown(review: Review) -> str:
    """Render a review as Markdown in its language."""
    from assistant.report.diagram import mermaid

    catalogue = Messages(review.language)
    template = _environment(catalogue).get_template("report.md.j2")
    return template.render(r=review, first=review.capacity.first_break,
                           cards={p.id: p for p in review.patterns},
                           charts=chart_files(review), mermaid=mermaid(review))
