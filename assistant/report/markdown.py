"""The Markdown report, rendered by Jinja2 from the `Review` and the string catalogue.

Intake text is data: the `text` filter escapes HTML, line breaks and Markdown syntax (table
pipes, code spans, links and images) so a field containing `<script>`, `![x](http://...)` or a
carriage return shows as text in any Markdown viewer (checked with markdown-it-py in the tests).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

import jinja2

from assistant.assessment.model import Review
from assistant.i18n.messages import Messages
from assistant.report.availability_text import cache_outage_sentence

TEMPLATES = Path(__file__).resolve().parent / "templates"


_MARKDOWN_PUNCTUATION = str.maketrans({
    "\\": "\\\\", "`": "\\`", "|": "\\|", "[": "\\[", "]": "\\]"
})


def one_line(value: object) -> str:
    """Collapse every line break (LF, lone CR, U+2028, ...) and run of whitespace to one space.

    Why: a lone CR in an endpoint path used to end a Markdown table row and start a heading.
    """
    return " ".join(str(value).split())


def _text(value: object) -> str:
    """Escape intake- or LLM-sourced text for Markdown: one line, HTML entities, no syntax.

    Backslash-escapes what could end a table cell (`|`), open a code span (backtick) or build a
    link or a remote image (`![x](http://...)`), and a leading `#`, `>` or `-` that would start
    a heading, quote or list; `<` and `&` become entities, so no raw HTML or autolink survives.
    """
    text = html.escape(one_line(value), quote=False).translate(_MARKDOWN_PUNCTUATION)
    return "\\" + text if text[:1] in ("#", ">", "-", "+", "=") else text


def _code(value: object) -> str:
    """Make text safe inside a code span: one line, no backtick, and `|` escaped for tables."""
    return one_line(value).replace("`", "'").replace("|", "\\|")


@cache
def _environment_for(lang: str) -> jinja2.Environment:
    """One environment per language, so each template is compiled once per process."""
    return _environment(Messages(lang))  # type: ignore[arg-type]


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
    env.filters["outage"] = lambda o: cache_outage_sentence(o, catalogue, _text)
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

    template = _environment_for(review.language).get_template("report.md.j2")
    return template.render(r=review, first=review.capacity.first_break,
                           cards={p.id: p for p in review.patterns},
                           charts=chart_files(review), mermaid=mermaid(review))
